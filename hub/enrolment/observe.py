"""Observing members' outcome indicators now: the consent basis first, then one batched call per department.

Used for the snapshot at enrolment and for "now" in the steering report, with the same rule both times so the
two compare like with like: a member's department data is used only where a consent for HFI coordination
(or a statutory basis) covers that department today, decided by the consent engineer's pure policy
(hub/consent/policy.py) over facts loaded once for all members. Members without a basis are never sent to
the department. Data comes through the hub's section cache when it is installed (fresh cache, else the
department, else stale cache if the department is down), otherwise straight from the connectors.

Every use is reported through `on_read(member, department, basis)` so the caller can audit it. Never logs
data, never raises for a department failure (that is a gap: `Gap.UNAVAILABLE`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import ConnectorError, Deadline, DepartmentConnector, LookupResult
from hub.consent.facts import load_bases
from hub.consent.guard import subject_facts
from hub.consent.policy import resolve_consents, statutory_basis_for
from hub.consent.vocabulary import EffectiveState, Purpose
from hub.cpr import age_on
from hub.domain import DataCategory, Department
from hub.enrolment.indicators import DEPARTMENTS, SOURCE, Gap, Observation, applies, observe_member
from hub.family.model import MemberInfo
from hub.ingestion.cache import SectionCache

ReadHook = Callable[[MemberInfo, Department, str], None]


@dataclass(frozen=True, slots=True)
class Sources:
    """Where department data comes from: the connectors, and the hub's section cache when installed."""

    sessions: async_sessionmaker[AsyncSession]
    connectors: Mapping[Department, DepartmentConnector]
    cache: SectionCache | None = None


async def consent_bases(
    sessions: async_sessionmaker[AsyncSession],
    members: Sequence[MemberInfo],
    departments: Collection[Department],
    now: datetime,
) -> dict[tuple[str, Department], str]:
    """(person id, department) -> the consent or statutory basis id allowing its CASE data, where one does."""
    if not members:
        return {}
    async with sessions() as session:
        bases = await load_bases(session, [m.person_id for m in members], include_statutory=True)
    out: dict[tuple[str, Department], str] = {}
    for member in members:
        subject = subject_facts(member)
        facts = bases.get(member.person_id)
        for department in departments:
            resolution = resolve_consents(
                subject, department, DataCategory.CASE, Purpose.HFI_COORDINATION, now, facts.consents
            )
            if resolution.state is EffectiveState.ACTIVE and resolution.consent is not None:
                out[(member.person_id, department)] = resolution.consent.id
                continue
            statute = statutory_basis_for(subject, department, DataCategory.CASE, now, facts.statutory)
            if statute is not None:
                out[(member.person_id, department)] = statute.id
    return out


async def fetch_department(
    sources: Sources,
    department: Department,
    members: Sequence[MemberInfo],
    *,
    deadline: Deadline,
    now: datetime,
    use_cache: bool = True,
) -> dict[str, LookupResult | Gap]:
    """person id -> what the department answered (or UNAVAILABLE) for these members, in one batched call."""
    if not members:
        return {}
    connector = sources.connectors[department]
    cprs = [m.cpr for m in members]
    by_cpr = {m.cpr: m.person_id for m in members}
    out: dict[str, LookupResult | Gap] = {}
    if use_cache and sources.cache is not None:
        answers = await sources.cache.answers(connector, cprs, by_cpr, deadline=deadline, now=now)
        for member, answer in zip(members, answers, strict=True):
            out[member.person_id] = Gap.UNAVAILABLE if isinstance(answer, BaseException) else answer.result
        return out
    try:
        results = await connector.fetch_many(cprs, deadline=deadline)
    except ConnectorError:
        return {m.person_id: Gap.UNAVAILABLE for m in members}
    for member in members:
        result = results.get(member.cpr)
        out[member.person_id] = Gap.UNAVAILABLE if result is None else result
    return out


async def observe(
    sources: Sources,
    members: Sequence[MemberInfo],
    *,
    today: date,
    now: datetime,
    deadline: Deadline,
    on_read: ReadHook | None = None,
) -> dict[str, Observation]:
    """person id -> the member's indicators now (a gap where there is no basis or no answer)."""
    if not members:
        return {}
    bases = await consent_bases(sources.sessions, members, DEPARTMENTS, now)
    allowed = {
        d: [m for m in members if (m.person_id, d) in bases and _needed(m, d, today)] for d in DEPARTMENTS
    }
    if on_read is not None:
        for department, asked in allowed.items():
            for member in asked:
                on_read(member, department, bases[(member.person_id, department)])
    fetched = await asyncio.gather(
        *(fetch_department(sources, d, allowed[d], deadline=deadline, now=now) for d in DEPARTMENTS)
    )
    answers_by_department = dict(zip(DEPARTMENTS, fetched, strict=True))
    out: dict[str, Observation] = {}
    for member in members:
        answers: dict[Department, LookupResult | Gap] = {}
        for department in DEPARTMENTS:
            got = answers_by_department[department].get(member.person_id)
            answers[department] = Gap.NO_BASIS if got is None else got
        out[member.person_id] = observe_member(age_on(member.birth_date, today), answers)
    return out


def _needed(member: MemberInfo, department: Department, today: date) -> bool:
    """Ask a department only about members one of its indicators applies to (data minimisation)."""
    age = age_on(member.birth_date, today)
    return any(applies(i, age) for i, d in SOURCE.items() if d is department)
