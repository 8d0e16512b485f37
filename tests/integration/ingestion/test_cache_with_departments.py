"""The cache against the real mock departments: hits cost no department call (counted on /_admin/stats),
a department that is down is answered with the last known data marked STALE, and a consent withdrawal purges."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import select

from connectors.base import Deadline
from hub.auth.principal import Principal
from hub.consent.models import Consent, ConsentDepartment
from hub.consent.service import ConsentService
from hub.consent.vocabulary import Channel, ConsentStatus
from hub.domain import Department
from hub.family import repository
from hub.family.gate import Gate, SectionDecision, Verdict
from hub.family.model import MemberInfo
from hub.family.sections import SectionService, SectionStatus
from hub.ingestion.cache import SectionCache, read_many
from hub.ingestion.webhook import signed_headers
from hub.persistence.models import User
from tests.support.stack import Stack

SOF = Department.SOF


class AllowAll(Gate):
    async def decide_many(
        self, members: Any, departments: Any
    ) -> dict[tuple[str, Department], SectionDecision]:
        for m in members:
            for d in departments:
                self._decisions.setdefault((m.person_id, d), SectionDecision(Verdict.ALLOW, "test_allows"))
        return self._decisions


async def _push(stack: Stack, department: Department, cpr: str, version: int) -> None:
    event = {
        "eventId": f"c-{uuid.uuid4().hex}",
        "department": department.value,
        "subjectCpr": cpr,
        "recordKind": "person",
        "recordId": f"{department.value}-{stack.seeded.person_ids[cpr]}",
        "version": version,
        "occurredAt": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(),
        "record": stack.world.department_records[department][cpr],
    }
    body = orjson.dumps({"events": [event]})
    response = await stack.client.post(
        f"/webhooks/{department.value}",
        content=body,
        headers=signed_headers(stack.settings.webhook_secret(department), body),
    )
    assert response.json()["results"][0]["status"] == "APPLIED", response.text


async def _members(stack: Stack, cprs: list[str]) -> list[MemberInfo]:
    async with stack.services.sessions() as session:
        found = await repository.get_members(
            session, stack.services.vault, [stack.seeded.person_ids[c] for c in cprs]
        )
    return [found[stack.seeded.person_ids[c]] for c in cprs]


async def _sections(stack: Stack, members: list[MemberInfo], department: Department) -> list[Any]:
    cache: SectionCache = stack.services.extras["section_cache"]
    service = SectionService(
        AllowAll(None),
        stack.services.connectors,
        deadline=Deadline.after(3),
        now=stack.services.clock(),
        cache=cache,
    )
    await service.prepare(members, [department])
    out = [await service.section(m, department) for m in members]
    await cache.drain()
    return out


async def _department_calls(stack: Stack, department: Department) -> int:
    stats = await stack.stats()
    return int(stats[department]["total_requests"])


async def test_pushed_data_is_served_without_a_department_call(stack: Stack) -> None:
    cprs = sorted(stack.world.department_records[SOF])[:3]
    for cpr in cprs:
        await _push(stack, SOF, cpr, 1)
    await stack.reset_stats()
    sections = await _sections(stack, await _members(stack, cprs), SOF)
    assert [s.status for s in sections] == [SectionStatus.OK] * 3
    assert await _department_calls(stack, SOF) == 0


async def test_a_miss_is_fetched_once_then_served_from_the_cache(stack: Stack) -> None:
    cprs = sorted(stack.world.department_records[SOF])[3:6]
    members = await _members(stack, cprs)
    await stack.reset_stats()
    first = await _sections(stack, members, SOF)
    assert await _department_calls(stack, SOF) == 1  # one batched call for the three members
    second = await _sections(stack, members, SOF)
    assert await _department_calls(stack, SOF) == 1
    assert [s.status for s in second] == [s.status for s in first] == [SectionStatus.OK] * 3


async def _pushed_an_hour_ago(stack: Stack, cpr: str) -> datetime:
    """Push `cpr`'s SOF record and age the cached copy past the TTL, as if pushed an hour ago."""
    await _push(stack, SOF, cpr, 1)
    person_id = stack.seeded.person_ids[cpr]
    async with stack.services.sessions() as session, session.begin():
        row = (await read_many(session, SOF, [person_id]))[person_id]
        from hub.ingestion.models import CachedSection

        cached = await session.get(CachedSection, (person_id, SOF))
        assert cached is not None
        cached.fetched_at = row.fetched_at - timedelta(hours=1)
    # This process kept the pushed copy at commit (dated now): start it over, as a process that only heard
    # of the push would, so it reads the aged row.
    stack.services.extras["section_cache"].memory.clear()
    return row.fetched_at - timedelta(hours=1)


async def test_stale_if_error_when_the_department_is_down(stack: Stack) -> None:
    cpr = sorted(stack.world.department_records[SOF])[0]
    aged = await _pushed_an_hour_ago(stack, cpr)
    await stack.set_faults(SOF, error_rate=1.0, error_status=503)
    try:
        (section,) = await _sections(stack, await _members(stack, [cpr]), SOF)
    finally:
        await stack.clear_faults()
    assert section.status is SectionStatus.STALE
    assert section.stale
    assert section.record is not None
    assert section.fetched_at == aged


async def test_stale_data_past_the_departments_maximum_age_is_unavailable(stack: Stack) -> None:
    """HUB_STALE_MAX_AGE_BY_DEPARTMENT: SOF serves last known data for 30 minutes at most; the hour-old copy is
    not served while SOF is down (UNAVAILABLE, not STALE), and is served again once SOF answers."""
    cpr = sorted(stack.world.department_records[SOF])[1]
    await _pushed_an_hour_ago(stack, cpr)
    cache: SectionCache = stack.services.extras["section_cache"]
    assert cache.max_stale_s is not None
    assert cache.max_stale_s(SOF) == stack.settings.stale_max_age_s == 24 * 3600  # wired from the settings
    limited = stack.settings.model_copy(update={"stale_max_age_by_department": {SOF: 1800}})
    assert limited.stale_max_age(SOF) == 1800
    assert limited.stale_max_age(Department.BIF) == 24 * 3600
    default = cache.max_stale_s
    cache.max_stale_s = limited.stale_max_age
    await stack.set_faults(SOF, error_rate=1.0, error_status=503)
    await stack.reset_stats()
    try:
        (section,) = await _sections(stack, await _members(stack, [cpr]), SOF)
    finally:
        await stack.clear_faults()
        cache.max_stale_s = default
    assert await _department_calls(stack, SOF) >= 1  # it was asked, and failed
    assert section.status is SectionStatus.UNAVAILABLE
    assert section.record is None
    assert not section.stale
    (fresh,) = await _sections(stack, await _members(stack, [cpr]), SOF)
    assert fresh.status is SectionStatus.OK


async def test_withdrawing_consent_purges_the_cached_data_at_once(stack: Stack) -> None:
    cprs = {pid: cpr for cpr, pid in stack.seeded.person_ids.items()}
    async with stack.services.sessions() as session:
        rows = (
            await session.execute(
                select(Consent, ConsentDepartment.department)
                .join(ConsentDepartment, ConsentDepartment.consent_id == Consent.id)
                .where(Consent.status == ConsentStatus.ACTIVE)
                .order_by(Consent.id)
            )
        ).all()
        coordinator = await session.scalar(select(User).where(User.username == "tovholder"))
    assert coordinator is not None
    # A consent whose subject the department knows, so the pushed record is really theirs.
    today = stack.services.clock().date()
    consent, department = next(
        (c, d)
        for c, d in rows
        if c.valid_from <= today <= c.valid_until
        and cprs.get(c.subject_id) in stack.world.department_records[d]
    )
    cpr = cprs[consent.subject_id]
    await _push(stack, department, cpr, 1)
    async with stack.services.sessions() as session:
        assert await read_many(session, department, [consent.subject_id])
    cache: SectionCache = stack.services.extras["section_cache"]
    await _sections(stack, await _members(stack, [cpr]), department)  # now held in the process's LRU too
    assert cache.memory.get((consent.subject_id, department)) is not None
    principal = Principal(
        user_id=coordinator.id,
        username=coordinator.username,
        role=coordinator.role,
        department=coordinator.department,
    )
    await ConsentService(stack.services.sessions, stack.services.clock).withdraw_consent(
        principal, consent.id, Channel.DIGITAL
    )
    async with stack.services.sessions() as session:
        assert await read_many(session, department, [consent.subject_id]) == {}
    assert cache.memory.get((consent.subject_id, department)) is None
