"""A pushed change event: its input form (the same camelCase object from both doors), validation, and results.

    {"eventId": "...", "department": "SOF", "subjectCpr": "DDMMYYSSSS", "recordKind": "...",
     "recordId": "...", "version": 3, "occurredAt": "2026-11-01T10:00:00Z",
     "record": {...the department's single-person wire record...} | null, "deleted": false}

Validation never echoes a value back: errors name the field and what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from hub.cpr import InvalidCPR, normalize
from hub.domain import Department
from hub.ingestion.versions import MAX_VERSION

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")
MAX_EVENT_ID = 128
MAX_RECORD_KIND = 64
MAX_RECORD_ID = 128
# Clocks drift; an event "from the future" beyond this is a producer bug, not a change to apply.
FUTURE_TOLERANCE = timedelta(minutes=5)


class EventStatus(StrEnum):
    APPLIED = "APPLIED"  # stored and now the latest version of its record
    SUPERSEDED = "SUPERSEDED"  # stored; an equal or newer version of the record was already known
    REJECTED = (
        "REJECTED"  # not applied; see the error (malformed and unknown-subject events are dead-lettered)
    )


@dataclass(frozen=True, slots=True)
class EventError:
    code: str  # an API error code: BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, INTERNAL
    message: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class EventResult:
    event_id: str | None
    status: EventStatus
    error: EventError | None = None

    @property
    def accepted(self) -> bool:
        return self.status is not EventStatus.REJECTED


@dataclass(frozen=True, slots=True)
class DepartmentEvent:
    event_id: str
    department: Department
    subject_cpr: str  # normalised; in memory only
    record_kind: str
    record_id: str
    version: int
    occurred_at: datetime
    record: Mapping[str, Any] | None  # the wire record; None for a deletion
    deleted: bool


class InvalidEvent(ValueError):
    def __init__(self, message: str, field: str | None = None, code: str = "BAD_USER_INPUT") -> None:
        super().__init__(message)
        self.error = EventError(code, message, field)


def event_id_of(raw: Any) -> str | None:
    """The event id if it is a usable idempotency key, else None."""
    if not isinstance(raw, Mapping):
        return None
    value = raw.get("eventId")
    if isinstance(value, str) and 0 < len(value) <= MAX_EVENT_ID and _ID_RE.match(value):
        return value
    return None


def validate(raw: Any, *, now: datetime) -> DepartmentEvent:
    """The event, or InvalidEvent naming the first problem."""
    if not isinstance(raw, Mapping):
        raise InvalidEvent("event must be a JSON object")
    event_id = event_id_of(raw)
    if event_id is None:
        raise InvalidEvent(
            f"eventId must be 1-{MAX_EVENT_ID} characters of letters, digits and . _ : / -", "eventId"
        )
    try:
        department = Department(str(raw.get("department")))
    except ValueError:
        raise InvalidEvent("department must be one of SOF, BIF, BUF, KFF, SUF", "department") from None
    cpr = raw.get("subjectCpr")
    try:
        if not isinstance(cpr, str):
            raise InvalidCPR("missing")
        subject_cpr = normalize(cpr)
    except InvalidCPR:
        raise InvalidEvent("subjectCpr must be a CPR number (DDMMYY-SSSS)", "subjectCpr") from None
    record_kind = _text(raw, "recordKind", MAX_RECORD_KIND)
    record_id = _text(raw, "recordId", MAX_RECORD_ID)
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0 or version > MAX_VERSION:
        raise InvalidEvent(f"version must be an integer from 0 to {MAX_VERSION}", "version")
    occurred_at = _instant(raw.get("occurredAt"))
    if occurred_at > now + FUTURE_TOLERANCE:
        raise InvalidEvent("occurredAt lies in the future", "occurredAt")
    deleted = raw.get("deleted", False)
    if not isinstance(deleted, bool):
        raise InvalidEvent("deleted must be a boolean", "deleted")
    record = raw.get("record")
    if deleted and record is not None:
        raise InvalidEvent("a deletion carries no record", "record")
    if not deleted and not isinstance(record, Mapping):
        raise InvalidEvent("record must be a JSON object (or set deleted: true)", "record")
    return DepartmentEvent(
        event_id=event_id,
        department=department,
        subject_cpr=subject_cpr,
        record_kind=record_kind,
        record_id=record_id,
        version=version,
        occurred_at=occurred_at,
        record=record,
        deleted=deleted,
    )


def _text(raw: Mapping[str, Any], name: str, limit: int) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidEvent(f"{name} must be a non-empty string of at most {limit} characters", name)
    return value.strip()


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
        except ValueError:
            raise InvalidEvent("occurredAt must be an ISO 8601 instant", "occurredAt") from None
    else:
        raise InvalidEvent("occurredAt must be an ISO 8601 instant", "occurredAt")
    if parsed.tzinfo is None:
        raise InvalidEvent("occurredAt must carry a time zone (e.g. Z)", "occurredAt")
    return parsed
