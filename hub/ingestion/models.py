"""Tables owned by hub.ingestion: pushed events, per-record versions, the section cache, dead letters.

- `ingestion_events`: one row per (department, event id) ever received, with the outcome the hub answered,
  so a replay answers as the first time did. Accepted events keep the record in the hub's typed JSON (never
  the department's wire JSON, which carries the CPR number) until a consent withdrawal purges it.
- `ingestion_record_versions`: the highest version seen per department record: the one place that decides
  "newer or not", updated with a conditional upsert so concurrent pushes cannot reorder a record.
- `ingestion_cache`: the latest known record per (person, department), from pushes and connector fetches.
- `ingestion_dead_letters`: malformed or unplaceable events with the reason; the subject CPR only encrypted.
- `family_updates`: every update announced on a family's live channel, numbered: its id is the cursor a
  subscriber resumes from (`familyUpdated(familyId, after:)`, hub/ingestion/feed.py). Ids only, as published.

No CPR number is ever stored in clear here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain import Department
from hub.ingestion.versions import VERSION_TYPE
from hub.persistence.base import Base, UTCDateTime, new_id, utcnow


def _department() -> Enum:
    return Enum(Department, name="department", native_enum=False, length=32, validate_strings=True)


class IngestedEvent(Base):
    __tablename__ = "ingestion_events"
    __table_args__ = (
        UniqueConstraint("department", "event_id", name="uq_ingestion_events_department_event_id"),
        Index("ix_ingestion_events_person_occurred", "person_id", "occurred_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    department: Mapped[Department] = mapped_column(_department())
    event_id: Mapped[str] = mapped_column(String(128))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    record_kind: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(128))
    version: Mapped[int | None] = mapped_column(VERSION_TYPE)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # APPLIED (now the latest), SUPERSEDED (kept, a newer version was already known), REJECTED (dead-lettered)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_field: Mapped[str | None] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(16))
    # A keyed hash of the event's content (hub.ingestion.service): the same id pushed again with other content
    # is a CONFLICT, not a replay. NULL for events stored before it was kept (then any content is a replay).
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # The record in the hub's typed JSON (hub.ingestion.codec); NULL for deletions, rejections and purges.
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RecordVersion(Base):
    __tablename__ = "ingestion_record_versions"

    department: Mapped[Department] = mapped_column(_department(), primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(VERSION_TYPE)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CachedSection(Base):
    """What the hub last knew of one person in one department (a record, or that they are not registered)."""

    __tablename__ = "ingestion_cache"

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    department: Mapped[Department] = mapped_column(_department(), primary_key=True)
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # typed JSON; NULL when not registered
    not_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    record_kind: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(128))
    version: Mapped[int | None] = mapped_column(VERSION_TYPE)  # pushed version; NULL for fetched data
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(8))  # PUSH, FETCH or PURGED (a tombstone)


class DeadLetter(Base):
    __tablename__ = "ingestion_dead_letters"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    department: Mapped[Department] = mapped_column(_department(), index=True)
    event_id: Mapped[str | None] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    error_code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    error_field: Mapped[str | None] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(16))
    # The event as received with every CPR-shaped value masked; the subject CPR encrypted beside it.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    subject_cpr_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)


class FamilyUpdateRecord(Base):
    """One announced family update (the pub/sub message as published); `id` is its resume cursor."""

    __tablename__ = "family_updates"
    __table_args__ = (Index("ix_family_updates_family_id_id", "family_id", "id"),)

    # 64-bit on PostgreSQL; SQLite autoincrements only an INTEGER primary key (which is 64-bit there).
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
