"""The benchmark's options (`python -m bench --help`) and the smoke profile CI runs."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from hub.domain import Department

SCENARIOS = (
    "family_view",
    "family_view_cached",
    "family_view_hanging",
    "families_list",
    "push_ingest",
    "subscription_latency",
    "micro",
)
DEFAULT_LATENCIES = (20, 40, 60, 80, 100)  # SOF, BIF, BUF, KFF, SUF (ms)


@dataclass(frozen=True)
class Options:
    name: str = "default"
    families: int = 1_000
    list_families: int = 10_000
    seed: int = 2026
    latencies_ms: tuple[int, ...] = DEFAULT_LATENCIES
    duration_s: float = 5.0  # per round
    rounds: int = 5
    warmup_s: float = 2.0
    rate: float = 50.0  # open-loop arrival rate (requests per second)
    concurrencies: tuple[int, ...] = (1, 8, 32)
    scenarios: tuple[str, ...] = SCENARIOS
    push_batch: int = 100  # events per push
    push_concurrencies: tuple[int, ...] = (1, 4)  # pushes in flight at once
    postgres_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    micro_iterations: int = 2_000
    hub_workers: int = 1  # `hub serve --workers N` (N > 1: the hub processes run unpinned)
    hub_database: str = "sqlite"  # the hub's own store for the family scenarios: sqlite or postgres
    smoke: bool = False
    json: bool = False
    keep: bool = False

    @property
    def latencies(self) -> dict[Department, int]:
        return dict(zip(Department, self.latencies_ms, strict=True))

    @property
    def slowest_ms(self) -> int:
        return max(self.latencies_ms)

    def public(self) -> dict[str, Any]:
        shown = asdict(self)
        for hidden in ("json", "keep", "postgres_url"):
            shown.pop(hidden)
        return shown


def smoke(options: Options) -> Options:
    """A few seconds end to end: tiny world, short rounds, asserts sanity only."""
    return replace(
        options,
        name="smoke" if options.name == "default" else options.name,
        smoke=True,
        families=12,
        list_families=12,
        latencies_ms=(2, 2, 2, 2, 2),
        duration_s=0.25,
        rounds=2,
        warmup_s=0.1,
        rate=40.0,
        concurrencies=(4,),
        push_batch=20,
        push_concurrencies=(1,),
        micro_iterations=30,
    )


def _latencies(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) == 1:
        parts = parts * len(Department)
    if len(parts) != len(Department):
        raise argparse.ArgumentTypeError(f"give one latency or {len(Department)} (SOF,BIF,BUF,KFF,SUF)")
    values = tuple(int(p) for p in parts)
    if any(v < 0 or v > 10_000 for v in values):
        raise argparse.ArgumentTypeError("latencies must be between 0 and 10000 ms")
    return values


def _scenarios(text: str) -> tuple[str, ...]:
    chosen = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in chosen if s not in SCENARIOS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown scenarios {unknown}; choose from {', '.join(SCENARIOS)}")
    return chosen


def _ints(text: str) -> tuple[int, ...]:
    values = tuple(int(p) for p in text.split(",") if p.strip())
    if not values or any(v < 1 or v > 1024 for v in values):
        raise argparse.ArgumentTypeError("concurrencies must be between 1 and 1024")
    return values


def parse(argv: Sequence[str] | None = None) -> Options:
    d = Options()
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the hub against the floor (direct batched department calls) and a naive path.",
    )
    p.add_argument("--name", default=d.name, help="run name; --json writes bench/results/<name>.json")
    p.add_argument("--families", type=int, default=d.families, help=f"world size (default {d.families})")
    p.add_argument(
        "--list-families",
        type=int,
        default=d.list_families,
        help="world size for families_list (default 10000)",
    )
    p.add_argument("--seed", type=int, default=d.seed, help="world seed (default 2026)")
    p.add_argument(
        "--latencies",
        type=_latencies,
        default=d.latencies_ms,
        help="injected latency per department, ms, SOF,BIF,BUF,KFF,SUF (default 20,40,60,80,100; 0 is fine)",
    )
    p.add_argument("--duration", type=float, default=d.duration_s, help="seconds per round (default 5)")
    p.add_argument(
        "--rounds", type=int, default=d.rounds, help="paired hub/floor rounds (default 5, at least 1)"
    )
    p.add_argument(
        "--warmup", type=float, default=d.warmup_s, help="warm-up seconds per scenario (default 2)"
    )
    p.add_argument("--rate", type=float, default=d.rate, help="open-loop arrival rate, req/s (default 50)")
    p.add_argument(
        "--concurrency", type=_ints, default=d.concurrencies, help="closed-loop connections (1,8,32)"
    )
    p.add_argument(
        "--scenarios", type=_scenarios, default=d.scenarios, help=f"comma list of {', '.join(SCENARIOS)}"
    )
    p.add_argument("--push-batch", type=int, default=d.push_batch, help="events per push (default 100)")
    p.add_argument(
        "--postgres-url",
        default=d.postgres_url,
        help="server for push_ingest on PostgreSQL (and --hub-database postgres)",
    )
    p.add_argument("--micro-iterations", type=int, default=d.micro_iterations, help="in-process iterations")
    p.add_argument(
        "--hub-workers", type=int, default=d.hub_workers, help="hub worker processes (default 1; >1 unpinned)"
    )
    p.add_argument(
        "--hub-database",
        choices=("sqlite", "postgres"),
        default=d.hub_database,
        help="the hub's database for the family scenarios (default sqlite; postgres: a fresh database on "
        "--postgres-url's server, dropped afterwards)",
    )
    p.add_argument("--smoke", action="store_true", help="a few seconds, sanity assertions only (CI)")
    p.add_argument("--json", action="store_true", help="also write bench/results/<name>.json")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    a = p.parse_args(argv)
    if a.duration <= 0 or a.duration > 600 or a.rounds < 1 or a.rounds > 50 or a.rate <= 0 or a.rate > 5000:
        p.error("--duration must be in (0, 600], --rounds in [1, 50], --rate in (0, 5000]")
    if not 1 <= a.hub_workers <= 16:
        p.error("--hub-workers must be between 1 and 16")
    if not 1 <= a.families <= 100_000 or not 1 <= a.list_families <= 100_000:
        p.error("--families and --list-families must be between 1 and 100000")
    options = Options(
        name=a.name,
        families=a.families,
        list_families=a.list_families,
        seed=a.seed,
        latencies_ms=a.latencies,
        duration_s=a.duration,
        rounds=a.rounds,
        warmup_s=max(0.0, a.warmup),
        rate=a.rate,
        concurrencies=a.concurrency,
        scenarios=a.scenarios,
        push_batch=a.push_batch,
        postgres_url=a.postgres_url,
        micro_iterations=a.micro_iterations,
        hub_workers=a.hub_workers,
        hub_database=a.hub_database,
        json=a.json,
        keep=a.keep,
    )
    return smoke(options) if a.smoke else options
