"""In-process micro-benchmark of the family query: the hub's own schema and app, no socket, instant departments.

`python -m bench.micro --iterations N` prints one JSON line (rows and targets) on stdout.

Set-up: a migrated and seeded SQLite database in a temporary directory; the five real mock departments
in-process on free ports, asked once through the real connectors, whose answers then back instant fake
connectors. Measured over N iterations each, after a warm-up, with the parser and validation caches on:
- `schema.execute` of the cached document with a real per-request context (gate, database, audit);
- the whole ASGI app in-process (authentication, middleware, the view's orjson encoding);
- whether the parser and validation caches hit (strawberry keeps them per process, keyed by document and
  validation rules), and a cProfile split of `schema.execute` by package, so the GraphQL layer's share is
  separated from the database reads and writes the family view needs.
It writes only under its temporary directory and talks only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from bench.load import percentile
from bench.procs import BENCH_RATE_LIMIT
from bench.queries import FAMILY_QUERY, check_answer
from connectors.base import Deadline, LookupResult
from connectors.mock.runner import running_departments
from hub.app import build_services, create_app
from hub.auth.dev_issuer import DevIssuer
from hub.auth.directory import UserDirectory
from hub.crypto import CprVault
from hub.domain import Department
from hub.persistence.engine import create_engine, create_session_factory
from hub.persistence.migrate import upgrade
from hub.seed import seed_world
from hub.settings import Settings
from hub.world import generate_world
from schema.view import HubGraphQL

FAMILIES = 20
SEED = 2026
CACHE_SIZE = 512  # the maxsize schema/__init__.py gives ParserCache and ValidationCache
ADMIN = "dev-admin"  # the mocks' development admin token (unused here, but required by the runner)

# Where a profiled function lives -> bucket; first match wins. cProfile names built-ins with "~".
BUCKETS: Sequence[tuple[str, str]] = (
    ("/strawberry/", "graphql"),
    ("/graphql/", "graphql"),
    ("/sqlalchemy/", "database"),
    ("/aiosqlite/", "database"),
    ("sqlite3", "database"),
    ("SimpleQueue", "database"),  # aiosqlite hands every statement to its thread through a queue
    ("/hub/", "ours"),
    ("/schema/", "ours"),
    ("/connectors/", "ours"),
    ("/asyncio/", "asyncio"),
    ("/pydantic", "pydantic"),
)
IDLE = ("select.epoll", "poll' of", "acquire' of")  # the event loop waiting: not CPU


class InstantConnector:
    """Answers from results fetched once through the real connector: no I/O, no waiting."""

    def __init__(self, department: Department, results: Mapping[str, LookupResult], batch_limit: int) -> None:
        self.department = department
        self.batch_limit = batch_limit
        self._results = dict(results)

    async def fetch_many(
        self, cprs: Sequence[str], *, deadline: Deadline | None = None
    ) -> Mapping[str, LookupResult]:
        return {c: self._results[c] for c in cprs}

    async def probe(self) -> Any:
        raise NotImplementedError("not needed in-process")

    async def aclose(self) -> None:
        return None


def split(profile: cProfile.Profile) -> dict[str, float]:
    """Share of profiled CPU time (own time, idle waits left out) per bucket."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _, name), row in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        where = f"{filename}:{name}"
        if filename == "~" and any(marker in name for marker in IDLE):
            continue
        bucket = next((b for needle, b in BUCKETS if needle in where), "other")
        totals[bucket] += row[2]
    whole = sum(totals.values()) or 1.0
    return {k: v / whole for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


async def _setup(root: Path) -> tuple[Starlette, Any, str, list[str]]:
    world = generate_world(FAMILIES, SEED)
    zero = dict.fromkeys(Department, "http://127.0.0.1:0")
    async with running_departments(world, zero, admin_token=ADMIN) as running:
        urls: dict[str, Any] = {f"{d.value.lower()}_url": url for d, url in running.urls.items()}
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{root / 'hub.db'}",
            var_dir=root / "var",
            log_level="WARNING",
            rate_limit_query=BENCH_RATE_LIMIT,
            rate_limit_mutation=BENCH_RATE_LIMIT,
            **urls,
        )
        engine = create_engine(settings.database_url)
        await upgrade(engine)
        await seed_world(create_session_factory(engine), world, CprVault.from_settings(settings))
        await engine.dispose()
        services = build_services(settings)
        cprs = [m.cpr for m in world.persons()]
        instant: dict[Department, Any] = {}
        for department, connector in services.connectors.items():
            instant[department] = InstantConnector(
                department, await connector.fetch_many(cprs), connector.batch_limit
            )
            await connector.aclose()
    services = dataclasses.replace(services, connectors=instant)
    app = create_app(settings, services=services)
    principal = await UserDirectory(services.sessions).principal_for("tovholder")
    token = DevIssuer.from_settings(settings).mint("tovholder", ttl_s=3600, username="tovholder")
    return app, principal, token, [f.key for f in world.families]


async def _time(n: int, step: Callable[[int], Awaitable[None]]) -> tuple[list[float], float]:
    """Wall time per call, and CPU time of the whole process per call."""
    out = []
    cpu = time.process_time()
    for i in range(n):
        t0 = time.perf_counter()
        await step(i)
        out.append(time.perf_counter() - t0)
    return out, (time.process_time() - cpu) / n


def _hits(cache_of: Callable[[int], Any]) -> int:
    """Hits so far of strawberry's process-wide LRU cache (an lru_cache wrapper) for our cache size."""
    return int(cache_of(CACHE_SIZE).cache_info().hits)


def _graphql_view(app: Starlette) -> HubGraphQL:
    for route in app.routes:
        endpoint = getattr(route, "app", None) or getattr(route, "endpoint", None)
        if isinstance(endpoint, HubGraphQL):
            return endpoint
    raise RuntimeError("the app has no GraphQL route")


async def run(iterations: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="familiehub-micro-") as tmp:
        app, principal, token, families = await _setup(Path(tmp))
        async with app.router.lifespan_context(app):
            graphql = _graphql_view(app)

            async def execute(i: int) -> None:
                scope = {
                    "type": "http",
                    "method": "POST",
                    "path": "/graphql",
                    "headers": [],
                    "query_string": b"",
                    "client": ("127.0.0.1", 9),
                    "server": ("127.0.0.1", 80),
                    "scheme": "http",
                    "state": {"principal": principal, "request_id": f"micro-{i}"},
                    "app": app,
                }
                context = await graphql.get_context(Request(scope), Response())
                variables = {"id": families[i % len(families)]}
                result = await graphql.schema.execute(
                    FAMILY_QUERY, variable_values=variables, context_value=context
                )
                codes = {str((e.extensions or {}).get("code")) for e in result.errors or ()}
                if codes - {"CONSENT_REQUIRED", "FORBIDDEN"}:
                    raise RuntimeError(f"the family query failed in-process: {sorted(codes)}")
                graphql.encode_json({"data": result.data})

            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://hub.micro"
            ) as client:
                headers = {"Authorization": f"Bearer {token}"}

                async def http(i: int) -> None:
                    body = {"query": FAMILY_QUERY, "variables": {"id": families[i % len(families)]}}
                    r = await client.post("/graphql", json=body, headers=headers)
                    check_answer(r.status_code, r.content, "family")

                warm = max(10, iterations // 10)
                await _time(warm, execute)
                parse_before = _hits(_get_parse_cache)
                validate_before = _hits(_get_validate_cache)
                executed, cpu_per_execute = await _time(iterations, execute)
                parse_after = _hits(_get_parse_cache)
                validate_after = _hits(_get_validate_cache)
                await _time(warm, http)
                served, _ = await _time(iterations, http)
                profile = cProfile.Profile()
                profile.enable()
                await _time(min(iterations, 200), execute)
                profile.disable()
        orjson_ok = graphql.encode_json({"a": [1, "ø"]}) == orjson.dumps({"a": [1, "ø"]})
    caches = {
        "parser": (parse_after - parse_before, iterations),
        "validation": (validate_after - validate_before, iterations),
    }
    return _result(executed, served, cpu_per_execute, split(profile), caches, orjson_ok, iterations)


def _ms(values: list[float], q: float) -> float:
    return percentile(sorted(values), q) * 1000


def _row(path: str, values: list[float], n: int, note: str) -> dict[str, Any]:
    def spread(q: float) -> dict[str, float]:
        v = _ms(values, q)
        return {"median": v, "low": v, "high": v}

    return {
        "scenario": "micro",
        "load": f"{n} iterations",
        "path": path,
        "rounds": 1,
        "requests": len(values),
        "p50_ms": spread(0.5),
        "p95_ms": spread(0.95),
        "p99_ms": spread(0.99),
        "note": note,
    }


def _result(  # noqa: PLR0917 - one private call site, the figures in the order they are measured
    executed: list[float],
    served: list[float],
    cpu_per_execute: float,
    shares: dict[str, float],
    caches: dict[str, tuple[int, int]],
    orjson_ok: bool,
    n: int,
) -> dict[str, Any]:
    graphql_ms = cpu_per_execute * 1000 * shares.get("graphql", 0.0)
    profile = ", ".join(f"{k} {v:.0%}" for k, v in shares.items() if v >= 0.01)
    hits = ", ".join(f"{name} {h}/{total}" for name, (h, total) in caches.items())
    caches_ok = all(h == total for h, total in caches.values())
    return {
        "rows": [
            _row(
                "in-process",
                executed,
                n,
                f"schema.execute; {cpu_per_execute * 1000:.1f} ms CPU each; CPU split: {profile}",
            ),
            _row("in-process-http", served, n, "the whole ASGI app in-process (auth, middleware, orjson)"),
        ],
        "targets": [
            {
                "claim": "cached GraphQL execution of the family query < 1 ms in-process",
                "measured": f"{graphql_ms:.2f} ms CPU in the GraphQL layer (strawberry + graphql-core) of "
                f"{cpu_per_execute * 1000:.2f} ms CPU per schema.execute",
                "met": graphql_ms < 1.0,
            },
            {
                "claim": "parser and validation caches hit on a repeated document",
                "measured": hits,
                "met": caches_ok,
            },
            {
                "claim": "responses serialised with orjson",
                "measured": "HubGraphQL.encode_json == orjson.dumps" if orjson_ok else "not orjson",
                "met": orjson_ok,
            },
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.micro", description=__doc__.splitlines()[0])
    p.add_argument("--iterations", type=int, default=2000, help="iterations per measurement (default 2000)")
    a = p.parse_args(argv)
    result = asyncio.run(run(max(10, a.iterations)))
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
