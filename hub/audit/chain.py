"""The canonical form and hash of one audit entry: the one definition that writing and verifying share.

An entry's hash is SHA-256 over a canonical JSON serialisation (sorted keys, no whitespace, UTF-8,
datetimes as UTC with microseconds, enums as their values) of every stored field and the previous entry's
hash. The bytes are orjson's (`OPT_SORT_KEYS`) over values normalised first to str/int/None/lists; they are
identical to `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` of the same document,
the serialiser of the first entries (a test holds the two equal). Changing what goes in here invalidates every existing chain: bump `FORMAT_VERSION` and teach `verify`
both formats instead.
Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import orjson

FORMAT_VERSION = 1

# The stored fields an entry hash covers, besides the format version.
HASHED_FIELDS: tuple[str, ...] = (
    "chain",
    "seq",
    "occurred_at",
    "recorded_at",
    "action",
    "decision",
    "reason",
    "actor_user_id",
    "actor_role",
    "actor_department",
    "actor_unit",
    "client",
    "subject_person_id",
    "family_id",
    "source",
    "categories",
    "purpose",
    "basis",
    "request_id",
    "prev_hash",
)


def format_time(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical_value(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, str | int):
        return value
    if isinstance(value, Sequence):
        return [_canonical_value(v) for v in value]
    raise TypeError(f"audit field of unsupported type {type(value).__name__}")


def canonical_bytes(fields: Mapping[str, Any]) -> bytes:
    """The canonical serialisation of an entry (a mapping holding at least `HASHED_FIELDS`)."""
    doc = {name: _canonical_value(fields[name]) for name in HASHED_FIELDS}
    return normalised_bytes(doc)


def normalised_bytes(doc: dict[str, Any]) -> bytes:
    """The canonical serialisation of an entry whose `HASHED_FIELDS` are already normalised (str, int, None,
    lists of str; times through `format_time`): the writer's fast path. `doc` gains the format version."""
    doc["v"] = FORMAT_VERSION
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)


def entry_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()


def normalised_hash(doc: dict[str, Any]) -> str:
    return hashlib.sha256(normalised_bytes(doc)).hexdigest()
