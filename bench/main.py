"""`python -m bench`: start the stack as real processes, run the chosen scenarios, print one table.

Order: the mock departments and a hub on a SQLite world of `--families` (family_view; families_list when both
worlds are the same size), the same hub restarted with a long cache TTL (family_view_cached,
subscription_latency, push_ingest on SQLite), a hub on a `--list-families` world (families_list), a hub on
PostgreSQL (push_ingest), then the in-process micro-benchmark. With `--hub-database postgres` the first hubs run
on fresh PostgreSQL databases instead, and their push_ingest is the PostgreSQL one. Each hub is stopped before
the next starts, so the hub's core is never shared. Everything stays on 127.0.0.1 and is bounded in time.

A scenario that fails is reported as failed (and fails the smoke run); it never hides the other figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import aiohttp
import orjson

from bench import family, hanging, push
from bench.departments import set_latencies, wires
from bench.guard import guarded
from bench.options import Options, parse
from bench.procs import BenchError, Pinning, Stack, fresh_postgres, temporary_root
from bench.queries import HubClient
from bench.report import Report, Row, Spread, Target, cpu_reference_ms, header, progress, table, to_json
from bench.rounds import Rounds
from bench.sanity import sanity_problems
from hub.world import generate_world

RESULTS = Path(__file__).parent / "results"
TOKEN_USER = "tovholder"  # noqa: S105 - a user name, not a secret; the coordinator on every demo family: sees all families
PUSH_SCENARIOS = frozenset({"family_view_cached", "subscription_latency", "push_ingest"})
MAIN_SCENARIOS = PUSH_SCENARIOS | {"family_view", "family_view_hanging"}


@contextlib.asynccontextmanager
async def load_session() -> AsyncIterator[aiohttp.ClientSession]:
    # No connection limit of our own: the load pattern, not the client pool, decides what is in flight.
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


def _sqlite(root: Path) -> str:
    return f"sqlite+aiosqlite:///{root / 'hub.db'}"


async def _main_stack(options: Options, stack: Stack, report: Report) -> None:
    world = generate_world(options.families, options.seed)
    # A hub whose cache never counts as fresh: every family view calls the departments, which is what
    # family_view compares with the floor. The push scenarios get a hub with a long TTL afterwards.
    hub = stack.start_hub({"HUB_CACHE_TTL_S": "0"})
    token = await stack.token(TOKEN_USER)
    async with load_session() as session:
        await set_latencies(session, stack.department_urls, options.latencies)
        client = HubClient(session, stack.hub_url, token)
        await client.family(world.families[0].key)  # fail fast, with the reason, before any round
        bench = family.FamilyBench(
            options, world, session, client, wires(stack.department_urls), stack.department_urls, hub, report
        )
        if "family_view" in options.scenarios:
            await guarded(report, "family_view", family.family_view(bench))
        if "families_list" in options.scenarios and options.list_families == options.families:
            rounds = Rounds(session, stack.department_urls, hub)
            await guarded(report, "families_list", family.families_list(client, rounds, hub, options, report))
        if "family_view_hanging" in options.scenarios:
            await guarded(report, "family_view_hanging", hanging.family_view_hanging(bench))
        if PUSH_SCENARIOS & set(options.scenarios):
            hub.stop()
            bench.hub = stack.start_hub({"HUB_CACHE_TTL_S": "3600"})
            bench.rounds.hub = bench.hub
            bench.client = HubClient(session, stack.hub_url, await stack.token(TOKEN_USER))
            await push.main_stack_scenarios(bench, stack, report)


async def _list_stack(options: Options, stack: Stack, report: Report) -> None:
    hub = stack.start_hub()
    token = await stack.token(TOKEN_USER)
    async with load_session() as session:
        client = HubClient(session, stack.hub_url, token)
        rounds = Rounds(session, {}, hub)
        await guarded(report, "families_list", family.families_list(client, rounds, hub, options, report))


def _micro(options: Options, pinning: Pinning, report: Report) -> None:
    progress("micro ...")
    command = [*pinning.prefix(pinning.hub), sys.executable, "-m", "bench.micro"]
    command += ["--iterations", str(options.micro_iterations)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        report.skipped.append("micro: FAILED (did not finish within 600 s)")
        return
    if done.returncode != 0:
        tail = "\n".join(done.stderr.decode(errors="replace").splitlines()[-15:])
        report.skipped.append(f"micro: FAILED (exit {done.returncode}):\n{tail}")
        return
    result = orjson.loads(done.stdout.splitlines()[-1])
    for row in result["rows"]:
        spreads = {k: Spread(**row[k]) if row.get(k) else None for k in ("p50_ms", "p95_ms", "p99_ms")}
        report.add(Row(**{**row, **spreads}))
    for target in result["targets"]:
        report.targets.append(Target(**target))


def run(options: Options) -> Report:
    pinning = Pinning.plan()
    if pinning.load:
        os.sched_setaffinity(0, pinning.load)  # the load generator: this process and the threads it starts
    report = Report(options.name, options.public(), pinning.describe())
    report.cpu_reference.append(cpu_reference_ms())
    chosen = set(options.scenarios)
    separate_list = "families_list" in chosen and options.list_families != options.families
    needs_main = bool(MAIN_SCENARIOS & chosen) or ("families_list" in chosen and not separate_list)
    with temporary_root(options.keep) as root, contextlib.ExitStack() as databases:

        def database(name: str) -> str:
            """The hub's database for one stack: a SQLite file, or a fresh PostgreSQL database (dropped after)."""
            if options.hub_database == "postgres":
                return databases.enter_context(fresh_postgres(options.postgres_url))
            return _sqlite(root / name)

        (root / "main").mkdir()
        main = Stack(
            root / "main",
            database("main"),
            options.families,
            options.seed,
            pinning,
            hub_workers=options.hub_workers,
        )
        try:
            if needs_main or separate_list:
                progress(f"starting the mock departments, seeding {options.families} families ...")
                departments = main.start_departments(options.latencies)
                main.prepare_database()  # while the departments start
                main.wait_departments()
            if needs_main:
                asyncio.run(_main_stack(options, main, report))
                if main.hub is not None:
                    main.hub.stop()
            if separate_list:
                progress(f"seeding {options.list_families} families for families_list ...")
                (root / "list").mkdir()
                listing = Stack(root / "list", database("list"), options.list_families, options.seed, pinning)
                listing.department_urls = main.department_urls
                try:
                    listing.prepare_database()
                    asyncio.run(_list_stack(options, listing, report))
                finally:
                    listing.close()
            if "push_ingest" in chosen and not options.smoke and options.hub_database != "postgres":
                progress("push_ingest on PostgreSQL ...")
                push.postgres_push(options, root, main.department_urls, pinning, report)
            if needs_main or separate_list:
                departments.stop()
        finally:
            main.close()
    if "micro" in chosen:
        _micro(options, pinning, report)
    report.cpu_reference.append(cpu_reference_ms())
    return report


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    try:
        report = run(options)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    print(header(report))
    print(table(report))
    if options.json:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{options.name}.json"
        path.write_bytes(to_json(report))
        print(f"\nwrote {path}")
    if options.smoke:
        problems = sanity_problems(report, options)
        if problems:
            print("\nsmoke: NOT sane:\n" + "\n".join(f"  {p}" for p in problems), file=sys.stderr)
            return 1
        print("\nsmoke: figures are sane")
    return 0
