"""The chain on a real database: appends, concurrency, tamper detection, purge — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.chain import entry_hash
from hub.audit.events import AuditAction, AuditDecision, AuditEvent, AuditKind
from hub.audit.log import record
from hub.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEntry, AuditHead
from hub.audit.retention import ChainBroken, purge
from hub.audit.verify import export_heads, verify_chains
from hub.persistence.base import utcnow
from hub.persistence.engine import transaction

Sessions = async_sessionmaker[AsyncSession]
MakeEvent = Callable[..., AuditEvent]


async def _entries(sessions: Sessions, chain: AuditKind) -> list[AuditEntry]:
    async with sessions() as s:
        return list(
            (
                await s.scalars(select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq))
            ).all()
        )


async def _verify(sessions: Sessions):  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return await verify_chains(s)


async def test_record_appends_a_linked_chain_per_kind(
    audit_sessions: Sessions, make_event: MakeEvent
) -> None:
    async with transaction(audit_sessions) as s:
        await record(
            s,
            [
                make_event(subject_person_id="P-1"),
                make_event(
                    subject_person_id="P-2", decision=AuditDecision.DENIED, reason="no_consent", basis=None
                ),
                make_event(subject_person_id="P-3", categories=("HEALTH", "CASE", "CASE")),
            ],
        )
    async with transaction(audit_sessions) as s:
        await record(s, [make_event(action=AuditAction.CHANGE, source="HUB:plan", request_id="req-2")])

    citizen = await _entries(audit_sessions, AuditKind.CITIZEN_FACING)
    assert [(e.seq, e.subject_person_id) for e in citizen] == [(1, "P-1"), (2, "P-3")]
    assert citizen[0].prev_hash == GENESIS_HASH
    assert citizen[1].prev_hash == citizen[0].entry_hash
    assert citizen[1].categories == ["CASE", "HEALTH"]  # canonical: sorted, deduplicated
    security = await _entries(audit_sessions, AuditKind.SECURITY)
    assert [(e.seq, e.reason, e.basis) for e in security] == [(1, "no_consent", None)]
    change = await _entries(audit_sessions, AuditKind.CHANGE)
    assert [(e.seq, e.source, e.request_id) for e in change] == [(1, "HUB:plan", "req-2")]
    assert change[0].occurred_at == make_event().occurred_at  # round-trips to the microsecond, in UTC

    report = await _verify(audit_sessions)
    assert report.ok, report
    assert {c.chain: c.head_seq for c in report.chains} == {
        AuditKind.CITIZEN_FACING: 2,
        AuditKind.SECURITY: 1,
        AuditKind.CHANGE: 1,
    }


async def test_a_rolled_back_change_leaves_no_entry(audit_sessions: Sessions, make_event: MakeEvent) -> None:
    async def change_that_fails() -> None:
        async with transaction(audit_sessions) as s:
            await record(s, [make_event(action=AuditAction.CHANGE)])
            raise RuntimeError("change failed")

    with pytest.raises(RuntimeError, match="change failed"):
        await change_that_fails()
    assert await _entries(audit_sessions, AuditKind.CHANGE) == []
    assert (await _verify(audit_sessions)).ok


async def test_concurrent_appends_never_fork_the_chain(
    audit_sessions: Sessions, make_event: MakeEvent
) -> None:
    tasks, per_task = 20, 3

    async def append(n: int) -> None:
        async with transaction(audit_sessions) as s:
            await record(
                s,
                [make_event(request_id=f"req-{n}", subject_person_id=f"P-{n}-{i}") for i in range(per_task)],
            )
            await asyncio.sleep(0)  # hold the lock across a scheduling point

    await asyncio.wait_for(asyncio.gather(*(append(n) for n in range(tasks))), timeout=60)

    entries = await _entries(audit_sessions, AuditKind.CITIZEN_FACING)
    assert [e.seq for e in entries] == list(range(1, tasks * per_task + 1))  # gapless, no duplicates
    assert len({e.prev_hash for e in entries}) == len(entries)  # no two entries share a predecessor: no fork
    by_request: dict[str, list[int]] = {}
    for e in entries:
        by_request.setdefault(str(e.request_id), []).append(e.seq)
    # One call's batch is contiguous: nobody appended in the middle of it.
    assert all(seqs == list(range(seqs[0], seqs[0] + per_task)) for seqs in by_request.values())
    report = await _verify(audit_sessions)
    assert report.ok, report


@pytest.mark.parametrize(
    ("tamper", "broken_seq"),
    [
        pytest.param("edit", 3, id="edit-an-entry"),
        pytest.param("delete", 3, id="delete-an-entry"),
        pytest.param("reorder", 2, id="swap-two-entries"),
        pytest.param("truncate", 5, id="delete-the-last-entry"),
        pytest.param("rewrite-hash", 4, id="edit-and-rehash-an-entry"),
    ],
)
async def test_tampering_is_detected_at_the_first_broken_entry(
    audit_sessions: Sessions, make_event: MakeEvent, tamper: str, broken_seq: int
) -> None:
    async with transaction(audit_sessions) as s:
        await record(s, [make_event(subject_person_id=f"P-{i}") for i in range(1, 6)])
    assert (await _verify(audit_sessions)).ok
    chain = AuditKind.CITIZEN_FACING
    at = (AuditEntry.chain == chain) & (AuditEntry.seq == 3)
    async with transaction(audit_sessions) as s:
        if tamper == "edit":
            await s.execute(update(AuditEntry).where(at).values(purpose="SOMETHING_ELSE"))
        elif tamper == "delete":
            await s.execute(delete(AuditEntry).where(at))
        elif tamper == "reorder":
            await s.execute(
                update(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq == 2).values(seq=-2)
            )
            await s.execute(
                update(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq == 4).values(seq=2)
            )
            await s.execute(
                update(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq == -2).values(seq=4)
            )
        elif tamper == "truncate":
            await s.execute(delete(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq == 5))
        elif tamper == "rewrite-hash":
            # A forger who recomputes the edited entry's own hash still breaks the next entry's link.
            row = (await s.scalars(select(AuditEntry).where(at))).one()
            fields = {c.name: getattr(row, c.name) for c in AuditEntry.__table__.columns}
            fields["subject_person_id"] = "P-someone-else"
            await s.execute(
                update(AuditEntry)
                .where(at)
                .values(subject_person_id="P-someone-else", entry_hash=entry_hash(fields))
            )
    report = await _verify(audit_sessions)
    assert not report.ok
    broken = report.first_broken
    assert broken is not None
    assert (broken.chain, broken.broken_seq) == (chain, broken_seq), broken.problem
    assert [c.chain for c in report.chains if not c.ok] == [chain]


async def test_an_exported_head_anchors_the_chain(audit_sessions: Sessions, make_event: MakeEvent) -> None:
    async with transaction(audit_sessions) as s:
        await record(s, [make_event(subject_person_id=f"P-{i}") for i in range(3)])
    async with audit_sessions() as s:
        anchor = await export_heads(s, utcnow())
    assert anchor["chains"]["CITIZEN_FACING"]["seq"] == 3
    assert len(anchor["digest"]) == 64
    async with audit_sessions() as s:
        assert (await verify_chains(s, anchor)).ok
    # Rewrite the whole tail consistently (entry and head): only the anchor notices.
    async with transaction(audit_sessions) as s:
        await s.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
        prev = await s.scalar(select(AuditEntry.entry_hash).where(AuditEntry.seq == 2))
        await s.execute(
            update(AuditHead).where(AuditHead.chain == AuditKind.CITIZEN_FACING).values(seq=2, hash=prev)
        )
    async with audit_sessions() as s:
        report = await verify_chains(s, anchor)
    assert all(c.ok for c in report.chains)
    assert report.anchor_problems == ("CITIZEN_FACING: anchored entry 3 is missing",)
    assert not report.ok


async def test_purge_cuts_a_prefix_and_the_rest_still_verifies(
    audit_sessions: Sessions, make_event: MakeEvent
) -> None:
    async with transaction(audit_sessions) as s:
        await record(s, [make_event(subject_person_id=f"old-{i}") for i in range(4)])
        await record(s, [make_event(decision=AuditDecision.DENIED, reason="not_assigned")])
    # The cut falls between the two appends: run the purge as if 730 days after `cut`.
    cut = utcnow()
    await asyncio.sleep(0.01)
    async with transaction(audit_sessions) as s:
        await record(s, [make_event(subject_person_id=f"new-{i}") for i in range(2)])
    later = cut + timedelta(days=730)

    async with transaction(audit_sessions) as s:
        result = await purge(s, AuditKind.CITIZEN_FACING, timedelta(days=730), later)
    assert (result.cut_seq, result.purged) == (4, 4)
    remaining = await _entries(audit_sessions, AuditKind.CITIZEN_FACING)
    assert [(e.seq, e.subject_person_id) for e in remaining] == [(5, "new-0"), (6, "new-1")]
    assert len(await _entries(audit_sessions, AuditKind.SECURITY)) == 1  # other kinds untouched
    async with audit_sessions() as s:
        checkpoint = (await s.scalars(select(AuditCheckpoint))).one()
    assert checkpoint.cut_seq == 4
    assert checkpoint.cut_hash == remaining[0].prev_hash
    report = await _verify(audit_sessions)
    assert report.ok, report

    # Appends continue after the cut; purging again with nothing old is a no-op.
    async with transaction(audit_sessions) as s:
        await record(s, [make_event()])
        again = await purge(s, AuditKind.CITIZEN_FACING, timedelta(days=730), later)
    assert again.purged == 0
    assert (await _verify(audit_sessions)).ok

    # Deleting the first entry after the checkpoint is still detected.
    async with transaction(audit_sessions) as s:
        await s.execute(
            delete(AuditEntry).where(AuditEntry.chain == AuditKind.CITIZEN_FACING, AuditEntry.seq == 5)
        )
    broken = (await _verify(audit_sessions)).first_broken
    assert broken is not None
    assert broken.broken_seq == 5


async def test_purge_everything_then_append(audit_sessions: Sessions, make_event: MakeEvent) -> None:
    async with transaction(audit_sessions) as s:
        await record(s, [make_event(decision=AuditDecision.DENIED, reason="no_consent") for _ in range(3)])
    async with transaction(audit_sessions) as s:
        result = await purge(s, AuditKind.SECURITY, timedelta(days=183), utcnow() + timedelta(days=200))
    assert (result.cut_seq, result.purged) == (3, 3)
    assert (await _verify(audit_sessions)).ok
    async with transaction(audit_sessions) as s:
        await record(s, [make_event(decision=AuditDecision.DENIED, reason="no_consent")])
    assert [e.seq for e in await _entries(audit_sessions, AuditKind.SECURITY)] == [4]
    assert (await _verify(audit_sessions)).ok


async def test_purge_refuses_a_broken_chain(audit_sessions: Sessions, make_event: MakeEvent) -> None:
    async with transaction(audit_sessions) as s:
        await record(s, [make_event() for _ in range(3)])
    async with transaction(audit_sessions) as s:
        await s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(reason="edited"))
    with pytest.raises(ChainBroken, match="broken at entry 2"):
        async with transaction(audit_sessions) as s:
            await purge(s, AuditKind.CITIZEN_FACING, timedelta(days=730), utcnow() + timedelta(days=1000))
    async with audit_sessions() as s:
        assert await s.scalar(select(func.count()).select_from(AuditEntry)) == 3
