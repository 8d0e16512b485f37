"""The ingestion service: idempotency, per-record order, dead letters, department scope, audit, pub/sub."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ingestion_support import VAULT, Clock, Seeded, event, service, system
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.events import AuditAction, AuditDecision, AuditEvent
from hub.domain import Department, Role
from hub.errors import BadUserInput, Forbidden
from hub.ingestion import cache as cache_module
from hub.ingestion import service as service_module
from hub.ingestion.cache import SOURCE_PURGED
from hub.ingestion.codec import from_json
from hub.ingestion.events import EventStatus
from hub.ingestion.feed import family_channel
from hub.ingestion.models import CachedSection, DeadLetter, IngestedEvent
from hub.pubsub import InProcessPubSub

SOF = Department.SOF


async def _count(sessions: async_sessionmaker[AsyncSession], model: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _cache_row(
    sessions: async_sessionmaker[AsyncSession], person_id: str, department: Department
) -> CachedSection | None:
    async with sessions() as session:
        row = await session.get(CachedSection, (person_id, department))
    # A purge leaves a tombstone row that holds no data: as far as readers go, nothing is cached.
    return None if row is None or row.source == SOURCE_PURGED else row


async def test_push_applies_and_caches_the_typed_record(sessions, seeded: Seeded) -> None:
    cpr = seeded.registered(SOF)[0]
    results = await service(sessions).push(system(SOF), [event(seeded, SOF, cpr, version=1)])
    assert [r.status for r in results] == [EventStatus.APPLIED]
    row = await _cache_row(sessions, seeded.person_ids[cpr], SOF)
    assert row is not None
    assert row.version == 1
    assert row.source == "PUSH"
    record = from_json(row.record or {})
    assert record.department_id == seeded.world.department_records[SOF][cpr]["sagsnummer"]
    assert cpr not in json.dumps(row.record)  # the typed form holds no CPR number


async def test_replay_stores_nothing_new_and_answers_as_the_first_time(sessions, seeded: Seeded) -> None:
    svc = service(sessions)
    cpr = seeded.registered(SOF)[0]
    good = event(seeded, SOF, cpr, version=3, event_id="sof-1")
    bad = {**event(seeded, SOF, cpr, version=4, event_id="sof-2"), "record": {"sagsnummer": 7}}
    first = await svc.push(system(SOF), [good, bad])
    counts = (await _count(sessions, IngestedEvent), await _count(sessions, DeadLetter))
    again = await svc.push(system(SOF), [good, bad])
    assert again == first
    assert first[0].status is EventStatus.APPLIED
    assert first[1].status is EventStatus.REJECTED
    assert (await _count(sessions, IngestedEvent), await _count(sessions, DeadLetter)) == counts
    # The same id twice within one batch is a replay too.
    dup = await svc.push(system(SOF), [event(seeded, SOF, cpr, version=9, event_id="sof-3")] * 2)
    assert dup[0] == dup[1]
    assert dup[0].status is EventStatus.APPLIED


async def test_an_older_version_never_overwrites_a_newer_one(sessions, seeded: Seeded) -> None:
    svc = service(sessions)
    cpr = seeded.registered(SOF)[0]
    newer = dict(seeded.world.department_records[SOF][cpr], antalAabneSager=5)
    older = dict(seeded.world.department_records[SOF][cpr], antalAabneSager=1)
    r2 = await svc.push(system(SOF), [event(seeded, SOF, cpr, version=2, record=newer)])
    r1 = await svc.push(system(SOF), [event(seeded, SOF, cpr, version=1, record=older)])
    same = await svc.push(system(SOF), [event(seeded, SOF, cpr, version=2, record=older)])
    assert [r2[0].status, r1[0].status, same[0].status] == [
        EventStatus.APPLIED,
        EventStatus.SUPERSEDED,
        EventStatus.SUPERSEDED,
    ]
    row = await _cache_row(sessions, seeded.person_ids[cpr], SOF)
    assert row is not None
    assert row.version == 2
    assert from_json(row.record or {}).open_cases == 5
    # Superseded events are still kept (durable), just not applied.
    assert await _count(sessions, IngestedEvent) == 3


async def test_order_within_one_batch_does_not_matter(sessions, seeded: Seeded) -> None:
    cpr = seeded.registered(SOF)[0]
    base = seeded.world.department_records[SOF][cpr]
    batch = [event(seeded, SOF, cpr, version=v, record=dict(base, antalAabneSager=v)) for v in (3, 1, 4, 2)]
    results = await service(sessions).push(system(SOF), batch)
    assert [r.status for r in results] == [
        EventStatus.APPLIED,
        EventStatus.SUPERSEDED,
        EventStatus.APPLIED,
        EventStatus.SUPERSEDED,
    ]
    row = await _cache_row(sessions, seeded.person_ids[cpr], SOF)
    assert row is not None
    assert row.version == 4
    assert from_json(row.record or {}).open_cases == 4


async def test_a_bad_event_is_dead_lettered_and_the_rest_of_the_batch_lands(sessions, seeded: Seeded) -> None:
    cprs = seeded.registered(SOF)[:2]
    unknown_cpr = "0101901234"
    batch: list[Any] = [
        event(seeded, SOF, cprs[0], version=1),
        {**event(seeded, SOF, cprs[1], version=1), "occurredAt": "yesterday"},
        {**event(seeded, SOF, cprs[1], version=1), "record": {"cpr": cprs[1], "sagsnummer": "X"}},
        {**event(seeded, SOF, cprs[0], version=1), "subjectCpr": unknown_cpr, "eventId": "unknown-1"},
        "not an object",
        event(seeded, SOF, cprs[1], version=2),
    ]
    results = await service(sessions).push(system(SOF), batch)
    assert [r.status for r in results] == [
        EventStatus.APPLIED,
        EventStatus.REJECTED,
        EventStatus.REJECTED,
        EventStatus.REJECTED,
        EventStatus.REJECTED,
        EventStatus.APPLIED,
    ]
    assert results[1].error is not None
    assert results[1].error.field == "occurredAt"
    assert results[2].error is not None
    assert results[2].error.field == "record"
    assert results[3].error is not None
    assert (results[3].error.code, results[3].error.message) == (
        "NOT_FOUND",
        "unknown subject",
    )
    assert results[4].error is not None
    assert results[4].event_id is None
    for result in results:
        assert result.error is None or unknown_cpr not in result.error.message
    async with sessions() as session:
        letters = list(await session.scalars(select(DeadLetter).order_by(DeadLetter.received_at)))
    assert len(letters) == 4
    assert {letter.reason for letter in letters} >= {"unknown subject"}
    for letter in letters:
        stored = json.dumps(letter.payload)
        assert unknown_cpr not in stored
        assert cprs[1] not in stored
        assert cprs[0] not in stored
    unknown = next(letter for letter in letters if letter.event_id == "unknown-1")
    assert unknown.subject_cpr_encrypted is not None
    assert VAULT.decrypt(unknown.subject_cpr_encrypted) == unknown_cpr  # kept for reprocessing, encrypted


async def test_a_department_may_only_push_for_itself(sessions, seeded: Seeded) -> None:
    sof_cpr = seeded.registered(SOF)[0]
    bif_cpr = seeded.registered(Department.BIF)[0]
    results = await service(sessions).push(
        system(SOF),
        [event(seeded, Department.BIF, bif_cpr, version=1), event(seeded, SOF, sof_cpr, version=1)],
    )
    assert results[0].status is EventStatus.REJECTED
    assert results[0].error is not None
    assert results[0].error.code == "FORBIDDEN"
    assert results[1].status is EventStatus.APPLIED
    assert await _cache_row(sessions, seeded.person_ids[bif_cpr], Department.BIF) is None
    assert await _count(sessions, DeadLetter) == 0


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CORE_TEAM, Role.CITIZEN, Role.ADMIN])
async def test_only_department_systems_push(sessions, seeded: Seeded, role: Role) -> None:
    principal = system(SOF)
    human = type(principal)(user_id="u", username="x", role=role, department=SOF)
    with pytest.raises(Forbidden):
        await service(sessions).push(human, [event(seeded, SOF, seeded.registered(SOF)[0], version=1)])
    with pytest.raises(Forbidden):
        await service(sessions).push(None, [])


async def test_batch_size_is_bounded(sessions, seeded: Seeded) -> None:
    svc = service(sessions)
    svc.max_batch = 2
    cpr = seeded.registered(SOF)[0]
    with pytest.raises(BadUserInput):
        await svc.push(system(SOF), [event(seeded, SOF, cpr, version=v) for v in range(3)])


async def test_deletion_marks_the_member_not_registered(sessions, seeded: Seeded) -> None:
    svc = service(sessions)
    cpr = seeded.registered(SOF)[0]
    await svc.push(system(SOF), [event(seeded, SOF, cpr, version=1)])
    results = await svc.push(system(SOF), [event(seeded, SOF, cpr, version=2, deleted=True)])
    assert results[0].status is EventStatus.APPLIED
    row = await _cache_row(sessions, seeded.person_ids[cpr], SOF)
    assert row is not None
    assert row.not_registered
    assert row.record is None


async def test_accepted_events_are_audited_in_the_same_transaction(
    sessions, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded: list[AuditEvent] = []

    async def fake_record(session: AsyncSession, events: list[AuditEvent]) -> None:
        assert session.in_transaction()
        recorded.extend(events)

    monkeypatch.setattr(service_module, "audit_record", fake_record)
    buf = Department.BUF
    cpr = seeded.registered(buf)[0]
    await service(sessions).push(
        system(buf),
        [event(seeded, buf, cpr, version=1), {**event(seeded, buf, cpr, version=2), "version": -1}],
    )
    assert len(recorded) == 1
    audit = recorded[0]
    assert (audit.action, audit.decision, audit.source) == (AuditAction.PUSH, AuditDecision.GRANTED, "BUF")
    assert audit.subject_person_id == seeded.person_ids[cpr]
    assert audit.family_id == seeded.family_of[seeded.person_ids[cpr]]
    assert "HEALTH" in audit.categories  # a BUF record can hold health-visitor data
    assert cpr not in repr(audit)


async def test_applied_events_are_announced_after_commit_with_ids_only(sessions, seeded: Seeded) -> None:
    pubsub = InProcessPubSub()
    cpr = seeded.registered(SOF)[0]
    person_id = seeded.person_ids[cpr]
    family_id = seeded.family_of[person_id]
    async with pubsub.subscribe(family_channel(family_id)) as subscription:
        svc = service(sessions, pubsub=pubsub, clock=Clock())
        await svc.push(system(SOF), [event(seeded, SOF, cpr, version=5, event_id="e-5")])
        await svc.push(system(SOF), [event(seeded, SOF, cpr, version=4)])  # superseded: not announced
        message = await subscription.get()
        assert subscription._queue.empty()
    assert message["personId"] == person_id
    assert message["version"] == 5
    assert message["eventId"] == "e-5"
    assert message["type"] == "DEPARTMENT_RECORD"
    assert cpr not in json.dumps(message)
    assert "record" not in message


async def test_purge_removes_cached_data_and_record_copies(sessions, seeded: Seeded) -> None:
    svc = service(sessions)
    cpr = seeded.registered(SOF)[0]
    person_id = seeded.person_ids[cpr]
    await svc.push(system(SOF), [event(seeded, SOF, cpr, version=1, event_id="p-1")])
    async with sessions() as session, session.begin():
        removed = await cache_module.purge_member_department(session, person_id, SOF)
    assert removed == 1
    assert await _cache_row(sessions, person_id, SOF) is None
    async with sessions() as session:
        stored = await session.scalar(select(IngestedEvent).where(IngestedEvent.event_id == "p-1"))
    assert stored is not None
    assert stored.record is None
    assert stored.version == 1
    # Ordering survives the purge: an old version still loses, a replay still answers the same.
    assert (await svc.push(system(SOF), [event(seeded, SOF, cpr, version=1)]))[
        0
    ].status is EventStatus.SUPERSEDED
    assert (await svc.push(system(SOF), [event(seeded, SOF, cpr, version=1, event_id="p-1")]))[
        0
    ].status is EventStatus.APPLIED
