"""Tables owned by hub.consent: the consent registry and the separate register of statutory bases.

A consent is per family member (the subject) and lifts confidentiality towards the family's core team for one
purpose, for the departments and data categories it names, for a period. Statutory bases (e.g. a report of
concern) are a separate legal basis in their own tables: the citizen cannot withdraw them and only workers
see them. Rows are evidence: nothing here is ever deleted by the hub; withdrawal and supersession are state
changes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.consent.vocabulary import Channel, ConsentStatus, GrantorCapacity, Purpose
from hub.domain import DataCategory, Department
from hub.persistence.base import Base, UTCDateTime, new_id, utcnow


def _enum(enum_cls: type, name: str) -> Enum:
    # Strings with a CHECK constraint, as in the core tables: portable and readable on SQLite and PostgreSQL.
    return Enum(enum_cls, name=name, native_enum=False, length=32, validate_strings=True)


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_family_subject", "family_id", "subject_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    # The family whose core team the consent is towards (a member who moves family needs a new consent).
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id"))
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose, "consent_purpose"))
    valid_from: Mapped[date] = mapped_column(Date)  # first day in force (Copenhagen calendar)
    valid_until: Mapped[date] = mapped_column(Date)  # last day in force, inclusive
    collected_via: Mapped[Channel] = mapped_column(_enum(Channel, "consent_channel"))
    collected_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    evidence_ref: Mapped[str] = mapped_column(String(200))  # journal or document number, never the content
    child_view: Mapped[str | None] = mapped_column(Text)  # the child's own view (10–14), as journalised
    status: Mapped[ConsentStatus] = mapped_column(_enum(ConsentStatus, "consent_status"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_by_person_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id"))
    withdrawal_channel: Mapped[Channel | None] = mapped_column(_enum(Channel, "consent_channel"))
    # Why the hub ended it, when not at the citizen's request: "FAMILY_CLOSED" (the course ended).
    withdrawal_reason: Mapped[str | None] = mapped_column(String(32))
    superseded_by: Mapped[str | None] = mapped_column(ForeignKey("consents.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grantors: Mapped[list[ConsentGrantor]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ConsentGrantor.person_id"
    )
    departments: Mapped[list[ConsentDepartment]] = relationship(lazy="raise", cascade="all, delete-orphan")
    categories: Mapped[list[ConsentCategory]] = relationship(lazy="raise", cascade="all, delete-orphan")


class ConsentGrantor(Base):
    __tablename__ = "consent_grantors"
    __table_args__ = (UniqueConstraint("consent_id", "person_id", name="uq_consent_grantors_consent_person"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"))
    capacity: Mapped[GrantorCapacity] = mapped_column(_enum(GrantorCapacity, "grantor_capacity"))


class ConsentDepartment(Base):
    __tablename__ = "consent_departments"

    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True)
    department: Mapped[Department] = mapped_column(_enum(Department, "department"), primary_key=True)


class ConsentCategory(Base):
    __tablename__ = "consent_categories"

    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[DataCategory] = mapped_column(_enum(DataCategory, "data_category"), primary_key=True)


class StatutoryBasis(Base):
    """A legal duty or power to exchange data (e.g. a report of concern), independent of consent."""

    __tablename__ = "statutory_bases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id"), index=True)
    statute_reference: Mapped[str] = mapped_column(String(200))  # e.g. "Barnets lov § 133"
    case_reference: Mapped[str] = mapped_column(String(200))  # the journal number it was decided under
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)  # inclusive
    recorded_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Ended before `valid_until` (the duty ended, the case was closed): when, by whom, why. The period stays
    # as recorded; the basis is not in force from `ended_at` on.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(Text)

    departments: Mapped[list[StatutoryBasisDepartment]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )
    categories: Mapped[list[StatutoryBasisCategory]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )


class StatutoryBasisDepartment(Base):
    __tablename__ = "statutory_basis_departments"

    basis_id: Mapped[str] = mapped_column(
        ForeignKey("statutory_bases.id", ondelete="CASCADE"), primary_key=True
    )
    department: Mapped[Department] = mapped_column(_enum(Department, "department"), primary_key=True)


class StatutoryBasisCategory(Base):
    __tablename__ = "statutory_basis_categories"

    basis_id: Mapped[str] = mapped_column(
        ForeignKey("statutory_bases.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[DataCategory] = mapped_column(_enum(DataCategory, "data_category"), primary_key=True)
