"""The hub's core tables: families, persons and their memberships and custody, users and who is assigned where.

Other concerns (consent, audit, plan, ingestion, enrolment) keep their tables in their own `models.py`, all on the
same `Base`. CPR numbers are stored only encrypted (`cpr_encrypted`) with a keyed hash for look-up (`cpr_hash`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import Department, District, FamilyStatus, MemberRole, Role
from hub.persistence.base import Base, UTCDateTime, new_id, utcnow


def _enum(enum_cls: type, name: str) -> Enum:
    # Stored as strings with a CHECK constraint: portable and readable on SQLite and PostgreSQL.
    return Enum(enum_cls, name=name, native_enum=False, length=32, validate_strings=True)


class Family(Base):
    __tablename__ = "families"
    # Lists filter by district or status and page in id order (keyset): (filter, id) serves both at once.
    __table_args__ = (
        Index("ix_families_district_id", "district", "id"),
        Index("ix_families_status_id", "status", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    district: Mapped[District] = mapped_column(_enum(District, "district"))
    housing_area: Mapped[str] = mapped_column(String(64))
    status: Mapped[FamilyStatus] = mapped_column(_enum(FamilyStatus, "family_status"))
    referral_source: Mapped[str] = mapped_column(String(120), default="")
    referred_on: Mapped[date] = mapped_column(Date)
    enrolled_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(Text)
    handed_over_to: Mapped[Department | None] = mapped_column(_enum(Department, "department"))
    # The family's display name for lists (the family name as the family uses it), not a CPR-derived value.
    display_name: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="family", lazy="raise")


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    cpr_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cpr_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    birth_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    """A person's membership of a family over time: leaving sets `left_on`, history stays."""

    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_family_current", "family_id", "left_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    member_role: Mapped[MemberRole] = mapped_column(_enum(MemberRole, "member_role"))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    leave_reason: Mapped[str | None] = mapped_column(Text)

    family: Mapped[Family] = relationship(back_populates="memberships", lazy="raise")
    person: Mapped[Person] = relationship(lazy="joined")


class Custody(Base):
    """Forældremyndighed: `holder` holds custody of `child` from `since` until `until` (None: still)."""

    __tablename__ = "custody"
    __table_args__ = (
        UniqueConstraint("child_id", "holder_id", "since", name="uq_custody_child_holder_since"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    child_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)


class User(Base):
    """A hub user. The role lives here, not in token claims: a token only says who, the hub says what."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # The `sub` claim of the user's OIDC tokens; for development tokens, the username.
    subject: Mapped[str] = mapped_column(String(255), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    department: Mapped[Department | None] = mapped_column(_enum(Department, "department"))
    unit: Mapped[str] = mapped_column(String(120), default="")
    person_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))  # CITIZEN
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamRole:
    COORDINATOR = "COORDINATOR"  # tovholder
    MAKKERPAR = "MAKKERPAR"  # one of the fixed pair of contact persons
    CORE_TEAM = "CORE_TEAM"  # another core-team worker on the family
    # Not a team role: the coordinator who closed the family keeps its record (the hub's own data, read-only:
    # status, plan, history) so it can be re-opened. No department data is shared on this basis.
    RECORD = "RECORD"


LIVE_TEAM_ROLES = frozenset({TeamRole.COORDINATOR, TeamRole.MAKKERPAR, TeamRole.CORE_TEAM})


class TeamAssignment(Base):
    """Who works with a family, in which team role, over time (`until` None: still assigned)."""

    __tablename__ = "team_assignments"
    __table_args__ = (
        Index("ix_team_assignments_user_current", "user_id", "until"),
        # Is this worker on this family now? Need-to-know's probe per listed family (hub/access/scope.py),
        # answered from the index alone (since/until included): a count over 5,000 families costs ~2 ms.
        Index("ix_team_assignments_family_user", "family_id", "user_id", "since", "until"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_role: Mapped[str] = mapped_column(String(32))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)


class CaseloadEntry(Base):
    """A department caseworker's own caseload: the persons whose case they hold in their department."""

    __tablename__ = "caseloads"
    __table_args__ = (UniqueConstraint("user_id", "person_id", name="uq_caseloads_user_person"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    department: Mapped[Department] = mapped_column(_enum(Department, "department"))
