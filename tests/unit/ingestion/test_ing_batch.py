"""Set-based push batches: a fixed handful of statements per batch, and the guarantees kept while doing so
(replays within a batch, per-record order against stored versions and within the batch, one audit append,
concurrent pushes that neither deadlock, lock the database nor fork a record's order). Runs on SQLite and
PostgreSQL (the `sessions` fixture)."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from ingestion_support import PARSERS, VAULT, Clock, Seeded, event, service, system
from prometheus_client import CollectorRegistry
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.audit.events import AuditAction, AuditDecision, AuditEvent
from hub.audit.models import entries_table
from hub.audit.verify import verify_chains
from hub.domain import Department
from hub.ingestion import batch as batch_module
from hub.ingestion import service as service_module
from hub.ingestion.codec import from_json
from hub.ingestion.events import EventResult, EventStatus
from hub.ingestion.models import CachedSection, DeadLetter, IngestedEvent, RecordVersion
from hub.ingestion.service import IngestionService
from hub.pubsub import InProcessPubSub

SOF = Department.SOF
APPLIED, SUPERSEDED, REJECTED = EventStatus.APPLIED, EventStatus.SUPERSEDED, EventStatus.REJECTED
NOW_ISO = "2026-11-01T10:00:00+00:00"


def _on(seeded: Seeded, cpr: str, record_id: str, version: int, **extra: Any) -> dict[str, Any]:
    """An SOF event about `cpr` for record `record_id`, its record's open-case count set to the version."""
    wire = dict(seeded.world.department_records[SOF][cpr], antalAabneSager=version)
    return {**event(seeded, SOF, cpr, version=version, record=wire), "recordId": record_id, **extra}


async def _count(sessions: async_sessionmaker[AsyncSession], model: Any, *where: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _versions(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        rows = await session.execute(select(RecordVersion.record_id, RecordVersion.version))
    return {str(record_id): int(version) for record_id, version in rows.all()}


async def _cached_version(sessions: async_sessionmaker[AsyncSession], person_id: str) -> tuple[int, int]:
    """(version, open cases in the cached record) of the person's SOF cache row."""
    async with sessions() as session:
        row = await session.get(CachedSection, (person_id, SOF))
    assert row is not None
    assert row.version is not None
    return row.version, from_json(row.record or {}).open_cases


@pytest.fixture
def statements(migrated_engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement sent to the database while the test runs."""
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    sa_event.listen(migrated_engine.sync_engine, "before_cursor_execute", count)
    yield sent
    sa_event.remove(migrated_engine.sync_engine, "before_cursor_execute", count)


async def test_a_batch_costs_the_same_few_statements_whatever_its_size(
    sessions, seeded: Seeded, statements: list[str]
) -> None:
    svc = service(sessions)
    cprs = seeded.registered(SOF)
    unknown = "0101901234"

    def batch(size: int, tag: str) -> list[dict[str, Any]]:
        events = [_on(seeded, cprs[n % len(cprs)], f"{tag}-{n}", n + 1) for n in range(size)]
        events[1] = {**events[1], "version": "x"}  # malformed: dead-lettered
        events[2] = {**events[2], "subjectCpr": unknown}  # unknown subject: dead-lettered
        return events

    cost: dict[int, int] = {}
    for size in (5, 100):
        statements.clear()
        results = await svc.push(system(SOF), batch(size, f"s{size}"))
        assert [r.status for r in results].count(REJECTED) == 2
        cost[size] = len(statements)
    assert cost[5] == cost[100]
    # Replays, subjects, versions (1-2), event log, dead letters, cache, audit (4) and BEGIN: about a dozen;
    # then the feed (hub/ingestion/feed.py: BEGIN and one insert of every applied event's resume cursor).
    assert cost[100] <= 15, statements


async def test_order_against_stored_versions_and_within_the_batch_is_as_if_one_by_one(
    sessions, seeded: Seeded
) -> None:
    svc = service(sessions)
    a_cpr, b_cpr = seeded.registered(SOF)[:2]
    await svc.push(system(SOF), [_on(seeded, a_cpr, "rec-a", 5)])
    batch = [
        _on(seeded, a_cpr, "rec-a", 3),  # older than the stored 5
        _on(seeded, b_cpr, "rec-b", 2),  # a new record
        _on(seeded, a_cpr, "rec-a", 7),
        _on(seeded, b_cpr, "rec-b", 1),
        _on(seeded, a_cpr, "rec-a", 6),  # newer than stored, older than 7 earlier in the batch
        _on(seeded, a_cpr, "rec-a", 8),
        _on(seeded, b_cpr, "rec-b", 2),  # the same version again (another event id): not newer
    ]
    results = await svc.push(system(SOF), batch)
    assert [r.status for r in results] == [
        SUPERSEDED,
        APPLIED,
        APPLIED,
        SUPERSEDED,
        SUPERSEDED,
        APPLIED,
        SUPERSEDED,
    ]
    assert await _versions(sessions) == {"rec-a": 8, "rec-b": 2}
    assert await _cached_version(sessions, seeded.person_ids[a_cpr]) == (8, 8)
    assert await _cached_version(sessions, seeded.person_ids[b_cpr]) == (2, 2)
    assert await _count(sessions, IngestedEvent) == 8  # superseded events are kept too


async def test_a_person_cache_row_takes_the_last_applied_record_of_the_batch(
    sessions, seeded: Seeded
) -> None:
    cpr = seeded.registered(SOF)[0]
    batch = [_on(seeded, cpr, "first", 9), _on(seeded, cpr, "second", 4), _on(seeded, cpr, "first", 2)]
    results = await service(sessions).push(system(SOF), batch)
    assert [r.status for r in results] == [APPLIED, APPLIED, SUPERSEDED]
    async with sessions() as session:
        row = await session.get(CachedSection, (seeded.person_ids[cpr], SOF))
    assert row is not None
    assert (row.record_id, row.version) == ("second", 4)


async def test_replays_within_one_batch_answer_as_the_first_and_store_nothing_twice(
    sessions, seeded: Seeded
) -> None:
    registry = CollectorRegistry()
    svc = IngestionService(
        sessions, VAULT, InProcessPubSub(), parsers=PARSERS, clock=Clock(), registry=registry
    )
    cpr = seeded.registered(SOF)[0]
    bad = {**_on(seeded, cpr, "r", 1, eventId="dup-bad"), "occurredAt": "soon"}
    good = _on(seeded, cpr, "r", 2, eventId="dup-good")
    no_id = {**_on(seeded, cpr, "r", 3), "eventId": ""}
    # A repeat of an id with the same content answers as its first occurrence (with other content it is a
    # CONFLICT: tests/unit/ingestion/test_ing_reused_ids.py).
    batch = [bad, good, dict(bad), dict(good), no_id, no_id]
    results = await svc.push(system(SOF), batch)
    assert results[0].status is REJECTED
    assert results[2] == results[0]
    assert results[1] == EventResult("dup-good", APPLIED)
    assert results[3] == results[1]
    assert [r.status for r in results[4:]] == [REJECTED, REJECTED]
    assert await _count(sessions, IngestedEvent) == 2  # dup-bad (rejected) and dup-good
    assert await _count(sessions, DeadLetter) == 3  # dup-bad once, and each event without an id
    assert await _versions(sessions) == {"r": 2}
    replays = registry.get_sample_value(
        "familiehub_ingested_events_total", {"department": "SOF", "status": "replay"}
    )
    assert replays == 2
    assert await svc.push(system(SOF), batch) == results  # and across pushes, the same again
    assert await _count(sessions, DeadLetter) == 5  # only the two events without an id are new


async def test_one_audit_append_per_batch_in_the_order_pushed(
    sessions, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[AuditEvent]] = []

    async def fake_record(session: AsyncSession, events: Sequence[AuditEvent]) -> None:
        assert session.in_transaction()
        calls.append(list(events))

    monkeypatch.setattr(service_module, "audit_record", fake_record)
    cprs = seeded.registered(SOF)[:3]
    bif_cpr = seeded.registered(Department.BIF)[0]
    batch = [
        _on(seeded, cprs[2], "x", 1),
        event(seeded, Department.BIF, bif_cpr, version=1),  # another department's: denied
        {**_on(seeded, cprs[0], "y", 1), "version": -1},  # malformed: not audited
        _on(seeded, cprs[0], "y", 2),
        _on(seeded, cprs[1], "x", 1),  # superseded: accepted, so audited
    ]
    await service(sessions).push(system(SOF), batch)
    assert len(calls) == 1
    audited = calls[0]
    assert [(a.decision, a.subject_person_id) for a in audited] == [
        (AuditDecision.GRANTED, seeded.person_ids[cprs[2]]),
        (AuditDecision.DENIED, None),
        (AuditDecision.GRANTED, seeded.person_ids[cprs[0]]),
        (AuditDecision.GRANTED, seeded.person_ids[cprs[1]]),
    ]
    assert {a.action for a in audited} == {AuditAction.PUSH}


async def test_an_event_id_committed_by_a_concurrent_push_meanwhile_becomes_a_replay(
    sessions, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the replay check cannot see: the batch starts over and answers as the other push did."""
    svc = service(sessions)
    cpr = seeded.registered(SOF)[0]
    first = [_on(seeded, cpr, "race", 4, eventId="race-1")]
    answered = await svc.push(system(SOF), first)
    real = batch_module.known_results
    blind = iter([True])

    async def known_results(session: AsyncSession, department: Department, ids: Any) -> Any:
        if next(blind, False):
            return {}  # as if the other push had not committed yet when this one checked
        return await real(session, department, ids)

    monkeypatch.setattr(service_module, "known_results", known_results)
    again = [first[0], _on(seeded, cpr, "race", 9, eventId="race-2")]
    results = await svc.push(system(SOF), again)
    assert results == [answered[0], EventResult("race-2", APPLIED)]
    assert await _count(sessions, IngestedEvent) == 2
    assert await _versions(sessions) == {"race": 9}
    async with sessions() as session:
        assert (await verify_chains(session)).ok


def _serial_statuses(batches: Sequence[Sequence[dict[str, Any]]], order: Sequence[int]) -> list[list[str]]:
    """The statuses each batch would get if the batches ran one after another in `order`."""
    newest: dict[str, int] = {}
    out: dict[int, list[str]] = {}
    for b in order:
        statuses = []
        for e in batches[b]:
            if e["recordId"] not in newest or e["version"] > newest[e["recordId"]]:
                newest[e["recordId"]] = e["version"]
                statuses.append("APPLIED")
            else:
                statuses.append("SUPERSEDED")
        out[b] = statuses
    return [out[b] for b in range(len(batches))]


async def test_concurrent_batches_keep_one_serial_order_per_record_without_deadlock_or_lock_errors(
    sessions, seeded: Seeded
) -> None:
    svc = service(sessions)
    cprs = seeded.registered(SOF)[:3]
    rng = random.Random(7)
    for round_ in range(4):
        records = [(cpr, f"r{round_}-{k}") for k, cpr in enumerate(cprs)]
        batches: list[list[dict[str, Any]]] = []
        for b in range(4):
            # Every batch touches every record (and person) twice, in an order of its own: a naive
            # row-at-a-time writer locks them in different orders and deadlocks.
            pairs = records * 2 if b % 2 else list(reversed(records)) * 2
            batches.append([_on(seeded, cpr, rid, rng.randint(1, 40)) for cpr, rid in pairs])
        answers = await asyncio.gather(*(svc.push(system(SOF), b) for b in batches))
        got = [[r.status.value for r in answer] for answer in answers]
        serial = [list(p) for p in itertools.permutations(range(4)) if _serial_statuses(batches, p) == got]
        assert serial, f"round {round_}: {got} matches no serial order of the batches"
        newest = {
            rid: max(e["version"] for b in batches for e in b if e["recordId"] == rid) for _, rid in records
        }
        stored = await _versions(sessions)
        assert {rid: stored[rid] for _, rid in records} == newest
    async with sessions() as session:
        assert (await verify_chains(session)).ok


async def test_the_same_batch_pushed_concurrently_lands_once(sessions, seeded: Seeded) -> None:
    svc = service(sessions)
    cprs = seeded.registered(SOF)[:4]
    batch = [_on(seeded, cpr, f"same-{n}", n + 1) for n, cpr in enumerate(cprs * 2)]
    batch.append({**_on(seeded, cprs[0], "same-x", 1), "version": "x"})
    answers = await asyncio.gather(*(svc.push(system(SOF), batch) for _ in range(4)))
    assert all(answer == answers[0] for answer in answers)
    assert [r.status for r in answers[0]].count(APPLIED) == 8
    assert await _count(sessions, IngestedEvent) == 9
    assert await _count(sessions, DeadLetter) == 1
    pushes = await _count(sessions, entries_table, entries_table.c.action == AuditAction.PUSH)
    assert pushes == 8  # one PUSH audit event per accepted event, once
    async with sessions() as session:
        assert (await verify_chains(session)).ok
