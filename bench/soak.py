"""Soak: `python -m bench.soak --duration 600` (bounded; not in CI).

Two `hub serve` replicas on one fresh PostgreSQL database (created and dropped here) and Redis, the five mock
departments, and a steady open-loop mixed load from this process, alternating between the replicas: family views
(tovholder, a random family) and webhook pushes (one event each, fresh ids); and `--subscribers` WebSocket
clients (alternating replicas), each a citizen following their own family with `familyUpdated` (a share of the
pushes, `--watched-share`, change their records), that drop the connection every `--resubscribe` seconds and
resume from the last cursor (`after:`); a repeated cursor or a stream error counts as an error. Every `--sample` seconds it records
per replica the RSS and open file descriptors, the database's connections (pg_stat_activity), the Redis clients
on the soak's own database index, and for the interval the request count, error count and p50/p99 latency.
Prints one table and a final JSON line; exit 1 if any request failed or a resource grew past its tolerance
between the second sample and the last (the first minute includes warm-up).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson
import redis.asyncio as aioredis

from bench.load import percentile
from bench.procs import Pinning, Proc, Stack, free_port, fresh_postgres, temporary_root, wait_http_ok
from bench.queries import FAMILY_QUERY
from hub.cpr import age_on
from hub.domain import Department
from hub.ingestion.webhook import signed_headers
from hub.settings import Settings
from hub.world import generate_world

# Growth allowed from the second sample to the last before the run counts as leaking.
RSS_GROWTH_MB = 40.0
FD_GROWTH = 10
CONNECTION_GROWTH = 5


@dataclass
class Interval:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    updates: int = 0  # familyUpdated deliveries
    resumes: int = 0  # reconnections with a cursor


RESUME = """
subscription Soak($familyId: ID!, $after: String) {
  familyUpdated(familyId: $familyId, after: $after) { kind version cursor }
}
"""


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def _pg_connections(admin_url: str, database: str) -> int:
    conn = await asyncpg.connect(admin_url, timeout=5)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", database))
    finally:
        await conn.close()


async def _redis_clients(url: str, db: int) -> int:
    client = aioredis.Redis.from_url(url)
    try:
        clients = await client.client_list()
        # Our own sampling connection is on this database too.
        return sum(1 for c in clients if int(c.get("db", -1)) == db) - 1
    finally:
        await client.aclose()


async def soak(  # noqa: PLR0915 - one bounded scenario, read top to bottom
    args: argparse.Namespace, stack: Stack, database: str, admin_url: str
) -> dict[str, Any]:
    world = generate_world(args.families, args.seed)
    redis_db = int(args.redis_url.rsplit("/", 1)[1])
    prefix = f"familiehub-soak-{uuid.uuid4().hex[:8]}"
    hubs: list[tuple[Proc, str]] = []
    for name in ("hub1", "hub2"):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = stack.spawn(
            name,
            ["serve", "--host", "127.0.0.1", "--port", str(port)],
            pin=stack.pinning.hub,
            env={"HUB_REDIS_URL": args.redis_url, "HUB_PUBSUB_PREFIX": prefix, "HUB_PORT": str(port)},
        )
        wait_http_ok(proc, [f"{url}/readyz"])
        hubs.append((proc, url))
    tokens = []
    for _, url in hubs:
        stack.hub_url = url
        tokens.append(await stack.token("tovholder"))
    citizens = []  # borger-<family>-1: the first adult of each of the first families (hub/auth/seed.py)
    for n in range(args.subscribers):
        stack.hub_url = hubs[n % 2][1]
        citizens.append(await stack.token(f"borger-{world.families[n].key}-1"))
    settings = Settings()
    pushable = [
        (d, m)
        for f in world.families
        for m in f.members
        if age_on(m.birth_date, world.today) >= 18
        for d in Department
        if m.cpr in world.department_records[d]
    ]
    watched = [
        (d, m)
        for f in world.families[: args.subscribers]
        for m in [next(m for m in f.members if age_on(m.birth_date, world.today) >= 18)]
        for d in Department
        if m.cpr in world.department_records[d]
    ]
    versions = itertools.count(1)
    rng = random.Random(args.seed)
    intervals: list[Interval] = [Interval()]
    samples: list[dict[str, Any]] = []
    in_flight: set[asyncio.Task[None]] = set()

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        interval = intervals[-1]
        _, url = hubs[i % 2]
        started = time.perf_counter()
        kind = "view"
        try:
            if rng.random() < args.push_share:
                kind = "push"
                watch = watched and rng.random() < args.watched_share
                department, member = rng.choice(watched if watch else pushable)
                event = {
                    "eventId": f"soak-{uuid.uuid4().hex}",
                    "department": department.value,
                    "subjectCpr": member.cpr,
                    "recordKind": "person",
                    "recordId": f"{department.value}-{member.key}",
                    "version": next(versions),
                    "occurredAt": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(),
                    "record": world.department_records[department][member.cpr],
                }
                body = orjson.dumps({"events": [event]})
                headers = signed_headers(settings.webhook_secret(department), body)
                async with session.post(
                    f"{url}/webhooks/{department.value}", data=body, headers=headers
                ) as r:
                    ok = r.status == 200
                    await r.read()
            else:
                family = rng.choice(world.families)
                body = orjson.dumps({"query": FAMILY_QUERY, "variables": {"id": family.key}})
                headers = {"Authorization": f"Bearer {tokens[i % 2]}", "Content-Type": "application/json"}
                async with session.post(f"{url}/graphql", data=body, headers=headers) as r:
                    answer = orjson.loads(await r.read())
                    ok = r.status == 200 and (answer.get("data") or {}).get("family") is not None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            ok, kind = False, f"{kind}:{type(exc).__name__}"
        interval.latencies.append(time.perf_counter() - started)
        if not ok:
            interval.errors += 1
            interval.error_kinds[kind] = interval.error_kinds.get(kind, 0) + 1

    def error(kind: str) -> None:
        interval = intervals[-1]
        interval.errors += 1
        interval.error_kinds[kind] = interval.error_kinds.get(kind, 0) + 1

    async def subscriber(session: aiohttp.ClientSession, n: int, stop: asyncio.Event) -> None:
        """Follows `--follow` families on one connection; every `--resubscribe` s drops it and resumes."""
        _, url = hubs[n % 2]
        families = [world.families[n].key]
        cursors: dict[str, str | None] = dict.fromkeys(families)
        seen: set[str] = set()
        ws_url = url.replace("http://", "ws://") + "/graphql"
        while not stop.is_set():
            resumed = any(c is not None for c in cursors.values())
            try:
                async with session.ws_connect(ws_url, protocols=("graphql-transport-ws",)) as ws:
                    await ws.send_json(
                        {"type": "connection_init", "payload": {"Authorization": f"Bearer {citizens[n]}"}}
                    )
                    ack = await ws.receive_json(timeout=10)
                    if ack.get("type") != "connection_ack":
                        error("subscribe:no-ack")
                        continue
                    for family_id in families:
                        variables = {"familyId": family_id, "after": cursors[family_id]}
                        payload = {"query": RESUME, "variables": variables}
                        await ws.send_json({"id": family_id, "type": "subscribe", "payload": payload})
                    if resumed:
                        intervals[-1].resumes += 1
                    until = time.monotonic() + args.resubscribe
                    while not stop.is_set() and time.monotonic() < until:
                        try:
                            message = await ws.receive_json(timeout=1)
                        except TimeoutError:
                            continue
                        if message.get("type") == "ping":
                            await ws.send_json({"type": "pong"})
                        elif message.get("type") == "next" and message["payload"].get("errors"):
                            codes = {
                                e.get("extensions", {}).get("code") for e in message["payload"]["errors"]
                            }
                            error(f"subscribe:{','.join(sorted(map(str, codes)))}")
                        elif message.get("type") == "next":
                            cursor = message["payload"]["data"]["familyUpdated"]["cursor"]
                            intervals[-1].updates += 1
                            if cursor in seen:
                                error("subscribe:repeated")
                            seen.add(cursor)
                            cursors[message["id"]] = cursor
                        elif message.get("type") != "pong":
                            error(f"subscribe:{message.get('type')}")
            except (aiohttp.ClientError, TimeoutError, ValueError, TypeError, KeyError) as exc:
                error(f"subscribe:{type(exc).__name__}")
                await asyncio.sleep(1)

    async def sample(minute: int) -> None:
        interval = intervals[-1]
        intervals.append(Interval())
        ordered = sorted(interval.latencies)
        row: dict[str, Any] = {
            "t_s": minute * args.sample,
            "requests": len(interval.latencies),
            "errors": interval.errors,
            "p50_ms": round(percentile(ordered, 0.5) * 1e3, 1) if ordered else None,
            "p99_ms": round(percentile(ordered, 0.99) * 1e3, 1) if ordered else None,
            "updates": interval.updates,
            "resumes": interval.resumes,
            "rss_mb": [round(_rss_mb(p.pid), 1) for p, _ in hubs],
            "open_files": [_open_files(p.pid) for p, _ in hubs],
            "pg_connections": await _pg_connections(admin_url, database),
            "redis_clients": await _redis_clients(args.redis_url, redis_db),
        }
        if interval.error_kinds:
            row["error_kinds"] = interval.error_kinds
        samples.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)

    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        stop_following = asyncio.Event()
        following = [
            asyncio.create_task(subscriber(session, n, stop_following)) for n in range(args.subscribers)
        ]
        t0 = time.monotonic()
        next_sample = 1
        for i in itertools.count():
            due = t0 + i / args.rate
            now = time.monotonic()
            if due - t0 >= args.duration:
                break
            if due > now:
                await asyncio.sleep(due - now)
            if time.monotonic() - t0 >= next_sample * args.sample:
                await sample(next_sample)
                next_sample += 1
            task = asyncio.create_task(one(session, i))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        await asyncio.gather(*in_flight)
        stop_following.set()
        await asyncio.gather(*following)
        await sample(next_sample)
    for proc, _ in hubs:
        proc.stop()
    return _verdict(args, samples)


def _verdict(args: argparse.Namespace, samples: list[dict[str, Any]]) -> dict[str, Any]:
    base, last = (samples[1] if len(samples) > 2 else samples[0]), samples[-1]
    growth = {
        "rss_mb": [round(b - a, 1) for a, b in zip(base["rss_mb"], last["rss_mb"], strict=True)],
        "open_files": [b - a for a, b in zip(base["open_files"], last["open_files"], strict=True)],
        "pg_connections": last["pg_connections"] - base["pg_connections"],
        "redis_clients": last["redis_clients"] - base["redis_clients"],
    }
    problems = []
    if any(g > RSS_GROWTH_MB for g in growth["rss_mb"]):
        problems.append("RSS grew")
    if any(g > FD_GROWTH for g in growth["open_files"]):
        problems.append("open files grew")
    if growth["pg_connections"] > CONNECTION_GROWTH or growth["redis_clients"] > CONNECTION_GROWTH:
        problems.append("connections grew")
    errors = sum(s["errors"] for s in samples)
    if errors:
        problems.append(f"{errors} failed requests")
    return {
        "duration_s": args.duration,
        "rate": args.rate,
        "requests": sum(s["requests"] for s in samples),
        "updates": sum(s["updates"] for s in samples),
        "resumes": sum(s["resumes"] for s in samples),
        "errors": errors,
        "growth_from_second_sample": growth,
        "problems": problems,
        "samples": samples,
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    p.add_argument("--duration", type=float, default=600, help="seconds of load (default 600)")
    p.add_argument("--rate", type=float, default=3, help="requests per second, open loop (default 3)")
    p.add_argument("--push-share", type=float, default=0.25, help="share of requests that are pushes")
    p.add_argument("--sample", type=float, default=60, help="seconds between samples (default 60)")
    p.add_argument("--families", type=int, default=40)
    p.add_argument(
        "--subscribers", type=int, default=2, help="WebSocket clients (alternating replicas; at most 3)"
    )
    p.add_argument("--watched-share", type=float, default=0.3, help="share of pushes to subscribers' records")
    p.add_argument("--resubscribe", type=float, default=60, help="seconds between a subscriber's reconnects")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--latency-ms", type=int, default=20, help="injected latency of every department")
    p.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "HUB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/14", help="its own database index")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)

    admin_url = args.postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    with fresh_postgres(args.postgres_url) as url, temporary_root(args.keep) as root:
        database = url.rsplit("/", 1)[1]
        stack = Stack(root, url, args.families, args.seed, Pinning.plan())
        try:
            stack.start_departments(dict.fromkeys(Department, args.latency_ms))
            stack.prepare_database()
            stack.wait_departments()
            result = asyncio.run(soak(args, stack, database, admin_url))
        finally:
            stack.close()
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}))
    for s in result["samples"]:
        print(
            f"{s['t_s']:>6.0f}s  req {s['requests']:>5}  err {s['errors']:>3}  p50 {s['p50_ms']} ms  "
            f"p99 {s['p99_ms']} ms  rss {s['rss_mb']} MB  fds {s['open_files']}  "
            f"pg {s['pg_connections']}  redis {s['redis_clients']}"
        )
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
