"""Scenarios `family_view` and `families_list`: the hub answering the README's family query, paired round by
round with the floor (the same batch look-ups, straight to the departments) and shown against a naive path.

Families are drawn from the world with a seeded generator, the same sequence for the hub and its baselines in
a round, so every pair of rounds asks about the same families at the same moments.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench.departments import DepartmentWire, floor, mock_stats, naive, reset_mock_stats
from bench.load import Attempt
from bench.options import Options
from bench.procs import Proc
from bench.queries import HubClient
from bench.report import Report, Row, Target
from bench.rounds import Load, Rounds, build_row
from hub.domain import Department
from hub.world import World

SEQUENCE_LENGTH = 100_000


SAMPLE_FAMILIES = 200  # the families a run asks about; each is planned once before the rounds
SECTIONS = {
    "social": Department.SOF,
    "employment": Department.BIF,
    "childAndYouth": Department.BUF,
    "leisure": Department.KFF,
    "health": Department.SUF,
}
NOT_FETCHED = frozenset({"CONSENT_REQUIRED", "FORBIDDEN"})  # the gate said no: the hub never asks

Plan = dict[Department, list[str]]  # what the hub fetches for one family view: department -> CPR numbers


def plan_of(family: Mapping[str, Any]) -> Plan:
    """The department calls the hub has to make for this answer: for every department, the members whose
    section the gate allowed (anything but CONSENT_REQUIRED/FORBIDDEN). The viewer sees full CPR numbers."""
    plan: Plan = {}
    for member in family.get("members") or ():
        for field_name, department in SECTIONS.items():
            if (member.get(field_name) or {}).get("status") not in NOT_FETCHED:
                plan.setdefault(department, []).append(str(member["cpr"]).replace("-", ""))
    return plan


@dataclass
class FamilyBench:
    options: Options
    world: World
    session: aiohttp.ClientSession
    client: HubClient
    wire: Mapping[Department, DepartmentWire]
    department_urls: Mapping[Department, str]
    hub: Proc
    report: Report

    def __post_init__(self) -> None:
        rng = random.Random(self.options.seed)
        keys = [f.key for f in self.world.families]
        self.sample = sorted(rng.sample(keys, min(SAMPLE_FAMILIES, len(keys))))
        self.sequence = [rng.choice(self.sample) for _ in range(SEQUENCE_LENGTH)]
        self.sizes = {f.key: len(f.members) for f in self.world.families}
        self.plans: dict[str, Plan] = {}
        self.rounds = Rounds(self.session, self.department_urls, self.hub)

    def family_at(self, index: int) -> str:
        return self.sequence[index % len(self.sequence)]

    async def make_plans(self) -> None:
        """Ask the hub once about every sampled family (also a warm-up) and keep what it had to fetch, so the
        baselines make exactly the department calls the hub makes."""
        pending = iter(self.sample)

        async def worker() -> None:
            for key in pending:
                self.plans[key] = plan_of(await self.client.family(key))

        await asyncio.gather(*(worker() for _ in range(8)))

    async def warm_up(self, subjects: Mapping[str, Attempt]) -> None:
        """Warm the hub (every worker's read model and caches, with `--hub-workers N`) and the others."""
        o = self.options
        hub = {name: attempt for name, attempt in subjects.items() if name == "hub"}
        others = {name: attempt for name, attempt in subjects.items() if name != "hub"}
        await self.rounds.warm_up(hub, o.warmup_s, workers=o.hub_workers, distinct=len(self.sample))
        await self.rounds.warm_up(others, o.warmup_s)

    def subjects(self, *, with_naive: bool = False) -> dict[str, Attempt]:
        async def hub(i: int) -> object:
            return await self.client.family(self.family_at(i))

        async def floor_(i: int) -> object:
            return await floor(self.session, self.wire, self.plans[self.family_at(i)])

        async def naive_(i: int) -> object:
            return await naive(self.session, self.wire, self.plans[self.family_at(i)])

        out: dict[str, Attempt] = {"hub": hub, "floor": floor_}
        if with_naive:
            out["naive"] = naive_
        return out


async def calls_by_family_size(
    bench: FamilyBench, per_size: int = 2
) -> tuple[dict[int, list[tuple[int, int]]], bool]:
    """For up to `per_size` sampled families of each size: (department calls the mocks saw, departments with
    an allowed member). The claim: one call per department that has anyone to ask about, whatever the size."""
    by_size: dict[int, list[str]] = {}
    for key in bench.sample:
        chosen = by_size.setdefault(bench.sizes[key], [])
        if len(chosen) < per_size:
            chosen.append(key)
    out: dict[int, list[tuple[int, int]]] = {}
    for size, keys in sorted(by_size.items()):
        for key in keys:
            await reset_mock_stats(bench.session, bench.department_urls)
            await bench.client.family(key)
            calls = (await mock_stats(bench.session, bench.department_urls)).requests
            out.setdefault(size, []).append((calls, len(bench.plans[key])))
    ok = all(calls == expected for pairs in out.values() for calls, expected in pairs)
    return out, ok


async def family_view(bench: FamilyBench) -> list[Row]:
    o = bench.options
    rows: list[Row] = []
    await bench.make_plans()
    spread = Counter(len(p) for p in bench.plans.values())
    bench.report.notes.append(
        "family_view sample: "
        + ", ".join(f"{n} with {k} departments to fetch" for k, n in sorted(spread.items(), reverse=True))
        + " (the rest: the gate allows no department)"
    )
    sizes, ok = await calls_by_family_size(bench)
    bench.report.targets.append(
        Target(
            "connector calls per family view = departments selected (with an allowed member), any size",
            "; ".join(
                f"{size} members: " + ",".join(f"{c}/{e}" for c, e in pairs) for size, pairs in sizes.items()
            )
            + " (calls/expected)",
            ok,
        )
    )
    await bench.warm_up(bench.subjects())

    # Latency at a fixed arrival rate (open loop), hub paired with the floor.
    load = Load(rate=o.rate)
    rows += await _paired_rows(bench, "family_view", load, with_naive=False)
    hub_row = rows[0]
    p50 = hub_row.overhead_p50_ms.median if hub_row.overhead_p50_ms else None
    p99 = hub_row.overhead_p99_ms.median if hub_row.overhead_p99_ms else None
    bench.report.targets.append(
        Target(
            f"hub overhead over the floor at {o.rate:g} req/s: p50 < 5 ms",
            "-" if p50 is None else f"{p50:.1f} ms (median of {hub_row.rounds} paired rounds)",
            None if p50 is None else p50 < 5,
        )
    )
    bench.report.targets.append(
        Target(
            f"hub overhead over the floor at {o.rate:g} req/s: p99 < 15 ms",
            "-" if p99 is None else f"{p99:.1f} ms",
            None if p99 is None else p99 < 15,
        )
    )

    # Maximum throughput with a fixed number of connections (closed loop).
    for concurrency in o.concurrencies:
        load = Load(concurrency=concurrency)
        pair = await _paired_rows(bench, "family_view", load, with_naive=True)
        rows += pair
        if concurrency == 8 and pair[0].overhead_p99_ms is not None:
            c8 = pair[0].overhead_p99_ms.median
            bench.report.targets.append(
                Target("hub overhead over the floor at concurrency 8: p99 < 30 ms", f"{c8:.1f} ms", c8 < 30)
            )
    return rows


async def _paired_rows(bench: FamilyBench, scenario: str, load: Load, *, with_naive: bool) -> list[Row]:
    o = bench.options
    subjects = bench.subjects()
    bench.hub.reset_peak_rss()
    measured = await bench.rounds.paired(
        subjects, load, rounds=o.rounds, duration_s=o.duration_s, seed=o.seed
    )
    rss = bench.hub.peak_rss_mb()
    hub_row = build_row(
        scenario,
        load,
        "hub",
        measured["hub"],
        baseline=measured["floor"],
        hub_side=True,
        rss_mb=rss,
        slowest_ms=o.slowest_ms,
    )
    if hub_row.p50_ms is not None:
        beyond = hub_row.p50_ms.median - o.slowest_ms
        hub_row.note = f"p50 - slowest injected latency ({o.slowest_ms} ms) = {beyond:.1f} ms"
    rows = [hub_row, build_row(scenario, load, "floor", measured["floor"])]
    if with_naive:
        # One round only: it is the slow reference, not a contender; its ratio is naive / hub at p50.
        naive_attempt = bench.subjects(with_naive=True)["naive"]
        naive_measured = [await bench.rounds.measure(naive_attempt, load, o.duration_s, o.seed)]
        naive_row = build_row(scenario, load, "naive", naive_measured, baseline=measured["hub"][:1])
        naive_row.overhead_p50_ms = naive_row.overhead_p99_ms = None
        naive_row.note = "x column: naive / hub at p50 (sequential single-person calls, no batching)"
        rows.append(naive_row)
    return rows


async def families_list(
    client: HubClient, rounds: Rounds, hub: Proc, options: Options, report: Report
) -> list[Row]:
    async def page(i: int) -> object:
        return await client.families_page()

    subjects = {"hub": page}
    await rounds.warm_up(subjects, options.warmup_s)
    rows: list[Row] = []
    loads: Sequence[Load] = (Load(rate=options.rate), Load(concurrency=8 if not options.smoke else 2))
    for load in loads:
        hub.reset_peak_rss()
        measured = await rounds.paired(
            subjects, load, rounds=options.rounds, duration_s=options.duration_s, seed=options.seed
        )
        rows.append(
            build_row(
                "families_list",
                load,
                "hub",
                measured["hub"],
                hub_side=True,
                rss_mb=hub.peak_rss_mb(),
                note=f"{options.list_families} families in the world" if load.rate else "",
            )
        )
    p99 = rows[0].p99_ms.median if rows[0].p99_ms else None
    report.targets.append(
        Target(
            f"families_list on {options.list_families} families at {options.rate:g} req/s: p99 < 50 ms",
            "-" if p99 is None else f"{p99:.1f} ms",
            None if p99 is None or options.list_families < 10_000 else p99 < 50,
        )
    )
    return rows
