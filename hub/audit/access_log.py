"""The citizen's own access log (GDPR art. 15, like sundhed.dk's Min Log): who used my data, when and why.

`citizen_subjects` decides whose entries a citizen may see: themself, and each child under 15 in their
current custody (from the day custody began). `access_log_page` lists, newest first, the entries about
those persons that record the municipality's use of them: granted reads, searches, exports and changes (the
citizen-facing and change chains). Left out: denied attempts (the security log: nothing was disclosed) and
actions by citizens themselves (a family member's own use, and the viewer's own reads of this log, which
are logged but not listed).

The page carries administration, unit, role, purpose and categories, never the staff member's name or
user id. A read under a worker's emergency access (break-the-glass, hub/access/breakglass) is marked
`emergency`; its purpose is shown as EMERGENCY_ACCESS (the grant id behind it stays in the log).
Never returns another person's entries: the subject filter is part of every query.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.events import AuditAction, AuditDecision, AuditKind
from hub.audit.models import entries_table
from hub.cpr import age_on
from hub.domain import Department, Role
from hub.errors import BadUserInput
from hub.persistence.models import Custody, Person

CHILD_AGE_LIMIT = 15  # from 15 a young person sees their own log, not their parents
LISTED_CHAINS = (AuditKind.CITIZEN_FACING, AuditKind.CHANGE)
EMERGENCY_PURPOSE = (
    "EMERGENCY_ACCESS"  # reads under a break-the-glass grant: f"{EMERGENCY_PURPOSE}:{grant id}"
)


@dataclass(frozen=True, slots=True)
class Subject:
    person_id: str
    since: datetime | None  # None: all of the person's entries (self); else from when custody began
    is_child: bool


@dataclass(frozen=True, slots=True)
class AccessEntry:
    chain: AuditKind
    seq: int
    occurred_at: datetime
    action: AuditAction
    subject_person_id: str
    about_child: bool
    source: str
    administration: Department | None
    unit: str
    role: Role | None
    purpose: str
    categories: tuple[str, ...]
    basis: str | None
    emergency: bool = False  # under a worker's emergency access (break-the-glass)

    @property
    def cursor(self) -> str:
        raw = f"access:{self.occurred_at.isoformat()}|{self.chain.value}|{self.seq}"
        return base64.urlsafe_b64encode(raw.encode()).decode()


@dataclass(frozen=True, slots=True)
class AccessLogPage:
    entries: tuple[AccessEntry, ...]
    has_next: bool
    total: int


async def citizen_subjects(session: AsyncSession, person_id: str, today: date) -> list[Subject]:
    """The citizen and the children under 15 they hold custody of today."""
    rows = await session.execute(
        select(Custody.child_id, Custody.since, Person.birth_date)
        .join(Person, Person.id == Custody.child_id)
        .where(
            Custody.holder_id == person_id,
            Custody.since <= today,
            or_(Custody.until.is_(None), Custody.until >= today),
        )
    )
    subjects = [Subject(person_id, None, is_child=False)]
    seen = {person_id}
    for child_id, since, birth_date in sorted(rows.all(), key=lambda r: (r[0], r[1])):
        if child_id in seen or age_on(birth_date, today) >= CHILD_AGE_LIMIT:
            continue
        seen.add(child_id)
        subjects.append(Subject(child_id, datetime.combine(since, time.min, tzinfo=UTC), is_child=True))
    return subjects


def decode_cursor(cursor: str) -> tuple[datetime, AuditKind, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        kind, _, rest = raw.partition(":")
        at, chain, seq = rest.split("|")
        if kind != "access":
            raise ValueError(kind)
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError(at)
        return parsed, AuditKind(chain), int(seq)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadUserInput("invalid cursor", field="after") from exc


def _subject_filter(subjects: list[Subject]) -> ColumnElement[bool]:
    e = entries_table.c
    clauses = [
        e.subject_person_id == s.person_id
        if s.since is None
        else and_(e.subject_person_id == s.person_id, e.occurred_at >= s.since)
        for s in subjects
    ]
    return or_(*clauses)


def _after(cursor: tuple[datetime, AuditKind, int]) -> ColumnElement[bool]:
    at, chain, seq = cursor
    e = entries_table.c
    # The order is (occurred_at DESC, chain ASC, seq DESC); "after" continues it.
    return or_(
        e.occurred_at < at,
        and_(e.occurred_at == at, or_(e.chain > chain, and_(e.chain == chain, e.seq < seq))),
    )


def _purpose(stored: str) -> str:
    return EMERGENCY_PURPOSE if stored.startswith(f"{EMERGENCY_PURPOSE}:") else stored


async def access_log_page(
    session: AsyncSession, subjects: list[Subject], *, first: int, after: str | None
) -> AccessLogPage:
    e = entries_table.c
    children = {s.person_id for s in subjects if s.is_child}
    where = [
        _subject_filter(subjects),
        e.chain.in_(LISTED_CHAINS),
        e.decision == AuditDecision.GRANTED,
        or_(e.actor_role.is_(None), e.actor_role != Role.CITIZEN),
    ]
    total = int(await session.scalar(select(func.count()).select_from(entries_table).where(*where)) or 0)
    if after:
        where.append(_after(decode_cursor(after)))
    rows = (
        await session.execute(
            select(entries_table)
            .where(*where)
            .order_by(e.occurred_at.desc(), e.chain.asc(), e.seq.desc())
            .limit(first + 1)
        )
    ).mappings()
    found = list(rows)
    entries = tuple(
        AccessEntry(
            chain=AuditKind(row["chain"]),
            seq=int(row["seq"]),
            occurred_at=row["occurred_at"],
            action=AuditAction(row["action"]),
            subject_person_id=str(row["subject_person_id"]),
            about_child=row["subject_person_id"] in children,
            source=row["source"],
            administration=row["actor_department"],
            unit=row["actor_unit"],
            role=row["actor_role"],
            purpose=_purpose(row["purpose"]),
            categories=tuple(row["categories"]),
            basis=row["basis"],
            emergency=_purpose(row["purpose"]) == EMERGENCY_PURPOSE,
        )
        for row in found[:first]
    )
    return AccessLogPage(entries, has_next=len(found) > first, total=total)
