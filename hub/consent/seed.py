"""Demo consents for `hub seed`: a deterministic mix of states so the family view shows every case.

Registered after the users seeder (it needs `ctx.users`). For the enrolled (ACTIVE) families: most members
have an active consent for all five departments, some with HEALTH named; some lack one department; some have
withdrawn theirs; a few never consented; one consent has expired, one ends within 30 days and one was superseded at review; one child
has a statutory basis (a report of concern) for SOF. Referred and waitlisted families have no consent yet.
Every consent passes the recording rules (hub/consent/rules.py) at its recording date, so grantors follow
the custody rules. The variant of a member is a hash of its world key: the same world gives the same mix.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub.consent.models import (
    Consent,
    ConsentCategory,
    ConsentDepartment,
    ConsentGrantor,
    StatutoryBasis,
    StatutoryBasisCategory,
    StatutoryBasisDepartment,
)
from hub.consent.rules import ConsentRequest, SubjectForRules, ValidConsent, add_months, validate_consent
from hub.consent.vocabulary import Channel, ConsentStatus
from hub.cpr import age_on
from hub.days import LOCAL_TZ
from hub.domain import DataCategory, Department, FamilyStatus
from hub.errors import BadUserInput
from hub.seed_context import SeedContext
from hub.world import WorldFamily, WorldPerson

RECORDED_BY = "tovholder"
CHANNELS = (Channel.DIGITAL, Channel.PAPER, Channel.VERBAL_JOURNALISED)
CHILD_VIEW = "Barnet er hørt og er indforstået med samarbejdet."
# Which department a member's consent leaves out, for the members that leave one out (by hash).
LEFT_OUT = (Department.SUF, Department.BIF, Department.SOF, Department.BUF, Department.KFF)


@dataclass
class _Rows:
    consents: list[dict[str, object]]
    grantors: list[dict[str, object]]
    departments: list[dict[str, object]]
    categories: list[dict[str, object]]


def _bucket(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=LOCAL_TZ).astimezone(UTC)


async def seed_consents(session: AsyncSession, ctx: SeedContext) -> None:
    recorder = ctx.users.get(RECORDED_BY)
    if recorder is None:  # pragma: no cover - the users seeder always runs first
        raise RuntimeError("the consent seeder needs the users seeder's coordinator")
    rows = _Rows([], [], [], [])
    enrolled = [f for f in ctx.world.families if f.status is FamilyStatus.ACTIVE]
    for index, family in enumerate(enrolled):
        for position, member in enumerate(family.members):
            _member(rows, ctx, recorder, family, member, special=_special(index, position))
    # A superseded consent refers to its replacement: insert the replacements first.
    consents = sorted(rows.consents, key=lambda row: row["superseded_by"] is not None)
    for table, values in (
        (Consent, consents),
        (ConsentGrantor, rows.grantors),
        (ConsentDepartment, rows.departments),
        (ConsentCategory, rows.categories),
    ):
        for start in range(0, len(values), 2000):
            await session.execute(insert(table), values[start : start + 2000])
    await _statutory(session, ctx, recorder, enrolled)


def _special(family_index: int, position: int) -> str | None:
    # The first enrolled family shows the rarer states on fixed members, so the demo always has them.
    if family_index == 0 and position == 0:
        return "expired"
    if family_index == 0 and position == 1:
        return "superseded"
    if family_index == 1 and position == 0:
        return "expiring"  # ends within 30 days: the demo's CONSENT_EXPIRING signal (hub/signals)
    return None


def _member(
    rows: _Rows,
    ctx: SeedContext,
    recorder: str,
    family: WorldFamily,
    member: WorldPerson,
    *,
    special: str | None,
) -> None:
    bucket = _bucket(member.key)
    if special is None and 17 <= bucket < 20:
        return  # never consented
    departments = set(Department)
    if special is None and bucket < 12:
        departments.discard(LEFT_OUT[bucket % len(LEFT_OUT)])
    categories = {DataCategory.CASE} | ({DataCategory.HEALTH} if bucket % 3 == 0 else set())
    recorded_on = ctx.today - timedelta(days=30 + bucket * 2)
    if special == "expired":
        recorded_on = ctx.today - timedelta(days=420)
    if special == "expiring":
        recorded_on = ctx.today - timedelta(days=350)
    first = _consent(
        rows,
        ctx,
        member,
        recorder=recorder,
        family=family,
        consent_id=f"C-{member.key}-1",
        recorded_on=recorded_on,
        departments=frozenset(departments),
        categories=frozenset(categories),
        bucket=bucket,
    )
    if first is None:
        return
    if special == "expired":
        return  # its 12 months ran out; nobody has re-consented yet
    if special == "superseded":
        # Re-consent at review: narrower (no KFF) and with HEALTH named.
        renewed_on = ctx.today - timedelta(days=10)
        second = _consent(
            rows,
            ctx,
            member,
            recorder=recorder,
            family=family,
            consent_id=f"C-{member.key}-2",
            recorded_on=renewed_on,
            departments=frozenset(set(Department) - {Department.KFF}),
            categories=frozenset({DataCategory.CASE, DataCategory.HEALTH}),
            bucket=bucket,
        )
        if second is not None:
            first.update(
                status=ConsentStatus.SUPERSEDED, superseded_by=second["id"], superseded_at=_at(renewed_on)
            )
        return
    if 12 <= bucket < 17:
        withdrawn_on = ctx.today - timedelta(days=5 + bucket)
        first.update(
            status=ConsentStatus.WITHDRAWN,
            withdrawn_at=_at(withdrawn_on),
            withdrawn_by_user_id=recorder,
            withdrawn_by_person_id=next(iter(_grantor_ids(rows, str(first["id"])))),
            withdrawal_channel=Channel.VERBAL_JOURNALISED,
        )


def _grantor_ids(rows: _Rows, consent_id: str) -> list[str]:
    return [str(g["person_id"]) for g in rows.grantors if g["consent_id"] == consent_id]


def _consent(
    rows: _Rows,
    ctx: SeedContext,
    member: WorldPerson,
    *,
    recorder: str,
    family: WorldFamily,
    consent_id: str,
    recorded_on: date,
    departments: frozenset[Department],
    categories: frozenset[DataCategory],
    bucket: int,
) -> dict[str, object] | None:
    subject_id = ctx.person_ids[member.cpr]
    holders = frozenset(ctx.person_ids[c] for c in member.custody_holders if c in ctx.person_ids)
    subject = SubjectForRules(subject_id, member.birth_date, holders)
    age = age_on(member.birth_date, recorded_on)
    grantors = (subject_id,) if age >= 15 else tuple(sorted(holders))
    request = ConsentRequest(
        subject_id=subject_id,
        grantor_ids=grantors,
        departments=departments,
        categories=categories,
        collected_via=CHANNELS[bucket % len(CHANNELS)],
        evidence_ref=f"HFI-{family.key}-{recorded_on:%Y%m%d}-{bucket:02d}",
        valid_from=recorded_on,
        child_view=CHILD_VIEW if 10 <= age < 15 else None,
    )
    try:
        valid: ValidConsent = validate_consent(request, subject, recorded_on)
    except BadUserInput:
        return None  # e.g. a child whose custody holders are not in the programme: no lawful grantor here
    row: dict[str, object] = {
        "id": consent_id,
        "subject_id": subject_id,
        "family_id": ctx.family_ids[family.key],
        "purpose": request.purpose,
        "valid_from": valid.valid_from,
        "valid_until": valid.valid_until,
        "collected_via": request.collected_via,
        "collected_by": recorder,
        "evidence_ref": valid.evidence_ref,
        "child_view": valid.child_view,
        "status": ConsentStatus.ACTIVE,
        "recorded_at": _at(recorded_on),
        "withdrawn_at": None,
        "withdrawn_by_user_id": None,
        "withdrawn_by_person_id": None,
        "withdrawal_channel": None,
        "superseded_by": None,
        "superseded_at": None,
    }
    rows.consents.append(row)
    for number, (person_id, capacity) in enumerate(valid.grantors):
        rows.grantors.append(
            {
                "id": f"{consent_id}-G{number}",
                "consent_id": consent_id,
                "person_id": person_id,
                "capacity": capacity,
            }
        )
    rows.departments.extend({"consent_id": consent_id, "department": d} for d in sorted(departments))
    rows.categories.extend({"consent_id": consent_id, "category": c} for c in sorted(categories))
    return row


async def _statutory(
    session: AsyncSession, ctx: SeedContext, recorder: str, enrolled: list[WorldFamily]
) -> None:
    """One report of concern: the first child of an enrolled family whose consent was withdrawn, else any."""
    children = [
        (family, m) for family in enrolled for m in family.members if age_on(m.birth_date, ctx.today) < 18
    ]
    if not children:
        return
    withdrawn = [(f, m) for f, m in children if 12 <= _bucket(m.key) < 17]
    family, child = (withdrawn or children)[0]
    basis_id = f"SB-{child.key}-1"
    start = ctx.today - timedelta(days=20)
    await session.execute(
        insert(StatutoryBasis),
        [
            {
                "id": basis_id,
                "subject_id": ctx.person_ids[child.cpr],
                "family_id": ctx.family_ids[family.key],
                "statute_reference": "Barnets lov § 133 (underretning)",
                "case_reference": f"SOF-{start:%Y}-{_bucket(child.key):04d}",
                "valid_from": start,
                "valid_until": add_months(start, 6),
                "recorded_by": recorder,
                "recorded_at": _at(start),
            }
        ],
    )
    await session.execute(
        insert(StatutoryBasisDepartment), [{"basis_id": basis_id, "department": Department.SOF}]
    )
    await session.execute(
        insert(StatutoryBasisCategory), [{"basis_id": basis_id, "category": DataCategory.CASE}]
    )
