"""Measured rounds: one load pattern against one path, with the mocks' counters and the hub's CPU around it,
and paired rounds that alternate the hub with its baseline so that drift on the machine hits both alike.

Every round is bounded: open loop by its request count, closed loop by its duration, each request by
`load.REQUEST_TIMEOUT_S`.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import aiohttp

from bench.departments import mock_stats, reset_mock_stats
from bench.load import Attempt, RoundResult, closed_loop, open_loop
from bench.procs import Proc
from bench.report import Row, Spread
from hub.domain import Department

WARM_UP_CAP_S = 120.0  # the multi-worker warm-up's bound


@dataclass(frozen=True)
class Load:
    rate: float | None = None  # open loop
    concurrency: int | None = None  # closed loop

    @property
    def label(self) -> str:
        return f"{self.rate:g} req/s" if self.rate is not None else f"c={self.concurrency}"


@dataclass
class Measured:
    result: RoundResult
    cpu_s: float  # hub CPU time during the round
    calls: int | None  # department requests the mocks saw during the round (None: not counted)
    persons: int | None  # CPR numbers asked for in them

    @property
    def attempts(self) -> int:
        return self.result.completed + self.result.error_count

    def ms(self, q: float) -> float:
        return self.result.percentile(q) * 1000


class Rounds:
    """Runs rounds for one stack: the load generator's session, the mocks' URLs and the hub process."""

    def __init__(
        self, session: aiohttp.ClientSession, department_urls: Mapping[Department, str], hub: Proc | None
    ) -> None:
        self.session = session
        self.department_urls = department_urls
        self.hub = hub

    async def measure(self, attempt: Attempt, load: Load, duration_s: float, seed: int) -> Measured:
        if self.department_urls:
            await reset_mock_stats(self.session, self.department_urls)
        cpu_before = self.hub.cpu_seconds() if self.hub else 0.0
        if load.rate is not None:
            result = await open_loop(attempt, rate=load.rate, duration_s=duration_s, seed=seed)
        else:
            result = await closed_loop(attempt, concurrency=load.concurrency or 1, duration_s=duration_s)
        cpu = (self.hub.cpu_seconds() - cpu_before) if self.hub else 0.0
        counts = await mock_stats(self.session, self.department_urls) if self.department_urls else None
        return Measured(result, cpu, counts.requests if counts else None, counts.persons if counts else None)

    async def paired(
        self, subjects: Mapping[str, Attempt], load: Load, *, rounds: int, duration_s: float, seed: int
    ) -> dict[str, list[Measured]]:
        """`rounds` rounds of every subject, alternating which goes first; round r uses the same arrival
        schedule and request sequence for every subject (seed + r), so rounds pair up."""
        out: dict[str, list[Measured]] = {name: [] for name in subjects}
        names = list(subjects)
        for r in range(rounds):
            for name in names if r % 2 == 0 else list(reversed(names)):
                out[name].append(await self.measure(subjects[name], load, duration_s, seed + r))
        return out

    async def warm_up(
        self, subjects: Mapping[str, Attempt], duration_s: float, *, workers: int = 1, distinct: int = 0
    ) -> None:
        """A closed loop per subject for `duration_s`. With several hub workers each keeps its own read model
        and caches, and a keep-alive connection stays with one worker: then the loop opens 4 connections per
        worker and goes on until `distinct` requests (the sample's families) were asked ~10 times per worker,
        so that every worker has most likely seen every family (at most `WARM_UP_CAP_S`)."""
        if duration_s <= 0:
            return
        for attempt in subjects.values():
            if workers <= 1 or distinct <= 0:
                await closed_loop(attempt, concurrency=4, duration_s=duration_s)
                continue
            wanted, done, cap = 10 * workers * distinct, 0, time.monotonic() + WARM_UP_CAP_S
            while done < wanted and time.monotonic() < cap:
                result = await closed_loop(
                    _from(attempt, done), concurrency=4 * workers, duration_s=duration_s
                )
                done += result.completed + result.error_count


def _from(attempt: Attempt, offset: int) -> Attempt:
    """`attempt` with its request index shifted, so that a loop continues the sequence instead of repeating it."""

    async def shifted(index: int) -> object:
        return await attempt(offset + index)

    return shifted


def _spread(measured: Sequence[Measured], q: float) -> Spread | None:
    return Spread.of(m.ms(q) for m in measured)


def build_row(
    scenario: str,
    load: Load,
    path: str,
    measured: Sequence[Measured],
    *,
    baseline: Sequence[Measured] | None = None,
    hub_side: bool = False,
    rss_mb: float | None = None,
    slowest_ms: int | None = None,
    note: str = "",
) -> Row:
    """A table row from rounds; with `baseline`, overhead and ratio are computed per paired round."""
    errors: Counter[str] = Counter()
    for m in measured:
        errors.update(m.result.errors)
    attempts = sum(m.attempts for m in measured)
    completed = sum(m.result.completed for m in measured)
    row = Row(
        scenario=scenario,
        load=load.label,
        path=path,
        rounds=len(measured),
        requests=completed,
        errors=sum(errors.values()),
        error_kinds=dict(errors),
        throughput=Spread.of(m.result.throughput for m in measured),
        p50_ms=_spread(measured, 0.50),
        p95_ms=_spread(measured, 0.95),
        p99_ms=_spread(measured, 0.99),
        note=note,
    )
    if baseline:
        pairs = list(zip(measured, baseline, strict=False))
        row.overhead_p50_ms = Spread.of(h.ms(0.5) - b.ms(0.5) for h, b in pairs)
        row.overhead_p99_ms = Spread.of(h.ms(0.99) - b.ms(0.99) for h, b in pairs)
        row.ratio_p50 = Spread.of(_ratio(h.ms(0.5), b.ms(0.5)) for h, b in pairs)
    if attempts and all(m.calls is not None for m in measured):
        row.calls_per_request = sum(m.calls or 0 for m in measured) / attempts
        row.persons_per_request = sum(m.persons or 0 for m in measured) / attempts
    if hub_side:
        cpu = sum(m.cpu_s for m in measured)
        row.per_core_second = completed / cpu if cpu > 0 else None
        row.cpu_ms_per_request = cpu * 1000 / completed if completed else None
        row.rss_mb = rss_mb
    if slowest_ms is not None and row.p50_ms is not None:
        row.over_injected_p50_ms = row.p50_ms.median - slowest_ms
    return row


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 and not math.isnan(a) and not math.isnan(b) else math.nan


def median_or_nan(values: Sequence[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return statistics.median(finite) if finite else math.nan
