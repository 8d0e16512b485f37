"""Tables owned by hub.audit: the append-only entry chains, their heads, and the purge checkpoints.

Each `AuditKind` is its own hash chain (`chain`, gapless `seq` from 1). `audit_heads` holds one row per chain
(the last seq and hash): appends lock it, which serialises writers, and verification compares it with the last
entry, so deleting the tail is detected. `audit_checkpoints` remembers, per purge, the hash of the last purged
entry, so the remainder of a purged chain still verifies.

No CPR number is ever stored here: persons are referred to by their hub id. No foreign keys: the log must
outlive the users and persons it mentions, and it must never be changed by a cascade.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import JSON, BigInteger, Enum, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from hub.audit.events import AuditAction, AuditDecision, AuditKind
from hub.domain import Department, Role
from hub.persistence.base import Base, UTCDateTime

GENESIS_HASH = "0" * 64


def _enum(enum_cls: type, name: str) -> Enum:
    return Enum(enum_cls, name=name, native_enum=False, length=32, validate_strings=True)


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_subject_occurred", "subject_person_id", "occurred_at"),
        Index("ix_audit_entries_chain_recorded", "chain", "recorded_at"),
    )

    chain: Mapped[AuditKind] = mapped_column(_enum(AuditKind, "audit_kind"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[AuditAction] = mapped_column(_enum(AuditAction, "audit_action"))
    decision: Mapped[AuditDecision] = mapped_column(_enum(AuditDecision, "audit_decision"))
    reason: Mapped[str] = mapped_column(String(64))
    actor_user_id: Mapped[str | None] = mapped_column(String(36))
    actor_role: Mapped[Role | None] = mapped_column(_enum(Role, "role"))
    actor_department: Mapped[Department | None] = mapped_column(_enum(Department, "department"))
    actor_unit: Mapped[str] = mapped_column(String(120))
    client: Mapped[str] = mapped_column(String(32))
    subject_person_id: Mapped[str | None] = mapped_column(String(36))
    family_id: Mapped[str | None] = mapped_column(String(36))
    source: Mapped[str] = mapped_column(String(32))
    categories: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(64))
    basis: Mapped[str | None] = mapped_column(String(120))
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_heads"

    chain: Mapped[AuditKind] = mapped_column(_enum(AuditKind, "audit_kind"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditCheckpoint(Base):
    """A purge: entries of `chain` up to `cut_seq` (included) were deleted; `cut_hash` is the last one's."""

    __tablename__ = "audit_checkpoints"

    chain: Mapped[AuditKind] = mapped_column(_enum(AuditKind, "audit_kind"), primary_key=True)
    cut_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    cut_hash: Mapped[str] = mapped_column(String(64))
    cutoff: Mapped[datetime] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    purged_count: Mapped[int] = mapped_column(Integer)


# The Core tables, for bulk statements that need no ORM identity bookkeeping.
entries_table = cast(Table, AuditEntry.__table__)
heads_table = cast(Table, AuditHead.__table__)
checkpoints_table = cast(Table, AuditCheckpoint.__table__)
