"""The benchmark harness's own parts: statistics, load loops, pairing, the smoke verdict, and the two baselines
against the real mock departments (so a drift between the connectors' wire format and the mocks breaks here,
not in the middle of a benchmark run). Fast: everything in-process on 127.0.0.1 ports chosen by the OS.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator

import aiohttp
import asyncpg  # type: ignore[import-untyped]
import orjson
import pytest

from bench.departments import floor, mock_stats, naive, reset_mock_stats, wires
from bench.family import plan_of
from bench.load import RoundResult, closed_loop, open_loop, percentile
from bench.options import Options, parse
from bench.procs import BenchError, fresh_postgres
from bench.queries import AnswerError, check_answer
from bench.report import Report, Spread, cpu_reference_ms, header, table, to_json
from bench.rounds import Load, Measured, build_row
from bench.sanity import sanity_problems
from connectors.mock.runner import RunningDepartments, running_departments
from hub.domain import Department
from hub.world import World, generate_world

PORT_ZERO = dict.fromkeys(Department, "http://127.0.0.1:0")


def test_percentile_interpolates_and_is_nan_for_nothing() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == pytest.approx(2.5)
    assert percentile([5.0], 0.99) == 5.0
    assert percentile([1.0, 2.0], 1.0) == 2.0
    assert math.isnan(percentile([], 0.5))


def test_spread_ignores_nan_and_reports_median_min_max() -> None:
    spread = Spread.of([3.0, math.nan, 1.0, 2.0])
    assert spread == Spread(2.0, 1.0, 3.0)
    assert spread.text(1) == "2.0 [1.0,3.0]"
    assert Spread.of([math.nan]) is None


async def test_open_loop_sends_the_scheduled_count_and_counts_failures_by_code() -> None:
    async def attempt(i: int) -> None:
        if i % 5 == 0:
            raise AnswerError("CONSENT_GONE")

    result = await open_loop(attempt, rate=400, duration_s=0.1, seed=1)
    assert result.completed + result.error_count == 40
    assert result.errors == {"AnswerError:CONSENT_GONE": 8}
    assert all(latency >= 0 for latency in result.latencies)


async def test_closed_loop_keeps_concurrency_and_stops_in_time() -> None:
    in_flight = peak = 0

    async def attempt(i: int) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        in_flight -= 1

    result = await closed_loop(attempt, concurrency=3, duration_s=0.1)
    assert peak == 3
    assert 20 <= result.completed <= 80
    assert result.elapsed_s < 0.5


def _measured(latencies_ms: list[float], calls: int = 0) -> Measured:
    return Measured(RoundResult(latencies=[v / 1000 for v in latencies_ms], elapsed_s=1.0), 0.5, calls, calls)


def test_build_row_pairs_hub_and_floor_round_by_round() -> None:
    hub = [_measured([110, 120, 130], calls=15), _measured([105, 106, 107], calls=15)]
    base = [_measured([100, 100, 100]), _measured([100, 101, 102])]
    row = build_row("family_view", Load(rate=50), "hub", hub, baseline=base, hub_side=True, rss_mb=100.0)
    assert row.overhead_p50_ms == Spread(12.5, 5.0, 20.0)
    assert row.ratio_p50 is not None
    assert row.ratio_p50.high == pytest.approx(1.2)
    assert row.calls_per_request == 5.0
    assert row.per_core_second == 6.0  # 6 requests in 1 s of hub CPU
    assert row.cpu_ms_per_request == pytest.approx(1000 / 6)
    assert row.load == "50 req/s"


def _sane_report(options: Options) -> Report:
    report = Report("t", {}, "unpinned")
    for scenario, paths in (("family_view", ("hub", "floor", "naive")), ("families_list", ("hub",))):
        for path in paths:
            row = build_row(scenario, Load(concurrency=1), path, [_measured([5, 6, 7], calls=10)])
            row.rss_mb = 120.0 if path == "hub" else None
            report.add(row)
    report.add(build_row("micro", Load(concurrency=1), "in-process", [_measured([1, 2, 3])]))
    return report


def test_sanity_accepts_sane_figures_and_names_what_is_not() -> None:
    options = parse(["--smoke"])
    report = _sane_report(options)
    assert sanity_problems(report, options) == []
    report.rows[0].errors = 2
    report.rows[0].error_kinds = {"timeout": 2}
    report.rows.pop()  # micro
    report.skipped.append("push_ingest/sqlite: FAILED (AnswerError: INTERNAL)")
    problems = sanity_problems(report, options)
    assert any("2 failed (timeout)" in p for p in problems)
    assert any(p.startswith("micro: no rows") for p in problems)
    assert any("FAILED" in p for p in problems)


def test_table_and_json_show_the_same_rows() -> None:
    report = _sane_report(parse(["--smoke"]))
    text = table(report)
    assert text.count("\n") >= len(report.rows) + 1
    assert "families_list" in text
    body = orjson.loads(to_json(report))
    assert [r["path"] for r in body["rows"]] == [r.path for r in report.rows]
    assert body["machine"]["nproc"] >= 1


def test_the_cpu_reference_readings_show_in_the_header_and_the_json() -> None:
    report = _sane_report(parse(["--smoke"]))
    assert "CPU reference" in header(report)
    assert "not read" in header(report)
    first, second = cpu_reference_ms(), cpu_reference_ms()
    assert 0 < first < 10_000
    assert 0 < second < 10_000
    report.cpu_reference.extend([first, second])
    assert f"{first} ms then {second} ms" in header(report)
    assert orjson.loads(to_json(report))["cpu_reference_ms"] == [first, second]


def test_options_validate_latencies_and_smoke_is_small() -> None:
    assert parse(["--latencies", "0"]).latencies_ms == (0, 0, 0, 0, 0)
    with pytest.raises(SystemExit):
        parse(["--latencies", "1,2"])
    smoke = parse(["--smoke"])
    assert smoke.smoke
    assert smoke.families <= 20
    assert smoke.duration_s < 1


def test_the_hub_database_is_sqlite_unless_postgres_is_asked_for() -> None:
    assert parse([]).hub_database == "sqlite"
    assert parse(["--hub-database", "postgres"]).hub_database == "postgres"
    with pytest.raises(SystemExit):
        parse(["--hub-database", "oracle"])


@pytest.mark.postgres
def test_fresh_postgres_makes_an_empty_database_and_drops_it(postgres_database: str) -> None:
    server = postgres_database.rsplit("/", 1)[0] + "/postgres"

    async def databases() -> set[str]:
        conn = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://"), timeout=30)
        try:
            return {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
        finally:
            await conn.close()

    with fresh_postgres(server) as url:
        name = url.rsplit("/", 1)[1]
        assert name.startswith("bench_")
        assert name in asyncio.run(databases())
    assert name not in asyncio.run(databases())
    with (
        pytest.raises(BenchError, match="no PostgreSQL server"),
        fresh_postgres("postgresql+asyncpg://postgres@127.0.0.1:1/postgres"),
    ):
        pass


def test_check_answer_accepts_consent_gaps_and_rejects_real_errors() -> None:
    ok = orjson.dumps({"data": {"family": {}}, "errors": [{"extensions": {"code": "CONSENT_REQUIRED"}}]})
    assert check_answer(200, ok, "family") == {"family": {}}
    bad = orjson.dumps({"data": {"family": {}}, "errors": [{"extensions": {"code": "INTERNAL"}}]})
    with pytest.raises(AnswerError, match="INTERNAL"):
        check_answer(200, bad, "family")
    with pytest.raises(AnswerError, match="HTTP401"):
        check_answer(401, b"{}", "family")


def test_plan_of_keeps_only_sections_the_gate_allowed() -> None:
    family = {
        "members": [
            {"cpr": "010203-1234", "social": {"status": "OK"}, "health": {"status": "CONSENT_REQUIRED"}},
            {"cpr": "0102031235", "social": {"status": "NOT_REGISTERED"}, "health": {"status": "FORBIDDEN"}},
        ]
    }
    plan = plan_of(family)
    assert plan[Department.SOF] == ["0102031234", "0102031235"]
    assert Department.SUF not in plan


@pytest.fixture
async def world_and_mocks() -> AsyncIterator[tuple[World, RunningDepartments, aiohttp.ClientSession]]:
    world = generate_world(3, 11)
    async with (
        running_departments(world, PORT_ZERO, admin_token="dev-admin", environ={}) as running,
        aiohttp.ClientSession() as session,
    ):
        yield world, running, session


async def test_baselines_make_exactly_the_planned_calls_against_the_real_mocks(
    world_and_mocks: tuple[World, RunningDepartments, aiohttp.ClientSession],
) -> None:
    world, running, session = world_and_mocks
    wire = wires(running.urls)
    cprs = [m.cpr for m in world.families[0].members]
    plan = {Department.SOF: cprs, Department.SUF: cprs[:1], Department.KFF: cprs}

    await reset_mock_stats(session, running.urls)
    assert await floor(session, wire, plan) == 3
    counts = await mock_stats(session, running.urls)
    assert (counts.requests, counts.persons) == (3, 2 * len(cprs) + 1)

    await reset_mock_stats(session, running.urls)
    assert await naive(session, wire, plan) == 2 * len(cprs) + 1
    counts = await mock_stats(session, running.urls)
    assert counts.requests == 2 * len(cprs) + 1


def test_hub_cpu_counts_the_worker_processes_too() -> None:
    """`hub serve --workers N`: the CPU of the children (the workers) is part of the hub's CPU."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from bench.procs import Proc, _stat_cpu, _stat_fields

    busy = (
        "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ntime.sleep(30)"
    )
    parent = subprocess.Popen(  # noqa: S603 - our own interpreter: a parent that starts one busy child
        [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}])"]
    )
    proc = Proc("parent", parent, Path("/dev/null"))
    try:
        deadline = time.monotonic() + 10
        while proc.cpu_seconds() < 0.25 and time.monotonic() < deadline:
            time.sleep(0.05)
        own = _stat_fields(parent.pid)
        assert own is not None
        assert proc.cpu_seconds() >= 0.25 > _stat_cpu(own)  # the parent itself only waits
        parent_peak = next(
            int(line.split()[1]) / 1024
            for line in Path(f"/proc/{parent.pid}/status").read_text().splitlines()
            if line.startswith("VmHWM:")
        )
        assert proc.peak_rss_mb() > parent_peak  # the child's memory counts too
    finally:
        for child in Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split():
            os.kill(int(child), signal.SIGTERM)
        parent.kill()
        parent.wait()
