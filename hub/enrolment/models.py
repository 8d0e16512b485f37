"""Tables owned by hub.enrolment: enrolment history, eligibility assessments, outcome snapshots, a lock row.

- `enrolment_events`: every status change of a family in the programme (waitlisted, enrolled, closed), with
  the reason and hand-over of a closure. The `families` row holds the current state; this table is the history
  the steering report counts per quarter. Rows are never updated or deleted by the hub.
- `eligibility_assessments`: each eligibility check the coordinator ran, with its criteria and evidence
  (department codes and the housing area, never department data values).
- `enrolment_snapshots`: per member, the outcome indicators at enrolment (cash benefit, unlawful school
  absence, leisure activity), so the report compares like with like. A NULL value is "not known", with
  the reason in `gaps`.
- `enrolment_locks`: one row per programme, updated first in every capacity decision so that two enrolments
  never both take the last place (a row lock on PostgreSQL, the write lock on SQLite).

No CPR number is stored here: persons are referenced by hub person id.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain import Department, District, FamilyStatus
from hub.persistence.base import Base, UTCDateTime, new_id, utcnow


def _enum(enum_cls: type, name: str) -> Enum:
    # Strings with a CHECK constraint, as in the core tables: portable across SQLite and PostgreSQL.
    return Enum(enum_cls, name=name, native_enum=False, length=32, validate_strings=True)


class EventKind(StrEnum):
    WAITLISTED = "WAITLISTED"  # eligible, no place (or families ahead in referral order)
    ENROLLED = "ENROLLED"  # took a place (first enrolment or re-opening a closed family)
    CLOSED = "CLOSED"  # left the programme or the waitlist, with reason and hand-over


class Outcome(StrEnum):
    ELIGIBLE = "ELIGIBLE"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    UNKNOWN = "UNKNOWN"  # a department could not be asked (down, or no basis): never read as "no"


class EnrolmentEvent(Base):
    __tablename__ = "enrolment_events"
    __table_args__ = (
        Index("ix_enrolment_events_family_when", "family_id", "occurred_at"),
        Index("ix_enrolment_events_kind_on", "kind", "effective_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "enrolment_event_kind"))
    effective_on: Mapped[date] = mapped_column(Date)  # the programme day it counts on (Copenhagen)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two columns of one enum need two names: each CHECK constraint is named after its enum.
    from_status: Mapped[FamilyStatus] = mapped_column(_enum(FamilyStatus, "enrolment_from_status"))
    to_status: Mapped[FamilyStatus] = mapped_column(_enum(FamilyStatus, "enrolment_to_status"))
    # The district at the time, so a later move does not rewrite the history of the quarter.
    district: Mapped[District] = mapped_column(_enum(District, "district"))
    actor_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    handed_over_to: Mapped[Department | None] = mapped_column(_enum(Department, "department"))
    assessment_id: Mapped[str | None] = mapped_column(
        ForeignKey("eligibility_assessments.id", ondelete="SET NULL")
    )
    # ENROLLED only: the family's distinct municipal contact points that day (hub/enrolment/contact_points.py).
    contact_points: Mapped[int | None] = mapped_column(Integer)


class EligibilityAssessment(Base):
    __tablename__ = "eligibility_assessments"
    __table_args__ = (Index("ix_eligibility_assessments_family_when", "family_id", "assessed_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assessed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, "eligibility_outcome"))
    # [{"criterion": ..., "result": ..., "explanation": ..., evidence fields}]: codes and counts only.
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class EnrolmentSnapshot(Base):
    __tablename__ = "enrolment_snapshots"
    __table_args__ = (UniqueConstraint("event_id", "person_id", name="uq_enrolment_snapshots_event_person"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(ForeignKey("enrolment_events.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    taken_on: Mapped[date] = mapped_column(Date)
    age: Mapped[int] = mapped_column(Integer)
    cash_benefit: Mapped[bool | None] = mapped_column(Boolean)
    high_absence: Mapped[bool | None] = mapped_column(Boolean)
    leisure_active: Mapped[bool | None] = mapped_column(Boolean)
    # {indicator: reason} for every NULL value: "not_applicable", "no_basis", "unavailable".
    gaps: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class EnrolmentLock(Base):
    __tablename__ = "enrolment_locks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
