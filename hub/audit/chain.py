"""The canonical form and hash of one audit entry: the one definition that writing and verifying share.

An entry's hash is SHA-256 over a canonical JSON serialisation (sorted keys, no whitespace, UTF-8,
datetimes as UTC with microseconds, enums as their values) of every stored field and the previous entry's
hash. Changing what goes in here invalidates every existing chain: bump `FORMAT_VERSION` and teach `verify`
both formats instead.
Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

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
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, str | int | type(None)):
        return value
    if isinstance(value, Sequence):
        return [_canonical_value(v) for v in value]
    raise TypeError(f"audit field of unsupported type {type(value).__name__}")


def canonical_bytes(fields: Mapping[str, Any]) -> bytes:
    """The canonical serialisation of an entry (a mapping holding at least `HASHED_FIELDS`)."""
    doc = {name: _canonical_value(fields[name]) for name in HASHED_FIELDS}
    doc["v"] = FORMAT_VERSION
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()
