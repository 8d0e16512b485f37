"""`family_view_hanging`: the README's family view while one department (KFF) hangs.

KFF's mock is told to hold every data request open (`hang_rate: 1.0`); the other four keep their injected
latency. Closed loops at concurrency 1 and 8 over the sampled families measure the view's latency against the
hub's per-department latency budget (`HUB_DEPARTMENT_BUDGET_S`): the claim is p99 ≤ budget + 100 ms, with the
other four departments' sections whole (never UNAVAILABLE or BAD_RESPONSE). KFF's sections are counted by
status (STALE from the cache, or UNAVAILABLE). The hang is lifted afterwards.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import orjson

from bench.departments import ADMIN_HEADERS, set_latencies
from bench.family import FamilyBench
from bench.queries import FAILED_STATUSES, FAMILY_QUERY
from bench.report import Row, Spread, Target, progress
from hub.domain import Department
from hub.settings import Settings

HANGING = Department.KFF
SECTIONS = {
    "social": Department.SOF,
    "employment": Department.BIF,
    "childAndYouth": Department.BUF,
    "leisure": Department.KFF,
    "health": Department.SUF,
}
MARGIN_S = 0.1


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def family_view_hanging(bench: FamilyBench) -> list[Row]:
    options = bench.options
    budget_s = float(Settings().department_budget_s)
    url = bench.department_urls[HANGING]
    hang = {"latency_ms": options.latencies.get(HANGING, 0), "hang_rate": 1.0, "hang_s": 30}
    async with bench.session.post(f"{url}/_admin/faults", json=hang, headers=ADMIN_HEADERS) as response:
        await response.read()
    rows: list[Row] = []
    try:
        for concurrency in (1, 8):
            progress(f"family_view_hanging: {HANGING.value} hanging, c={concurrency} ...")
            row = await _closed_loop(bench, concurrency, budget_s)
            if row is not None:
                rows.append(row)
    finally:
        await set_latencies(bench.session, bench.department_urls, options.latencies)
    return rows


async def _closed_loop(bench: FamilyBench, concurrency: int, budget_s: float) -> Row | None:
    options = bench.options
    latencies: list[float] = []
    statuses: dict[Department, Counter[str]] = {d: Counter() for d in Department}
    errors: Counter[str] = Counter()
    counter = iter(range(10**9))
    warm_until = time.monotonic() + options.warmup_s
    # A round must outlast the budget (a view takes about that long), or a short round (--smoke) measures nothing.
    duration_s = max(options.duration_s, 2 * budget_s)
    stop_at = warm_until + duration_s

    async def worker() -> None:
        while time.monotonic() < stop_at:
            key = bench.family_at(next(counter))
            started = time.monotonic()
            status, body = await bench.client.post(FAMILY_QUERY, {"id": key})
            elapsed = time.monotonic() - started
            if started < warm_until:
                continue
            latencies.append(elapsed)
            family: Any = (orjson.loads(body).get("data") or {}).get("family") if status == 200 else None
            if family is None:
                errors[f"HTTP{status}" if status != 200 else "no_family"] += 1
                continue
            for member in family.get("members") or ():
                for name, department in SECTIONS.items():
                    statuses[department][(member.get(name) or {}).get("status", "NONE")] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    if not latencies:
        bench.report.skipped.append(f"family_view_hanging c={concurrency}: no requests finished")
        return None
    p50, p95, p99 = (_percentile(latencies, q) * 1000 for q in (0.5, 0.95, 0.99))
    others_failed = sum(
        n
        for d, counts in statuses.items()
        if d is not HANGING
        for s, n in counts.items()
        if s in FAILED_STATUSES
    )
    others_total = sum(sum(c.values()) for d, c in statuses.items() if d is not HANGING)
    hanging = ", ".join(f"{s} {n}" for s, n in statuses[HANGING].most_common())
    row = Row(
        scenario="family_view_hanging",
        load=f"c={concurrency}",
        path="hub",
        rounds=1,
        requests=len(latencies),
        errors=sum(errors.values()),
        error_kinds=dict(errors),
        throughput=Spread.of([len(latencies) / duration_s]),
        p50_ms=Spread.of([p50]),
        p95_ms=Spread.of([p95]),
        p99_ms=Spread.of([p99]),
        note=f"{HANGING.value} hanging; its sections: {hanging}; other four: "
        f"{others_failed} of {others_total} sections failed",
    )
    limit_ms = (budget_s + MARGIN_S) * 1000
    met = p99 <= limit_ms and others_failed == 0 and not errors
    bench.report.targets.append(
        Target(
            claim=f"{HANGING.value} hanging, c={concurrency}: family view p99 ≤ budget + 100 ms "
            f"({limit_ms:.0f} ms), other four sections whole",
            measured=f"p99 {p99:.0f} ms, p50 {p50:.0f} ms; {others_failed} failed sections elsewhere",
            met=met,
        )
    )
    return row
