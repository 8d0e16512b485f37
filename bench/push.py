"""Scenarios that need push ingestion: `push_ingest` (events per second through the GraphQL mutation and the
signed webhook, on SQLite and on PostgreSQL), `family_view_cached` (the family view once pushes keep the
cache fresh, paired with the floor) and `subscription_latency` (push to subscriber delivery,
graphql-transport-ws).

Each is skipped with a clear line when the hub does not offer what it needs (found by introspection and by
probing the webhook route). Events are generated from the world: every department's wire record about a
person, exactly what its single-person endpoint returns, with fresh event ids and increasing versions.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench.guard import FAILURES, guarded
from bench.options import Options
from bench.procs import BenchError, Pinning, Stack, fresh_postgres
from bench.queries import AnswerError, HubClient, check_answer
from bench.report import Report, Row, Spread, Target
from bench.rounds import Load, Rounds, build_row
from bench.subscription import subscription_latency
from hub.domain import Department
from hub.world import World, generate_world

PUSH_MUTATION = """
mutation Push($events: [DepartmentEventInput!]!) {
  pushDepartmentUpdates(events: $events) {
    applied superseded rejected results { status error { code field } }
  }
}
"""
SUBSCRIPTION = """
subscription Updates($id: ID!) { familyUpdated(familyId: $id) { familyId kind memberId department version } }
"""
INTROSPECTION = "{ __schema { mutationType { fields { name } } subscriptionType { fields { name } } } }"


@dataclass(frozen=True)
class Availability:
    mutation: bool
    webhook: bool
    subscription: bool


async def availability(session: aiohttp.ClientSession, hub_url: str, token: str) -> Availability:
    client = HubClient(session, hub_url, token)
    status, body = await client.post(INTROSPECTION)
    schema = (orjson.loads(body).get("data") or {}).get("__schema") or {} if status == 200 else {}
    mutations = {f["name"] for f in ((schema.get("mutationType") or {}).get("fields") or ())}
    subscriptions = {f["name"] for f in ((schema.get("subscriptionType") or {}).get("fields") or ())}
    async with session.post(f"{hub_url}/webhooks/SOF", data=b"{}") as response:
        await response.read()
        webhook = response.status != 404  # an unsigned request: 401 when the route exists
    found = Availability("pushDepartmentUpdates" in mutations, webhook, "familyUpdated" in subscriptions)
    if status != 200 or not schema:
        # Say why the GraphQL doors look absent, so "not available" is never a silent misreading.
        raise AnswerError(f"introspection_HTTP{status}")
    return found


@dataclass
class EventSource:
    """Fresh events from the world's department records; version n+1 always beats version n."""

    world: World
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def __post_init__(self) -> None:
        self.person_family = {m.cpr: f.key for f in self.world.families for m in f.members}
        # Only the programme's persons: the departments also know not-yet-referred candidates the hub has never
        # seen (World.candidates), whose events the hub rejects as an unknown subject.
        self.records: dict[Department, list[tuple[str, Mapping[str, Any]]]] = {
            d: sorted(
                (cpr, record)
                for cpr, record in self.world.department_records.get(d, {}).items()
                if cpr in self.person_family
            )
            for d in Department
        }
        self.counter = itertools.count()
        self.versions = itertools.count(1)  # one increasing version for every event: each one is APPLIED

    def event(self, department: Department, cpr: str, record: Mapping[str, Any] | None) -> dict[str, Any]:
        n = next(self.counter)
        version = next(self.versions)
        occurred = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        return {
            "eventId": f"bench-{self.run}-{n}",
            "department": department.value,
            "subjectCpr": cpr,
            "recordKind": "record",
            "recordId": f"{department.value}-{self.person_family.get(cpr, 'x')}-{n % 1_000_000}",
            "version": version,
            "occurredAt": occurred.isoformat().replace("+00:00", "Z"),
            "record": None if record is None else dict(record),
            "deleted": record is None,
        }

    def batch(self, department: Department, index: int, size: int) -> list[dict[str, Any]]:
        """Batch `index` of `size` events for one department, cycling through its records."""
        records = self.records[department]
        if not records:
            return []
        out = []
        for k in range(index * size, index * size + size):
            cpr, record = records[k % len(records)]
            out.append(self.event(department, cpr, record))
        return out


class Pusher:
    def __init__(
        self, session: aiohttp.ClientSession, hub_url: str, system_tokens: Mapping[Department, str]
    ) -> None:
        self.session = session
        self.hub_url = hub_url
        self.clients = {d: HubClient(session, hub_url, t) for d, t in system_tokens.items()}

    async def mutation(self, department: Department, events: Sequence[Mapping[str, Any]]) -> int:
        status, body = await self.clients[department].post(PUSH_MUTATION, {"events": list(events)})
        result = check_answer(status, body, "pushDepartmentUpdates")["pushDepartmentUpdates"]
        if result["rejected"]:
            first = next(r["error"] for r in result["results"] if r["status"] == "REJECTED")
            raise AnswerError(f"REJECTED {first.get('code')} {first.get('field')}")
        return int(result["applied"]) + int(result["superseded"])

    async def webhook(self, department: Department, events: Sequence[Mapping[str, Any]]) -> int:
        from hub.ingestion.webhook import signed_headers
        from hub.settings import dev_webhook_secret

        body = orjson.dumps({"events": list(events)})
        headers = signed_headers(dev_webhook_secret(department), body)
        async with self.session.post(
            f"{self.hub_url}/webhooks/{department.value}", data=body, headers=headers
        ) as r:
            raw = await r.read()
        if r.status != 200:
            raise AnswerError(f"HTTP{r.status}")
        results = orjson.loads(raw)["results"]
        if any(x.get("status") == "REJECTED" for x in results):
            raise AnswerError("REJECTED")
        return len(results)


async def system_tokens(stack: Stack) -> dict[Department, str]:
    names = {d: f"{d.value.lower()}-system" for d in Department}
    minted = await stack.tokens(list(names.values()))
    return {d: minted[name] for d, name in names.items()}


async def push_ingest(
    pusher: Pusher,
    source: EventSource,
    rounds: Rounds,
    options: Options,
    *,
    backend: str,
    avail: Availability,
) -> list[Row]:
    departments = [d for d in Department if source.records[d]]
    size = options.push_batch

    def door(kind: str) -> Any:
        send = pusher.mutation if kind == "mutation" else pusher.webhook

        async def attempt(i: int) -> object:
            department = departments[i % len(departments)]
            return await send(department, source.batch(department, i // len(departments), size))

        return attempt

    subjects = {k: door(k) for k, ok in (("mutation", avail.mutation), ("webhook", avail.webhook)) if ok}
    await rounds.warm_up(subjects, options.warmup_s / 2)
    rows = []
    for concurrency in options.push_concurrencies:
        load = Load(concurrency=concurrency)
        measured = await rounds.paired(
            subjects, load, rounds=options.rounds, duration_s=options.duration_s, seed=0
        )
        for kind, ms in measured.items():
            row = build_row(
                f"push_ingest/{backend}",
                load,
                kind,
                ms,
                hub_side=True,
                rss_mb=rounds.hub.peak_rss_mb() if rounds.hub else None,
            )
            row.throughput = Spread.of(m.result.throughput * size for m in ms)  # events per second
            row.per_core_second = (row.per_core_second or 0) * size or None
            row.cpu_ms_per_request = (row.cpu_ms_per_request or 0) / size or None  # per event
            row.calls_per_request = None
            row.note = f"req/s, req/core-s and CPU ms/req count events ({size} per push); latency is per push"
            rows.append(row)
    return rows


async def family_view_cached(bench: Any, pusher: Pusher, source: EventSource, report: Report) -> list[Row]:
    """Push every person's record (and a deletion where a department has none) for every department, then
    measure the family view paired with the floor: the cache should answer, with no department calls."""
    o = bench.options
    if not bench.plans:  # run without family_view: the floor needs what the hub fetches for each family
        await bench.make_plans()
    for department in Department:
        have = dict(source.records[department])
        events = [
            source.event(department, m.cpr, have.get(m.cpr)) for f in bench.world.families for m in f.members
        ]
        for start in range(0, len(events), 500):
            await pusher.mutation(department, events[start : start + 500])
    subjects = bench.subjects()
    await bench.warm_up(subjects)
    rows = []
    for load in (Load(rate=o.rate), Load(concurrency=8 if not o.smoke else 4)):
        bench.hub.reset_peak_rss()
        measured = await bench.rounds.paired(
            subjects, load, rounds=o.rounds, duration_s=o.duration_s, seed=o.seed
        )
        hub_row = build_row(
            "family_view_cached",
            load,
            "hub",
            measured["hub"],
            baseline=measured["floor"],
            hub_side=True,
            rss_mb=bench.hub.peak_rss_mb(),
        )
        hub_row.note = "every section pushed beforehand; x < 1 means faster than calling the departments"
        rows += [hub_row, build_row("family_view_cached", load, "floor", measured["floor"])]
    calls = rows[0].calls_per_request
    report.targets.append(
        Target(
            "family view with a push-fresh cache: no department calls",
            "-" if calls is None else f"{calls:.2f} calls per view",
            None if calls is None else calls < 0.05,
        )
    )
    return rows


async def main_stack_scenarios(bench: Any, stack: Stack, report: Report) -> None:
    """The push scenarios on the main stack (SQLite, or PostgreSQL with `--hub-database postgres`); each skipped
    with a reason when not available."""
    o: Options = bench.options
    wanted = {"family_view_cached", "subscription_latency", "push_ingest"} & set(o.scenarios)
    if not wanted:
        return
    token = await stack.token("tovholder")
    try:
        avail = await availability(bench.session, stack.hub_url, token)
    except FAILURES as exc:
        report.skipped.append(f"push scenarios: FAILED ({type(exc).__name__}: {exc})")
        return
    if not (avail.mutation or avail.webhook):
        report.skipped += [
            f"{s}: not available yet (no pushDepartmentUpdates mutation or webhook)" for s in sorted(wanted)
        ]
        return
    pusher = Pusher(bench.session, stack.hub_url, await system_tokens(stack))
    source = EventSource(bench.world)
    if "family_view_cached" in wanted:
        if avail.mutation:
            await guarded(report, "family_view_cached", family_view_cached(bench, pusher, source, report))
        else:
            report.skipped.append(
                "family_view_cached: not available yet (needs the pushDepartmentUpdates mutation)"
            )
    if "subscription_latency" in wanted:
        if avail.subscription and avail.mutation:
            scenario = subscription_latency(
                bench, stack.hub_url, token, push=pusher.mutation, make_event=source.event, report=report
            )
            await guarded(report, "subscription_latency", scenario)
        else:
            report.skipped.append(
                "subscription_latency: not available yet (needs familyUpdated and the mutation)"
            )
    if "push_ingest" in wanted:
        rounds = Rounds(bench.session, {}, stack.hub)
        backend = "postgresql" if o.hub_database == "postgres" else "sqlite"
        await guarded(
            report,
            f"push_ingest/{backend}",
            push_ingest(pusher, source, rounds, o, backend=backend, avail=avail),
        )


def postgres_push(
    options: Options, root: Path, department_urls: Mapping[Department, str], pinning: Pinning, report: Report
) -> None:
    """push_ingest against a hub on a fresh PostgreSQL database (created and dropped here)."""
    with contextlib.ExitStack() as cleanup:
        try:
            url = cleanup.enter_context(fresh_postgres(options.postgres_url))
        except BenchError as exc:
            report.skipped.append(f"push_ingest/postgresql: {exc}")
            return
        _postgres_push(options, root, department_urls, pinning, report, url=url)


def _postgres_push(
    options: Options,
    root: Path,
    department_urls: Mapping[Department, str],
    pinning: Pinning,
    report: Report,
    *,
    url: str,
) -> None:
    (root / "pg").mkdir()
    stack = Stack(root / "pg", url, options.families, options.seed, pinning)
    stack.department_urls = dict(department_urls)
    try:
        stack.prepare_database()
        stack.start_hub()
        world = generate_world(options.families, options.seed)

        async def go() -> None:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
                token = await stack.token("tovholder")
                try:
                    avail = await availability(session, stack.hub_url, token)
                except FAILURES as exc:
                    report.skipped.append(f"push_ingest/postgresql: FAILED ({type(exc).__name__}: {exc})")
                    return
                if not (avail.mutation or avail.webhook):
                    report.skipped.append("push_ingest/postgresql: not available yet")
                    return
                pusher = Pusher(session, stack.hub_url, await system_tokens(stack))
                before = len(report.rows)
                scenario = push_ingest(
                    pusher,
                    EventSource(world),
                    Rounds(session, {}, stack.hub),
                    options,
                    backend="postgresql",
                    avail=avail,
                )
                await guarded(report, "push_ingest/postgresql", scenario)
                rows = report.rows[before:]
                best = max((r.throughput.median for r in rows if r.throughput and not r.errors), default=None)
                report.targets.append(
                    Target(
                        "push ingestion on PostgreSQL >= 1,000 events/s",
                        "-"
                        if best is None
                        else f"{best:.0f} events/s (best error-free door and concurrency)",
                        None if best is None else best >= 1000,
                    )
                )

        asyncio.run(go())
    finally:
        stack.close()
