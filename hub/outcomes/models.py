"""Tables owned by hub.outcomes: which goals are exit criteria, and the hand-over record of a closed course.

No CPR number and no department data here: goals by id, the receiving unit and the summary as the team wrote
them (journalised text, never logged).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.persistence.base import Base, UTCDateTime, new_id, utcnow


class ExitCriterion(Base):
    """A goal of the plan marked as an exit criterion: reaching it is part of ending the course well."""

    __tablename__ = "plan_exit_criteria"

    goal_id: Mapped[str] = mapped_column(ForeignKey("plan_goals.id", ondelete="CASCADE"), primary_key=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    marked_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HandOverRecord(Base):
    """Written when a family is closed: who takes over, what the team hands on, when the family was told."""

    __tablename__ = "family_handovers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    closed_on: Mapped[date] = mapped_column(Date)
    receiving_unit: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    continuing_goal_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    family_told_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutcomeSnapshot(Base):
    """One member's measures at one moment of the course (enrolment, each half year, closure), as seen then.

    `values` holds what the gate let the snapshot's taker see (hub/outcomes/measures.py); a measure left out
    was not seen (no basis, not registered, not applicable). Stored when taken: later consents do not change it.
    """

    __tablename__ = "outcome_snapshots"
    __table_args__ = (Index("ix_outcome_snapshots_family_taken", "family_id", "taken_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    occasion: Mapped[str] = mapped_column(String(16))  # ENROLMENT, HALF_YEAR, CLOSURE
    taken_on: Mapped[date] = mapped_column(Date)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    taken_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutcomePeriod(Base):
    """A family's half-yearly snapshot of one course, claimed by whoever takes it (hub/outcomes/schedule.py).

    The key (family, course start, period) is the claim: two hub replicas (or a replica and `hub outcomes
    snapshot-due`) racing for the same period insert the same key, and only one insert succeeds.
    """

    __tablename__ = "outcome_periods"

    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), primary_key=True)
    course_start: Mapped[date] = mapped_column(Date, primary_key=True)  # the enrolment the course began with
    period: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1: the first half year after enrolment
    due_on: Mapped[date] = mapped_column(Date)
    taken_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
