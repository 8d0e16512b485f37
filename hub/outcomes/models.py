"""Tables owned by hub.outcomes: which goals are exit criteria, and the hand-over record of a closed course.

No CPR number and no department data here: goals by id, the receiving unit and the summary as the team wrote
them (journalised text, never logged).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text
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
