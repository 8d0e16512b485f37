"""GraphQL types of pushes, live updates and the family timeline. Plain data: no logic, no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, NewType

import strawberry
from strawberry.scalars import JSON

from hub.ingestion.events import EventResult, EventStatus
from hub.ingestion.live import FamilyUpdate
from hub.ingestion.timeline import TimelineEntry, TimelineKind
from schema.context import Info
from schema.core import DepartmentType
from schema.enum_values import described_enum

if TYPE_CHECKING:
    from schema.signals.types import SignalType


def _parse_long(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("Long must be an integer")
    parsed = int(value)
    if not -(2**63) <= parsed < 2**63:
        raise ValueError("Long out of range")
    return parsed


# GraphQL's Int is 32-bit; department versions are often timestamps or 64-bit sequence numbers.
Long = NewType("Long", int)
# Registered in the schema's scalar map (schema/__init__.py SCALARS).
LONG_SCALAR = strawberry.scalar(
    name="Long",
    description="A 64-bit integer (a JSON number; a numeric string is accepted as input).",
    serialize=int,
    parse_value=_parse_long,
)

PushEventStatusType = described_enum(
    EventStatus,
    name="PushEventStatus",
    description="APPLIED (stored, now the latest version), SUPERSEDED (stored; an equal or newer version "
    "was already known, so it changed nothing), REJECTED (not applied: see the error; malformed events and "
    "unknown subjects are kept in the dead-letter table).",
    values={
        EventStatus.APPLIED: "Stored; now the latest version of its record.",
        EventStatus.SUPERSEDED: "Stored, but an equal or newer version of the record was already known: "
        "nothing changed.",
        EventStatus.REJECTED: "Not applied: see the error (malformed and unknown-subject events are kept in "
        "the "
        "dead-letter table).",
    },
)
TimelineKindType = described_enum(
    TimelineKind,
    description="DEPARTMENT_UPDATE (a department pushed a change), PLAN_EDIT (the plan changed), "
    "CONSENT_CHANGE (a member's consent was recorded, withdrawn or superseded), EMERGENCY_ACCESS (a worker "
    "was granted emergency access; coordinator only).",
    values={
        TimelineKind.DEPARTMENT_UPDATE: "A department system pushed a change to one of its records.",
        TimelineKind.PLAN_EDIT: "The family action plan (familiehandleplan) changed.",
        TimelineKind.CONSENT_CHANGE: "A member's consent (samtykke) was recorded, withdrawn or superseded: the "
        "makkerpar and the coordinator are told at once; sections may change to or from CONSENT_REQUIRED.",
        TimelineKind.EMERGENCY_ACCESS: "A worker not on the family's team was granted emergency access "
        "(nødadgang) to it: told to the family's coordinator only, with the worker's administration, unit, role "
        "and reason code (never a name).",
    },
)


@strawberry.input(
    description="One change event from a department system. Every field is checked by the hub, per event, "
    "exactly as the webhook checks it: an event with a missing or mistyped field is REJECTED (BAD_USER_INPUT "
    "with that `field`) and dead-lettered, and the rest of the batch is still applied. The expected type of "
    "each field is in its description."
)
class DepartmentEventInput:
    # Typed JSON on purpose: GraphQL's own coercion would refuse the whole request over one mistyped event.
    event_id: JSON | None = strawberry.field(
        default=None,
        description="String, required: the idempotency key. The same eventId with the same content is a "
        "replay, answered as the first push was; with different content it is REJECTED with CONFLICT.",
    )
    department: JSON | None = strawberry.field(
        default=None, description="SOF, BIF, BUF, KFF or SUF, required: must be the caller's own department."
    )
    subject_cpr: JSON | None = strawberry.field(
        default=None, description="String, required: the person the record is about (CPR number)."
    )
    record_kind: JSON | None = strawberry.field(
        default=None, description="String, required: the kind of record, in the department's vocabulary."
    )
    record_id: JSON | None = strawberry.field(
        default=None, description="String, required: the department's id of the record."
    )
    version: JSON | None = strawberry.field(
        default=None,
        description="Integer from 0 to 2^63-1 (a numeric string is accepted), required: the record's version. "
        "An older version never overwrites a newer one.",
    )
    occurred_at: JSON | None = strawberry.field(
        default=None,
        description="ISO 8601 instant with a time zone, required: when the change happened in the department.",
    )
    record: JSON | None = strawberry.field(
        default=None,
        description="Object: the new record, exactly as the department's single-person endpoint returns it; "
        "null for a deletion.",
    )
    deleted: JSON | None = strawberry.field(
        default=False, description="Boolean: true when the record was deleted."
    )

    def as_raw(self) -> dict[str, Any]:
        """The same camelCase object the webhook receives, so both doors share one validation."""
        return {
            "eventId": self.event_id,
            "department": getattr(self.department, "value", self.department),
            "subjectCpr": self.subject_cpr,
            "recordKind": self.record_kind,
            "recordId": self.record_id,
            "version": _lenient_long(self.version),
            "occurredAt": self.occurred_at,
            "record": self.record,
            "deleted": self.deleted,
        }


def _lenient_long(value: Any) -> Any:
    """A numeric string as its integer (as the Long scalar accepted it); anything else as given, to be
    judged by the hub's validation."""
    if isinstance(value, str):
        try:
            return _parse_long(value)
        except ValueError:
            return value
    return value


@strawberry.type(description="Why an event was not applied. The message never repeats a CPR number.")
class PushEventError:
    code: str = strawberry.field(description="BAD_USER_INPUT, NOT_FOUND (unknown subject) or FORBIDDEN.")
    message: str = strawberry.field(description="What is wrong with the event.")
    field: str | None = strawberry.field(description="The offending input field, if one.")


@strawberry.type(description="The outcome of one pushed event.")
class PushEventResult:
    event_id: str | None = strawberry.field(description="The event's id (null if it had no usable id).")
    status: PushEventStatusType = strawberry.field(description="What the hub did with it.")  # type: ignore[valid-type]
    error: PushEventError | None = strawberry.field(description="Set when status is REJECTED.")

    @classmethod
    def of(cls, result: EventResult) -> PushEventResult:
        error = result.error
        return cls(
            event_id=result.event_id,
            status=result.status,
            error=None
            if error is None
            else PushEventError(code=error.code, message=error.message, field=error.field),
        )


@strawberry.type(description="Per-event outcomes, in the order the events were given.")
class PushDepartmentUpdatesPayload:
    results: list[PushEventResult] = strawberry.field(description="One result per event, in order.")
    applied: int = strawberry.field(description="Events now the latest version of their record.")
    superseded: int = strawberry.field(description="Events stored but older than what the hub already had.")
    rejected: int = strawberry.field(description="Events not applied (see their errors).")


@strawberry.type(
    name="FamilyUpdate",
    description="Something changed in a family the viewer follows. Ids only: query the family for data.",
)
class FamilyUpdateType:
    family_id: strawberry.ID = strawberry.field(description="The family.")
    kind: TimelineKindType = strawberry.field(description="What changed.")  # type: ignore[valid-type]
    occurred_at: datetime = strawberry.field(description="When it changed at the source.")
    member_id: strawberry.ID | None = strawberry.field(description="The member it concerns, if one.")
    department: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="The department, for department updates."
    )
    record_kind: str | None = strawberry.field(description="The kind of department record.")
    record_id: str | None = strawberry.field(description="The department's record id.")
    version: Long | None = strawberry.field(description="The record's new version.")
    deleted: bool = strawberry.field(description="True when the department deleted the record.")
    summary: str | None = strawberry.field(
        description="One line describing the change: the same as its entry in Family.timeline."
    )
    cursor: str | None = strawberry.field(
        description="Where this update stands in the family's feed (opaque). After a lost connection, "
        "subscribe with `after:` the last cursor seen to receive what happened since, then live updates, "
        "with no gap and no repeat. Null only when the hub could not store the update (then it cannot be "
        "resumed from)."
    )

    @strawberry.field(
        description="The family's early signals for the viewer, decided afresh at this delivery (computed only "
        "when selected): a client following the family sees them change as department data, the plan and "
        "consents change."
    )
    async def signals(
        self, info: Info
    ) -> list[Annotated[SignalType, strawberry.lazy("schema.signals.types")]]:
        from schema.signals.fields import family_signals_now

        return await family_signals_now(info, str(self.family_id))

    @classmethod
    def of(cls, update: FamilyUpdate) -> FamilyUpdateType:
        return cls(
            family_id=strawberry.ID(update.family_id),
            kind=update.kind,
            occurred_at=update.occurred_at,
            member_id=None if update.person_id is None else strawberry.ID(update.person_id),
            department=update.department,
            record_kind=update.record_kind,
            record_id=update.record_id,
            version=None if update.version is None else Long(update.version),
            deleted=update.deleted,
            summary=update.summary,
            cursor=update.cursor,
        )


@strawberry.type(name="TimelineEntry", description="One change in the family's recent history.")
class TimelineEntryType:
    occurred_at: datetime = strawberry.field(description="When it happened.")
    kind: TimelineKindType = strawberry.field(description="A department update or a plan edit.")  # type: ignore[valid-type]
    summary: str = strawberry.field(description="One line describing the change (no record content).")
    member_id: strawberry.ID | None = strawberry.field(description="The member it concerns, if one.")
    department: DepartmentType | None = strawberry.field(  # type: ignore[valid-type]
        description="The department, for department updates."
    )
    record_id: str | None = strawberry.field(
        description="The department's record id, for department updates."
    )
    version: Long | None = strawberry.field(description="The record's version, for department updates.")

    @classmethod
    def of(cls, entry: TimelineEntry) -> TimelineEntryType:
        return cls(
            occurred_at=entry.occurred_at,
            kind=entry.kind,
            summary=entry.summary,
            member_id=None if entry.person_id is None else strawberry.ID(entry.person_id),
            department=entry.department,
            record_id=entry.record_id,
            version=None if entry.version is None else Long(entry.version),
        )
