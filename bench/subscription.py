"""Scenario `subscription_latency`: how long a pushed change takes to reach a subscriber of the family.

A few sampled families get a subscriber each (`familyUpdated(familyId)` over graphql-transport-ws, the token in
`connection_init`); then one event per push is sent through the mutation at a fixed pace, each for a member and
department the viewer may see (others are, correctly, never delivered). Latency runs from sending the push to
receiving the update, so it includes the push's own commit. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import aiohttp
import orjson

from bench.load import RoundResult, percentile
from bench.procs import BenchError
from bench.queries import AnswerError
from bench.report import Report, Row, Target
from bench.rounds import Load, Measured, build_row
from hub.domain import Department

SUBSCRIPTION = """
subscription Updates($id: ID!) { familyUpdated(familyId: $id) { familyId kind memberId department version } }
"""
MAX_SUBSCRIBERS = 8
MAX_RATE = 20.0  # pushes per second
DRAIN_S = 5.0  # how long to wait for the last deliveries

Push = Callable[[Department, Sequence[Mapping[str, Any]]], Awaitable[int]]
MakeEvent = Callable[[Department, str, Mapping[str, Any] | None], dict[str, Any]]
Target_ = tuple[str, Department, str, Mapping[str, Any]]  # family, department, CPR number, record


async def receive(ws: aiohttp.ClientWebSocketResponse, *, timeout_s: float | None) -> dict[str, Any] | None:
    """The next graphql-transport-ws message (the hub sends text or binary frames), or None when closed."""
    message = await ws.receive(timeout=timeout_s)
    if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
        return None
    body = orjson.loads(message.data)
    return body if isinstance(body, dict) else None


class Deliveries:
    """Pushes in flight, keyed by (family, version), and the latencies of those delivered."""

    def __init__(self) -> None:
        self.sent: dict[tuple[str, int], float] = {}
        self.latencies: list[float] = []
        self.drained = asyncio.Event()

    def expect(self, family: str, version: int) -> None:
        self.drained.clear()
        self.sent[(family, version)] = time.perf_counter()

    def delivered(self, update: Mapping[str, Any]) -> None:
        key = (str(update.get("familyId")), int(update.get("version") or -1))
        started = self.sent.pop(key, None)
        if started is not None:
            self.latencies.append(time.perf_counter() - started)
        if not self.sent:
            self.drained.set()

    async def listen(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while (body := await receive(ws, timeout_s=None)) is not None:
            if body.get("type") == "next":
                data = (body.get("payload") or {}).get("data") or {}
                self.delivered(data.get("familyUpdated") or {})


async def subscribe(
    stack: contextlib.AsyncExitStack, session: aiohttp.ClientSession, url: str, token: str, family: str
) -> aiohttp.ClientWebSocketResponse:
    ws = await stack.enter_async_context(
        session.ws_connect(
            url, protocols=("graphql-transport-ws",), timeout=aiohttp.ClientWSTimeout(ws_close=5)
        )
    )
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    ack = await receive(ws, timeout_s=10)
    if ack is None or ack.get("type") != "connection_ack":
        raise BenchError("subscription: the hub did not acknowledge the connection")
    payload = {"query": SUBSCRIPTION, "variables": {"id": family}}
    await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
    return ws


def visible_targets(
    bench: Any, records: Mapping[Department, Mapping[str, Mapping[str, Any]]]
) -> list[Target_]:
    families = [key for key in bench.sample if bench.plans.get(key)][:MAX_SUBSCRIBERS]
    out: list[Target_] = []
    for key in families:
        for department, cprs in bench.plans[key].items():
            out += [(key, department, c, records[department][c]) for c in cprs if c in records[department]]
    return out


async def subscription_latency(
    bench: Any, hub_url: str, token: str, *, push: Push, make_event: MakeEvent, report: Report
) -> list[Row]:
    options = bench.options
    if not bench.plans:
        await bench.make_plans()
    records = {d: dict(bench.world.department_records.get(d, {})) for d in Department}
    targets = visible_targets(bench, records)
    if not targets:
        report.skipped.append("subscription_latency: no sampled family has a section the viewer may see")
        return []
    families = sorted({t[0] for t in targets})
    rate = min(options.rate, MAX_RATE)
    count = max(10, int(options.duration_s * rate) * (1 if options.smoke else options.rounds))
    deliveries = Deliveries()
    failed = 0
    url = hub_url.replace("http://", "ws://") + "/graphql"
    async with contextlib.AsyncExitStack() as stack:
        sockets = [await subscribe(stack, bench.session, url, token, f) for f in families]
        await asyncio.sleep(0.3)  # let every subscription reach the pub/sub before the first push
        listeners = [asyncio.create_task(deliveries.listen(ws)) for ws in sockets]
        for i in range(count):
            family, department, cpr, record = targets[i % len(targets)]
            event = make_event(department, cpr, record)
            deliveries.expect(family, int(event["version"]))
            try:
                await push(department, [event])
            except (AnswerError, aiohttp.ClientError):
                failed += 1
            await asyncio.sleep(1 / rate)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(deliveries.drained.wait(), timeout=DRAIN_S)
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
    return [_row(deliveries, failed, families, rate, report)]


def _row(deliveries: Deliveries, failed: int, families: list[str], rate: float, report: Report) -> Row:
    result = RoundResult(latencies=deliveries.latencies, elapsed_s=1.0)
    if deliveries.sent:
        result.errors["undelivered"] = len(deliveries.sent)
    if failed:
        result.errors["push_failed"] = failed
    row = build_row(
        "subscription_latency", Load(rate=rate), "subscription", [Measured(result, 0, None, None)]
    )
    row.throughput = None
    row.note = f"{len(families)} subscribed families; latency from sending the push to receiving the update"
    latencies = sorted(deliveries.latencies)
    p99 = percentile(latencies, 0.99) * 1000 if latencies else None
    report.targets.append(
        Target(
            "subscription delivery p99 < 100 ms",
            "-" if p99 is None else f"{p99:.1f} ms",
            None if p99 is None else p99 < 100,
        )
    )
    return row
