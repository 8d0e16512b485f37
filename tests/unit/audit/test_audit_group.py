"""Group commit: requests waiting together share one transaction, in arrival order; a failed transaction fails
every request in it closed; a full queue refuses at once instead of growing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from hub.audit.buffer import ReadBuffer
from hub.audit.events import AuditAction, AuditDecision, AuditEvent
from hub.audit.group import AuditOverloaded, AuditWriteFailed, GroupCommitter
from hub.errors import ErrorCode
from tests.support.waits import IT_HAPPENS_S

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _events(request: str, n: int = 2) -> list[AuditEvent]:
    return [
        AuditEvent(
            occurred_at=NOW,
            action=AuditAction.READ,
            decision=AuditDecision.GRANTED,
            reason="assigned",
            actor_user_id="U-1",
            actor_role=None,
            actor_department=None,
            actor_unit="",
            client="graphql",
            subject_person_id=f"P-{i}",
            family_id="F1",
            source="SOF",
            categories=("CASE",),
            purpose="HFI_COORDINATION",
            basis=None,
            request_id=request,
        )
        for i in range(n)
    ]


class GatedWriter:
    """Records each batch; holds the first write until released, so the next requests queue behind it."""

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[str | None]] = []
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.fail = fail

    async def __call__(self, events: Sequence[AuditEvent]) -> None:
        self.batches.append([e.request_id for e in events])
        self.started.set()
        await self.release.wait()
        if self.fail:
            raise OSError("transaction killed")


async def test_requests_waiting_together_share_one_transaction_in_arrival_order() -> None:
    writer = GatedWriter()
    committer = GroupCommitter(lambda: writer)
    first = asyncio.create_task(committer.append(_events("r0")))
    await writer.started.wait()  # r0's transaction is open; r1..r3 arrive meanwhile
    rest = [asyncio.create_task(committer.append(_events(f"r{i}"))) for i in (1, 2, 3)]
    await asyncio.sleep(0)
    assert not any(t.done() for t in [first, *rest])  # nobody is answered before its commit
    writer.release.set()
    await asyncio.gather(first, *rest)
    assert writer.batches == [["r0", "r0"], ["r1", "r1", "r2", "r2", "r3", "r3"]]
    assert committer.batches == 2
    await committer.aclose()


async def test_a_failed_transaction_fails_every_request_in_it_closed() -> None:
    writer = GatedWriter(fail=True)
    committer = GroupCommitter(lambda: writer)
    first = asyncio.create_task(committer.append(_events("r0")))
    await writer.started.wait()
    rest = [asyncio.create_task(committer.append(_events(f"r{i}"))) for i in (1, 2)]
    await asyncio.sleep(0)
    writer.release.set()
    results = await asyncio.gather(first, *rest, return_exceptions=True)
    assert all(isinstance(r, AuditWriteFailed) for r in results), results
    assert len(writer.batches) == 2
    # The writer recovers: the next request gets its own transaction.
    writer.fail = False
    await committer.append(_events("r9"))
    assert writer.batches[-1] == ["r9", "r9"]
    await committer.aclose()


async def test_a_full_queue_refuses_at_once_with_service_overloaded() -> None:
    writer = GatedWriter()
    committer = GroupCommitter(lambda: writer, max_pending=2)
    first = asyncio.create_task(committer.append(_events("r0")))
    await writer.started.wait()  # r0 is being written (no longer queued)
    queued = [asyncio.create_task(committer.append(_events(f"r{i}"))) for i in (1, 2)]
    await asyncio.sleep(0)
    assert committer.pending == 2
    with pytest.raises(AuditOverloaded) as refused:
        await committer.append(_events("r3"))
    assert refused.value.extensions["code"] == ErrorCode.SERVICE_OVERLOADED.value
    assert refused.value.retry_after_s >= 1
    writer.release.set()
    await asyncio.gather(first, *queued)
    assert "r3" not in {r for batch in writer.batches for r in batch}
    await committer.aclose()


async def test_batches_are_capped_in_events_but_take_at_least_one_request() -> None:
    writer = GatedWriter()
    committer = GroupCommitter(lambda: writer, max_batch_events=3)
    first = asyncio.create_task(committer.append(_events("r0", 5)))  # larger than the cap: still written
    await writer.started.wait()
    rest = [asyncio.create_task(committer.append(_events(f"r{i}"))) for i in (1, 2)]
    await asyncio.sleep(0)
    writer.release.set()
    await asyncio.gather(first, *rest)
    assert [sorted(set(b)) for b in writer.batches] == [["r0"], ["r1"], ["r2"]]
    await committer.aclose()


async def test_shutdown_commits_what_is_queued() -> None:
    writer = GatedWriter()
    committer = GroupCommitter(lambda: writer)
    tasks = [asyncio.create_task(committer.append(_events(f"r{i}"))) for i in range(3)]
    await writer.started.wait()
    writer.release.set()
    await committer.aclose()
    await asyncio.gather(*tasks)
    assert sum(len(b) for b in writer.batches) == 6


async def test_a_request_with_nothing_to_log_does_not_wait() -> None:
    writer = GatedWriter()
    committer = GroupCommitter(lambda: writer)
    await committer.append([])
    assert writer.batches == []


async def test_a_request_that_goes_away_does_not_cancel_the_shared_write() -> None:
    writer = GatedWriter()
    committer = GroupCommitter(lambda: writer)
    first = asyncio.create_task(committer.append(_events("r0")))
    await writer.started.wait()
    leaving = asyncio.create_task(committer.append(_events("r1")))
    staying = asyncio.create_task(committer.append(_events("r2")))
    await asyncio.sleep(0)
    leaving.cancel()  # the client disconnected while waiting for the commit
    writer.release.set()
    await asyncio.gather(first, staying)
    assert leaving.cancelled()
    assert writer.batches[1] == ["r1", "r1", "r2", "r2"]  # logged all the same: the log errs on the safe side
    await committer.aclose()


async def test_an_early_commit_takes_the_events_buffered_until_its_batch_forms() -> None:
    writer = GatedWriter()
    committer = GroupCommitter(lambda: writer)
    first = asyncio.create_task(committer.append(_events("r0")))
    await writer.started.wait()  # r0's transaction is open: r1's early commit queues behind it
    buffer = ReadBuffer()
    buffer.extend(_events("r1", 1))
    done = committer.submit_later(buffer.drain)
    buffer.extend(_events("r1b", 1))  # buffered after the submit, before the batch forms: rides along
    assert not done.done()
    writer.release.set()
    await asyncio.gather(first, done)
    assert writer.batches == [["r0", "r0"], ["r1", "r1b"]]
    assert len(buffer) == 0
    buffer.extend(_events("r1c", 1))  # after the batch formed: left for the request's own flush
    assert len(buffer) == 1
    await committer.aclose()


async def test_an_early_commit_with_nothing_buffered_commits_without_a_transaction() -> None:
    writer = GatedWriter()
    committer = GroupCommitter(lambda: writer)
    await asyncio.wait_for(committer.submit_later(ReadBuffer().drain), IT_HAPPENS_S)
    assert writer.batches == []
    assert committer.batches == 0
    await committer.aclose()


async def test_an_early_commit_fails_closed_and_refuses_when_the_queue_is_full() -> None:
    writer = GatedWriter(fail=True)
    committer = GroupCommitter(lambda: writer, max_pending=1)
    buffer = ReadBuffer()
    buffer.extend(_events("r0"))
    done = committer.submit_later(buffer.drain)
    with pytest.raises(AuditOverloaded):
        committer.submit_later(ReadBuffer().drain)
    await writer.started.wait()
    writer.release.set()
    with pytest.raises(AuditWriteFailed):
        await done
    await committer.aclose()
