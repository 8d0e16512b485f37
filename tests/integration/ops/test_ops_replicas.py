"""Two `hub serve` replicas behind HAProxy (docker/haproxy/haproxy.cfg itself) on one PostgreSQL and Redis.

Under a bounded mixed load through the proxy (family views and webhook pushes) one replica is killed with SIGKILL
and restarted. Checked: requests keep succeeding, and the only failures are requests in flight on the dead
replica when it died; every acknowledged push is stored exactly once; a subscriber on the survivor receives a
push made through the restarted replica; `hub audit verify` passes.

Two subscribers follow the family through the proxy during the load (leastconn puts one on each replica). The one
whose replica dies reconnects through the proxy with its last cursor (`familyUpdated(after:)`); both must then
have received every applied push of the watched record after their first update, those pushed while one was
down included, each exactly once.

Needs HAProxy (Debian's `haproxy`, installed by .ci/run), PostgreSQL and Redis: with CI=true a missing one fails
the test, elsewhere it is skipped with a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pytest
from ops_processes import HubProcess, free_port, hub_env, start_hub, stop, wait_healthy
from sqlalchemy import func, select
from websockets.exceptions import WebSocketException

from hub.cpr import age_on
from hub.domain import Department
from hub.ingestion.models import IngestedEvent
from hub.ingestion.webhook import signed_headers
from hub.plan.models import ProgressNote
from hub.world.model import WorldPerson
from tests.integration.ingestion.ws_support import subscribed
from tests.support.backends import (
    create_postgres_database,
    drop_postgres_database,
    redis_url,
    unavailable,
)
from tests.support.stack import Stack, running_stack
from tests.support.waits import IT_HAPPENS_S

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
HAPROXY_CFG = REPO / "docker" / "haproxy" / "haproxy.cfg"
GOALS = "query Goals($id: ID!) { family(id: $id) { plan { goals { id } } } }"
NOTE = "mutation Note($input: AddProgressNoteInput!) { addProgressNote(input: $input) { __typename } }"
VIEW = "query View($id: ID!) { family(id: $id) { name members { social { status } employment { status } } } }"
WORKERS = 6
LOAD_S = 7.0
KILL_AT_S = 2.0
RESTART_AT_S = 4.0
WATCHED_PUSH_EVERY_S = 0.2
RECONNECT_AFTER_S = 1.0  # a subscriber backs off before reconnecting: pushes happen while it is away


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if Path(p).exists()), None
    )
    if found is None:
        unavailable("HAProxy", "no haproxy binary; Debian: apt-get install haproxy (.ci/run does)")
        raise AssertionError("unreachable")
    return found


@pytest.fixture
def postgres_url() -> Iterator[str]:
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
async def pg_stack(postgres_url: str, tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=4, seed=7, database_url=postgres_url) as s:
        yield s


@contextlib.asynccontextmanager
async def haproxy(binary: str, hubs: list[HubProcess], log: Path) -> AsyncIterator[str]:
    port, stats = free_port(), free_port()
    env = {
        **os.environ,
        "HUB_LB_BIND": f"127.0.0.1:{port}",
        "HUB_LB_HUB1": f"127.0.0.1:{hubs[0].port}",
        "HUB_LB_HUB2": f"127.0.0.1:{hubs[1].port}",
        "HUB_LB_STATS_BIND": f"127.0.0.1:{stats}",
    }
    out = await asyncio.to_thread(log.open, "ab")
    try:
        process = await asyncio.create_subprocess_exec(
            binary, "-db", "-f", str(HAPROXY_CFG), env=env, stdout=out, stderr=subprocess.STDOUT
        )
    finally:
        out.close()
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_healthy(url, process, log)
        yield url
    finally:
        await stop(process)


def _view_ok(body: dict[str, object]) -> bool:
    """The family came back; per-member consent and access refusals are part of a normal answer."""
    data = body.get("data")
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}  # type: ignore[attr-defined]
    return (
        isinstance(data, dict)
        and data.get("family") is not None
        and codes <= {"CONSENT_REQUIRED", "FORBIDDEN"}
    )


@dataclass
class Outcome:
    kind: str
    started: float
    ended: float
    ok: bool
    key: str | None = None  # the push's eventId, or the note's text
    detail: str = ""
    version: int | None = None  # a push's record version
    record: str | None = None  # a push's record id
    applied: bool = False  # a push answered APPLIED


@dataclass
class Follower:
    """A subscriber through the proxy that reconnects with its last cursor whenever its connection is lost."""

    name: str
    received: list[dict[str, object]] = field(default_factory=list)
    cursor: str | None = None
    reconnects: int = 0
    lost: list[str] = field(default_factory=list)  # why each connection ended
    away: list[tuple[float, float]] = field(default_factory=list)  # (lost, subscribed again) per loss

    async def follow(self, lb: str, token: str, family_id: str, stop: asyncio.Event) -> None:
        lost_at: float | None = None
        while not stop.is_set():
            try:
                async with subscribed(lb, token, family_id, after=self.cursor, resumable=True) as sub:
                    if lost_at is not None:
                        self.away.append((lost_at, time.monotonic()))
                        lost_at = None
                    while not stop.is_set():
                        try:
                            update = await sub.next(wait_s=0.5)
                        except TimeoutError:
                            continue
                        self.received.append(update)
                        if isinstance(update.get("cursor"), str):
                            self.cursor = str(update["cursor"])
            except (WebSocketException, OSError, TimeoutError) as exc:
                self.lost.append(type(exc).__name__)
                self.reconnects += 1
                lost_at = time.monotonic() if lost_at is None else lost_at
                await asyncio.sleep(RECONNECT_AFTER_S)


async def test_replicas_behind_haproxy_survive_a_killed_replica(pg_stack: Stack, tmp_path: Path) -> None:
    stack = pg_stack
    binary = haproxy_binary()
    redis = redis_url()
    prefix = f"familiehub-test-{uuid.uuid4().hex[:12]}"
    env = hub_env(
        stack.settings,
        HUB_REDIS_URL=redis,
        HUB_PUBSUB_PREFIX=prefix,
        HUB_FORWARDED_ALLOW_IPS="127.0.0.1",
        HUB_SHUTDOWN_GRACE_S="5",
        # A slow department under CI load must not count as a failed view: this test is about the replicas.
        HUB_DEPARTMENT_BUDGET_S="10",
    )
    family = stack.world.families[0]
    adults = [m for m in family.members if age_on(m.birth_date, stack.world.today) >= 18]
    pushable = [(d, m) for m in adults for d in Department if m.cpr in stack.world.department_records[d]]
    assert pushable
    viewer = stack.token("tovholder", ttl_s=1800)
    citizen = stack.token(f"borger-{family.key}-1", ttl_s=1800)
    versions = itertools.count(1)
    push_turns = itertools.count()  # each pushable (department, member) in turn, the watched one included
    goal_ids: list[str] = []
    for candidate in stack.world.families:
        plan = await stack.graphql(GOALS, {"id": candidate.key}, token=viewer)
        goal_ids = [g["id"] for g in ((plan["data"]["family"] or {}).get("plan") or {}).get("goals", [])]
        if goal_ids:
            break
    assert goal_ids, "no seeded family has a plan goal"

    def push_body(department: Department, cpr: str, key: str, event_id: str) -> bytes:
        event = {
            "eventId": event_id,
            "department": department.value,
            "subjectCpr": cpr,
            "recordKind": "person",
            "recordId": f"{department.value}-{key}",
            "version": next(versions),
            "occurredAt": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(),
            "record": stack.world.department_records[department][cpr],
        }
        return orjson.dumps({"events": [event]})

    hub_a = await start_hub(env, tmp_path / "a.log")
    hub_b = await start_hub(env, tmp_path / "b.log")
    try:
        async with haproxy(binary, [hub_a, hub_b], tmp_path / "haproxy.log") as lb:
            outcomes: list[Outcome] = []
            watched_department, watched_member = pushable[0]
            watched_record = f"{watched_department.value}-{watched_member.key}"
            member_id = stack.seeded.person_ids[watched_member.cpr]
            followers = [Follower("first"), Follower("second")]
            stop_following = asyncio.Event()
            following: list[asyncio.Task[None]] = []
            for follower in followers:  # one after the other: leastconn puts them on different replicas
                following.append(
                    asyncio.create_task(follower.follow(lb, citizen, family.key, stop_following))
                )
                await asyncio.sleep(0.3)
            # Both live: push the watched record through the proxy until each has an update (bounded).
            async with httpx.AsyncClient(base_url=lb, timeout=IT_HAPPENS_S) as warm:
                for _ in range(40):
                    if all(f.cursor is not None for f in followers):
                        break
                    body = push_body(
                        watched_department, watched_member.cpr, watched_member.key, f"lb-{uuid.uuid4().hex}"
                    )
                    r = await warm.post(
                        f"/webhooks/{watched_department.value}",
                        content=body,
                        headers=signed_headers(stack.settings.webhook_secret(watched_department), body),
                    )
                    assert r.status_code == 200, r.text
                    await asyncio.sleep(0.25)
            assert all(f.cursor is not None for f in followers), "a subscriber never became live"
            warmed_up = int(orjson.loads(body)["events"][0]["version"])  # later pushes: all must arrive
            t0 = time.monotonic()

            async def push(
                client: httpx.AsyncClient, department: Department, member: WorldPerson, started: float
            ) -> None:
                event_id = f"lb-{uuid.uuid4().hex}"
                body = push_body(department, member.cpr, member.key, event_id)
                version = orjson.loads(body)["events"][0]["version"]
                secret = stack.settings.webhook_secret(department)
                applied = False
                try:
                    r = await client.post(
                        f"/webhooks/{department.value}", content=body, headers=signed_headers(secret, body)
                    )
                    ok = r.status_code == 200
                    applied = ok and r.json()["results"][0]["status"] == "APPLIED"
                    detail = "" if ok else f"{r.status_code} {r.text[:80]}"
                except httpx.HTTPError as exc:
                    ok, detail = False, type(exc).__name__
                outcomes.append(
                    Outcome(
                        "push",
                        started,
                        time.monotonic(),
                        ok,
                        event_id,
                        detail,
                        version=version,
                        applied=applied,
                        record=f"{department.value}-{member.key}",
                    )
                )

            async def watched_pusher(client: httpx.AsyncClient) -> None:
                """The watched record changes at a steady pace, so some changes fall while a subscriber is away."""
                while time.monotonic() - t0 < LOAD_S:
                    await push(client, watched_department, watched_member, time.monotonic())
                    await asyncio.sleep(WATCHED_PUSH_EVERY_S)

            async def worker(n: int, client: httpx.AsyncClient) -> None:
                i = 0
                while time.monotonic() - t0 < LOAD_S:
                    i += 1
                    started = time.monotonic()
                    if (n + i) % 4 == 1:
                        note = f"replica-test {uuid.uuid4().hex}"  # no personal data: an id of our own
                        try:
                            r = await client.post(
                                "/graphql",
                                json={
                                    "query": NOTE,
                                    "variables": {"input": {"goalId": goal_ids[0], "text": note}},
                                },
                                headers={"Authorization": f"Bearer {viewer}"},
                            )
                            ok = (
                                r.status_code == 200
                                and r.json()["data"]["addProgressNote"]["__typename"] == "PlanGoal"
                            )
                            detail = "" if ok else f"{r.status_code} {r.text[:80]}"
                        except (httpx.HTTPError, ValueError, TypeError, KeyError) as exc:
                            ok, detail = False, type(exc).__name__
                        outcomes.append(Outcome("note", started, time.monotonic(), ok, note, detail))
                    elif (n + i) % 4 == 3:
                        department, member = pushable[next(push_turns) % len(pushable)]
                        await push(client, department, member, started)
                    else:
                        try:
                            r = await client.post(
                                "/graphql",
                                json={"query": VIEW, "variables": {"id": family.key}},
                                headers={"Authorization": f"Bearer {viewer}"},
                            )
                            ok = r.status_code == 200 and _view_ok(r.json())
                            detail = "" if ok else f"{r.status_code} {r.text[:80]}"
                        except httpx.HTTPError as exc:
                            ok, detail = False, type(exc).__name__
                        outcomes.append(Outcome("view", started, time.monotonic(), ok, None, detail))

            async def chaos() -> tuple[float, float]:
                await asyncio.sleep(KILL_AT_S)
                hub_a.process.send_signal(signal.SIGKILL)
                killed = time.monotonic()
                await hub_a.process.wait()
                dead = time.monotonic()  # until now its socket still took connections (the kernel's backlog)
                await asyncio.sleep(RESTART_AT_S - KILL_AT_S)
                restarted = await start_hub(env, tmp_path / "a.log", port=hub_a.port)
                hub_a.process = restarted.process
                return killed, dead

            # Fresh connections per request, as independent clients would make.
            limits = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(base_url=lb, timeout=10, limits=limits) as client:
                results = await asyncio.gather(
                    chaos(), watched_pusher(client), *(worker(n, client) for n in range(WORKERS))
                )
            killed_at, dead_at = results[0]

            # Requests kept succeeding, before, during and after the kill.
            after_kill = [o for o in outcomes if o.started > dead_at]
            summary = f"{len(outcomes)} requests, {sum(o.ok for o in after_kill)} ok after the kill"
            assert len(outcomes) > 30, summary
            assert sum(o.ok for o in after_kill) > 10, summary
            failed = [o for o in outcomes if not o.ok]
            # ... and the only failures were in flight on the dead replica when it died.
            assert len(failed) <= WORKERS + 1, [(o.kind, o.detail) for o in failed]
            for o in failed:
                assert o.started <= dead_at + 0.05, (o.kind, o.detail, o.started - dead_at)
                assert o.ended >= killed_at, (o.kind, o.detail, o.ended - killed_at)

            # The subscriber whose replica died reconnected through the proxy with its cursor; each received
            # every applied push of the watched record after its first update (those pushed while it was
            # away included), none twice, and nothing that was not pushed.
            pushed_watched = {
                o.version: o
                for o in outcomes
                if o.kind == "push" and o.version is not None and o.record == watched_record
            }

            def got(f: Follower) -> list[int]:
                return [
                    int(str(u["version"]))
                    for u in f.received
                    if u["memberId"] == member_id
                    and u["department"] == watched_department.value
                    and int(str(u["version"])) > warmed_up
                ]

            expected = {v for v, o in pushed_watched.items() if o.applied}
            for _ in range(100):  # bounded: 20 s for the last updates to arrive
                if all(expected <= set(got(f)) for f in followers):
                    break
                await asyncio.sleep(0.2)
            stop_following.set()
            await asyncio.gather(*following)
            assert any(f.reconnects for f in followers), [(f.name, f.lost) for f in followers]
            assert expected, "no push of the watched record was applied during the load"
            missed_while_away = [
                v
                for v in expected
                for f in followers
                for lost, back in f.away
                if lost < pushed_watched[v].started < back
            ]
            assert missed_while_away, "no watched push happened while a subscriber was away: resume untested"
            for f in followers:
                versions_got = got(f)
                assert expected <= set(versions_got), (f.name, f.lost, sorted(expected - set(versions_got)))
                assert len(versions_got) == len(set(versions_got)), (f.name, "an update arrived twice")
                assert set(versions_got) <= set(pushed_watched), (f.name, "an update nobody pushed")

            # Every acknowledged push is stored exactly once.
            acked = [o.key for o in outcomes if o.kind == "push" and o.ok]
            assert acked
            async with stack.services.sessions() as session:
                rows = await session.execute(
                    select(IngestedEvent.event_id, func.count())
                    .where(IngestedEvent.event_id.in_(acked))
                    .group_by(IngestedEvent.event_id)
                )
                stored: dict[str, int] = dict(rows.all())
            assert all(stored.get(e) == 1 for e in acked), "an acknowledged push was lost or duplicated"

            # No plan edit lost or duplicated: every acknowledged note stored once, none stored twice.
            notes = [o for o in outcomes if o.kind == "note"]
            assert any(o.ok for o in notes)
            async with stack.services.sessions() as session:
                rows = await session.execute(
                    select(ProgressNote.text, func.count())
                    .where(ProgressNote.text.in_([o.key for o in notes]))
                    .group_by(ProgressNote.text)
                )
                written: dict[str, int] = dict(rows.all())
            assert all(written.get(o.key or "") == 1 for o in notes if o.ok), "a plan edit was lost"
            assert all(n == 1 for n in written.values()), "a plan edit was stored twice"

            # A subscriber on the survivor (B) receives a push made through the restarted replica (A).
            async with (
                subscribed(hub_b.url, citizen, family.key) as subscriber,
                httpx.AsyncClient(base_url=hub_a.url, timeout=IT_HAPPENS_S) as direct,
            ):
                department, member = pushable[0]
                received = None
                for _ in range(40):
                    body = push_body(department, member.cpr, member.key, f"lb-{uuid.uuid4().hex}")
                    secret = stack.settings.webhook_secret(department)
                    r = await direct.post(
                        f"/webhooks/{department.value}", content=body, headers=signed_headers(secret, body)
                    )
                    assert r.status_code == 200, r.text
                    with contextlib.suppress(TimeoutError):
                        received = await subscriber.next(wait_s=0.25)
                        break
                assert received is not None, "no push from the restarted replica reached the survivor"
                assert received["department"] == department.value
    finally:
        await stop(hub_a.process)
        await stop(hub_b.process)

    # The audit chains are intact after the kill.
    verify = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "hub"),
        "audit",
        "verify",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(verify.communicate(), 60)
    assert verify.returncode == 0, output.decode(errors="replace")[-2000:]
