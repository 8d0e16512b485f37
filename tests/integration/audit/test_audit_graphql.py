"""The audit log through the real hub: read entries per request, fail-closed, and the citizen's own log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from hub.audit.buffer import session_writer
from hub.audit.events import AuditAction, AuditDecision, AuditEvent, AuditKind
from hub.audit.log import record
from hub.audit.models import AuditEntry
from hub.audit.threaded import writer_engine
from hub.audit.verify import verify_chains
from hub.cpr import age_on
from hub.domain import Department, Role
from hub.persistence.engine import transaction
from hub.persistence.models import Custody, Person, User
from tests.support.stack import Stack, running_stack
from tests.support.waits import IT_HAPPENS_S

DENIED_STATUSES = {"FORBIDDEN", "CONSENT_REQUIRED"}
SECTIONS = {"social": "SOF", "employment": "BIF", "childAndYouth": "BUF", "leisure": "KFF", "health": "SUF"}
FAMILIES_QUERY = """
query { families(first: 10) { edges { node { id members {
  id social { status } employment { status } health { status } } } } } }
"""
ACCESS_LOG = """
query($first: Int!, $after: String) { myAccessLog(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id occurredAt action subjectPersonId aboutChild source administration unit role
                        purpose categories basis } } } }
"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=6, seed=7) as st:
        yield st


async def _entries(stack: Stack) -> list[AuditEntry]:
    async with stack.services.sessions() as s:
        return list((await s.scalars(select(AuditEntry).order_by(AuditEntry.chain, AuditEntry.seq))).all())


async def _user(stack: Stack, username: str) -> User:
    async with stack.services.sessions() as s:
        return (await s.scalars(select(User).where(User.username == username))).one()


class InsertCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_ENTRIES"):
            self.count += 1


async def test_one_entry_per_member_and_department_per_request(stack: Stack) -> None:
    worker = await _user(stack, "bif-sagsbehandler")
    # On SQLite the appends run on the audit writer's own engine (hub/audit/threaded.py).
    counter = InsertCounter(writer_engine(stack.services.engine) or stack.services.engine.sync_engine)
    body = await stack.graphql(FAMILIES_QUERY, token=stack.token("bif-sagsbehandler"))
    # Department errors may appear next to the data; a granted section is logged whether or not it answered.
    assert body["data"] is not None, body
    shown = {
        (member["id"], SECTIONS[field]): member[field]["status"]
        for edge in body["data"]["families"]["edges"]
        for member in edge["node"]["members"]
        for field in ("social", "employment", "health")
    }
    assert shown, "the caseworker sees no family in the seeded world"
    assert counter.count == 1  # one batched insert for the whole request

    all_entries = await _entries(stack)
    # The members' identity (names, CPR) is hub-owned data read too: one HUB:family entry per member shown.
    identity = [e for e in all_entries if e.source == "HUB:family"]
    members_shown = {member_id for member_id, _ in shown}
    assert sorted(e.subject_person_id for e in identity) == sorted(members_shown)
    entries = [e for e in all_entries if e.source != "HUB:family"]
    logged = {(e.subject_person_id, e.source): e for e in entries}
    assert len(logged) == len(entries) == len(shown)  # exactly one entry per member x department
    assert set(logged) == set(shown)
    assert len({e.request_id for e in entries}) == 1
    assert entries[0].request_id
    for key, status in shown.items():
        entry = logged[key]
        denied = status in DENIED_STATUSES
        assert entry.decision is (AuditDecision.DENIED if denied else AuditDecision.GRANTED), (key, status)
        assert entry.chain is (AuditKind.SECURITY if denied else AuditKind.CITIZEN_FACING)
        assert entry.action is AuditAction.READ
        assert entry.reason
        assert (entry.actor_user_id, entry.actor_role, entry.actor_department) == (
            worker.id,
            Role.CASEWORKER,
            Department.BIF,
        )
        assert entry.family_id
        assert entry.purpose == "HFI_COORDINATION"
        assert entry.categories
        if not denied:
            assert entry.basis
    assert any(e.decision is AuditDecision.DENIED for e in entries)  # SOF and SUF are not the BIF worker's

    # A second request is a second entry set, with its own request id, appended to the same chains.
    await stack.graphql(FAMILIES_QUERY, token=stack.token("bif-sagsbehandler"))
    again = await _entries(stack)
    assert len(again) == 2 * len(all_entries)
    assert len({e.request_id for e in again}) == 2
    assert counter.count == 2
    async with stack.services.sessions() as s:
        assert (await verify_chains(s)).ok


async def test_reads_fail_closed_when_the_log_cannot_be_written(stack: Stack) -> None:
    attempts: list[int] = []

    async def failing_writer(events: Sequence[AuditEvent]) -> None:
        attempts.append(len(events))
        raise OSError("disk full")

    stack.services.extras["audit_writer"] = failing_writer
    body = await stack.graphql(FAMILIES_QUERY, token=stack.token("bif-sagsbehandler"))
    assert attempts
    assert attempts[0] > 0
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL"]
    assert body["errors"][0]["extensions"]["requestId"]
    assert "disk" not in str(body)
    assert await _entries(stack) == []

    # The same query without selected sections reads no department data: nothing to log, nothing withheld.
    body = await stack.graphql("{ me { username } }", token=stack.token("bif-sagsbehandler"))
    assert body["data"] == {"me": {"username": "bif-sagsbehandler"}}


async def _post(stack: Stack, query: str, token: str) -> Any:
    return await stack.client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )


async def test_a_killed_group_commit_fails_every_waiting_request_closed(stack: Stack) -> None:
    """Concurrent views share one audit transaction; when it fails, none of them returns data."""
    import asyncio

    started, release = asyncio.Event(), asyncio.Event()
    batches: list[set[str | None]] = []

    async def killed_writer(events: Sequence[AuditEvent]) -> None:
        batches.append({e.request_id for e in events})
        started.set()
        await release.wait()  # the first batch waits until the other requests queue behind it
        raise OSError("transaction killed")

    stack.services.extras["audit_writer"] = killed_writer
    token = stack.token("bif-sagsbehandler")
    first = asyncio.create_task(_post(stack, FAMILIES_QUERY, token))
    await asyncio.wait_for(started.wait(), IT_HAPPENS_S)
    others = [asyncio.create_task(_post(stack, FAMILIES_QUERY, token)) for _ in range(4)]
    committer = stack.services.extras["audit_committer"]
    for _ in range(3000):  # bounded (30 s at least, generous for a loaded machine): until the four are queued
        if committer.pending == 4:
            break
        await asyncio.sleep(0.01)
    assert committer.pending == 4
    release.set()
    responses = await asyncio.gather(first, *others)
    assert len(batches) == 2
    assert len(batches[1]) == 4  # one transaction for the four that waited together
    for response in responses:
        body = response.json()
        assert body["data"] is None, body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL"]
        assert "killed" not in response.text
    assert await _entries(stack) == []


async def test_a_full_audit_queue_answers_503_service_overloaded(stack: Stack) -> None:
    import asyncio

    from hub.audit.group import GroupCommitter
    from schema.audit.extension import _writer

    release = asyncio.Event()

    async def slow_writer(events: Sequence[AuditEvent]) -> None:
        await release.wait()

    stack.services.extras["audit_writer"] = slow_writer
    stack.services.extras["audit_committer"] = committer = GroupCommitter(
        lambda: _writer(stack.services), max_pending=1
    )
    token = stack.token("bif-sagsbehandler")
    writing = asyncio.create_task(_post(stack, FAMILIES_QUERY, token))
    queued = asyncio.create_task(_post(stack, FAMILIES_QUERY, token))
    for _ in range(3000):  # bounded, generous for a loaded machine (#21)
        if committer.pending == 1:
            break
        await asyncio.sleep(0.01)
    try:
        assert committer.pending == 1, "the second view never queued behind the first one's commit"
        # Bounded: were the queue not full, this view would wait behind `release` and the test would hang.
        refused = await asyncio.wait_for(_post(stack, FAMILIES_QUERY, token), 30)
    finally:
        release.set()
    # Bounded too: once released, both views commit and answer ("it happens", not "it happens fast").
    await asyncio.wait_for(asyncio.gather(writing, queued), IT_HAPPENS_S)
    assert refused.status_code == 503
    assert int(refused.headers["retry-after"]) >= 1
    body = refused.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_OVERLOADED"]
    assert writing.result().status_code == queued.result().status_code == 200
    assert writing.result().json()["data"] is not None


async def _citizen_with_young_child(stack: Stack) -> tuple[User, str, str]:
    """A citizen login, one child under 15 in their custody, and another adult of the same family."""
    today = datetime.now(UTC).date()
    async with stack.services.sessions() as s:
        citizens = (
            await s.scalars(select(User).where(User.role == Role.CITIZEN).order_by(User.username))
        ).all()
        for user in citizens:
            rows = (
                await s.execute(
                    select(Custody.child_id, Person.birth_date)
                    .join(Person, Person.id == Custody.child_id)
                    .where(Custody.holder_id == user.person_id, Custody.until.is_(None))
                )
            ).all()
            young = [child for child, born in rows if age_on(born, today) < 15]
            others = [
                c.person_id
                for c in citizens
                if c.person_id not in (user.person_id, None) and c.person_id not in young
            ]
            if young and others:
                return user, young[0], others[0]
    raise AssertionError("the seeded world has no citizen with a child under 15")


def _event(subject: str, **overrides: Any) -> AuditEvent:
    base = AuditEvent(
        occurred_at=datetime.now(UTC),
        action=AuditAction.READ,
        decision=AuditDecision.GRANTED,
        reason="assigned_core_team",
        actor_user_id="U-staff-secret-id",
        actor_role=Role.CORE_TEAM,
        actor_department=Department.SOF,
        actor_unit="Familieenheden Nørrebro",
        client="graphql",
        subject_person_id=subject,
        family_id="F00001",
        source="SOF",
        categories=("CASE",),
        purpose="HFI_COORDINATION",
        basis="consent:C-42",
        request_id="req-x",
    )
    return replace(base, **overrides)


async def test_the_citizen_sees_their_own_and_young_childrens_entries_only(stack: Stack) -> None:
    citizen, child, stranger = await _citizen_with_young_child(stack)
    assert citizen.person_id
    me = citizen.person_id
    t = datetime.now(UTC) - timedelta(hours=1)
    async with transaction(stack.services.sessions) as s:
        await record(
            s,
            [
                _event(me, occurred_at=t, source="BIF", actor_department=Department.BIF),
                _event(
                    child, occurred_at=t + timedelta(minutes=1), categories=("CASE", "HEALTH"), source="BUF"
                ),
                _event(
                    me, occurred_at=t + timedelta(minutes=2), action=AuditAction.CHANGE, source="HUB:plan"
                ),
                _event(stranger, occurred_at=t + timedelta(minutes=3)),  # someone else: never shown
                _event(
                    me,
                    occurred_at=t + timedelta(minutes=4),
                    decision=AuditDecision.DENIED,
                    reason="no_consent",
                ),
                _event(
                    me,
                    occurred_at=t + timedelta(minutes=5),
                    actor_role=Role.CITIZEN,
                    actor_user_id=citizen.id,
                ),
            ],
        )

    body = await stack.graphql(ACCESS_LOG, {"first": 10}, token=stack.token(citizen.username))
    assert "errors" not in body, body
    log = body["data"]["myAccessLog"]
    nodes = [edge["node"] for edge in log["edges"]]
    assert [(n["subjectPersonId"], n["source"], n["action"]) for n in nodes] == [
        (me, "HUB:plan", "CHANGE"),
        (child, "BUF", "READ"),
        (me, "BIF", "READ"),
    ]
    assert log["totalCount"] == 3
    assert [n["aboutChild"] for n in nodes] == [False, True, False]
    assert nodes[1] | {"id": None, "occurredAt": None} == {
        "id": None,
        "occurredAt": None,
        "action": "READ",
        "subjectPersonId": child,
        "aboutChild": True,
        "source": "BUF",
        "administration": "SOF",
        "unit": "Familieenheden Nørrebro",
        "role": "CORE_TEAM",
        "purpose": "HFI_COORDINATION",
        "categories": ["CASE", "HEALTH"],
        "basis": "consent:C-42",
    }
    assert "U-staff-secret-id" not in str(body)  # never the staff member's id (nor name: it is not stored)

    # Reading the log is itself logged (one READ of HUB:audit per subject shown), but not listed back.
    entries = await _entries(stack)
    own_reads = [e for e in entries if e.source == "HUB:audit"]
    assert {e.subject_person_id for e in own_reads} == {me, child}
    assert all(e.actor_user_id == citizen.id and e.decision is AuditDecision.GRANTED for e in own_reads)
    body = await stack.graphql(ACCESS_LOG, {"first": 10}, token=stack.token(citizen.username))
    assert body["data"]["myAccessLog"]["totalCount"] == 3


async def test_the_access_log_pages_newest_first(stack: Stack) -> None:
    citizen, _, _ = await _citizen_with_young_child(stack)
    assert citizen.person_id
    t = datetime.now(UTC) - timedelta(days=1)
    async with transaction(stack.services.sessions) as s:
        # Two entries share a timestamp: the cursor must still neither skip nor repeat one.
        await record(
            s,
            [
                _event(citizen.person_id, occurred_at=t + timedelta(minutes=i // 2), source=f"S{i}")
                for i in range(7)
            ],
        )
    seen: list[str] = []
    after: str | None = None
    for _ in range(10):
        body = await stack.graphql(
            ACCESS_LOG, {"first": 3, "after": after}, token=stack.token(citizen.username)
        )
        log = body["data"]["myAccessLog"]
        seen += [edge["node"]["source"] for edge in log["edges"]]
        if not log["pageInfo"]["hasNextPage"]:
            break
        after = log["pageInfo"]["endCursor"]
    assert sorted(seen) == [f"S{i}" for i in range(7)]
    assert len(seen) == 7
    assert seen.index("S6") < seen.index("S4") < seen.index("S2") < seen.index("S0")

    body = await stack.graphql(
        ACCESS_LOG, {"first": 3, "after": "bm9wZQ=="}, token=stack.token(citizen.username)
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_only_citizens_have_an_access_log(stack: Stack) -> None:
    body = await stack.graphql(ACCESS_LOG, {"first": 5}, token=stack.token("tovholder"))
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await stack.client.post("/graphql", json={"query": ACCESS_LOG, "variables": {"first": 5}})
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


class HeldConnector:
    """A department connector whose calls wait until released (the department is slow to answer)."""

    def __init__(self, inner: Any) -> None:
        import asyncio

        self.inner = inner
        self.department = inner.department
        self.batch_limit = inner.batch_limit
        self.release = asyncio.Event()
        self.calls = 0

    async def fetch_many(self, cprs: Any, *, deadline: Any = None) -> Any:
        self.calls += 1
        await self.release.wait()
        return await self.inner.fetch_many(cprs, deadline=deadline)

    async def probe(self) -> Any:
        return await self.inner.probe()

    async def aclose(self) -> None:
        await self.inner.aclose()


def _hold(stack: Stack, department: Department) -> HeldConnector:
    held = HeldConnector(stack.services.connectors[department])
    stack.services.connectors[department] = held  # type: ignore[index]
    return held


@pytest.fixture
async def patient_stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """A hub that waits for a slow department as long as a test may take (no latency budget cuts it short)."""
    async with running_stack(
        tmp_path,
        families=6,
        seed=7,
        department_budget_s=4 * IT_HAPPENS_S,
        request_deadline_s=8 * IT_HAPPENS_S,
    ) as st:
        yield st


async def test_a_view_commits_its_entries_while_the_department_answers(patient_stack: Stack) -> None:
    """The early commit: the view's whole audit append runs while its department call is outstanding, and the
    response needs no second transaction."""
    import asyncio

    counter = InsertCounter(
        writer_engine(patient_stack.services.engine) or patient_stack.services.engine.sync_engine
    )
    committed_once = asyncio.Event()
    write = session_writer(patient_stack.services.sessions)

    async def signalling_writer(events: Sequence[AuditEvent]) -> None:
        await write(events)
        committed_once.set()

    patient_stack.services.extras["audit_writer"] = signalling_writer
    held = _hold(patient_stack, Department.BIF)
    view = asyncio.create_task(
        patient_stack.graphql(FAMILIES_QUERY, token=patient_stack.token("bif-sagsbehandler"))
    )
    await asyncio.wait_for(committed_once.wait(), IT_HAPPENS_S)
    assert counter.count == 1
    assert held.calls  # BIF was asked ...
    assert not view.done()  # ... and the view committed while BIF had not answered
    committed = await _entries(patient_stack)
    assert {e.source for e in committed} >= {"BIF", "HUB:family"}  # decisions and identity reads alike
    held.release.set()
    body = await asyncio.wait_for(view, IT_HAPPENS_S)
    assert body["data"] is not None, body
    assert {
        m["employment"]["status"] for e in body["data"]["families"]["edges"] for m in e["node"]["members"]
    }
    assert counter.count == 1  # no second transaction at the end
    assert [(e.chain, e.seq) for e in await _entries(patient_stack)] == [(e.chain, e.seq) for e in committed]
    async with patient_stack.services.sessions() as s:
        assert (await verify_chains(s)).ok


async def test_a_failed_early_commit_withholds_the_view_after_the_department_answers(
    patient_stack: Stack,
) -> None:
    import asyncio

    tried = asyncio.Event()

    async def failing_writer(events: Sequence[AuditEvent]) -> None:
        tried.set()
        raise OSError("disk full")

    patient_stack.services.extras["audit_writer"] = failing_writer
    held = _hold(patient_stack, Department.BIF)
    view = asyncio.create_task(_post(patient_stack, FAMILIES_QUERY, patient_stack.token("bif-sagsbehandler")))
    await asyncio.wait_for(tried.wait(), IT_HAPPENS_S)
    assert held.calls
    assert not view.done()
    held.release.set()
    response = await asyncio.wait_for(view, IT_HAPPENS_S)
    body = response.json()
    assert body["data"] is None, body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL"]
    assert "disk" not in response.text
    assert await _entries(patient_stack) == []
