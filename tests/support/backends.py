"""Test backends: SQLite files, a throw-away PostgreSQL database per test session, Redis.

With CI=true a missing PostgreSQL or Redis server is a test failure; elsewhere those tests skip with a message.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from sqlalchemy.engine import make_url

from tests.support.waits import IT_HAPPENS_S

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(what: str, why: str) -> None:
    message = f"{what} not available ({why})"
    if IN_CI:
        pytest.fail(f"{message}: CI requires it", pytrace=False)
    pytest.skip(f"{message}; set it up or unset to skip")


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    sa = make_url(url)
    conn = await asyncpg.connect(
        host=sa.host or "127.0.0.1",
        port=sa.port or 5432,
        user=sa.username or "postgres",
        password=sa.password,
        database=sa.database or "postgres",
        timeout=IT_HAPPENS_S,
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def create_postgres_database() -> str:
    """Create a fresh database on the server named by HUB_TEST_POSTGRES_URL and return its URL."""
    base = os.environ.get("HUB_TEST_POSTGRES_URL")
    if not base:
        unavailable("PostgreSQL", "HUB_TEST_POSTGRES_URL is not set")
        raise AssertionError("unreachable")
    name = f"familiehub_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    except (TimeoutError, OSError) as exc:
        unavailable("PostgreSQL", type(exc).__name__)
    except Exception as exc:  # asyncpg's own errors (auth, missing database)
        unavailable("PostgreSQL", type(exc).__name__)
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    base = os.environ["HUB_TEST_POSTGRES_URL"]
    name = make_url(url).database
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def xdist_worker_index() -> int:
    """0 without pytest-xdist; N for its worker gwN (each worker is its own test session)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def per_worker_redis_url(url: str, worker: int) -> str:
    """HUB_TEST_REDIS_URL's DB number plus the xdist worker's index (mod 16): workers never share a Redis DB.
    PostgreSQL needs nothing of the kind: every session (so every worker) creates its own database."""
    if worker == 0:
        return url
    head, _, tail = url.rpartition("/")
    base = int(tail) if tail.isdigit() else 0
    return f"{head}/{(base + worker) % 16}"


def redis_url() -> str:
    url = os.environ.get("HUB_TEST_REDIS_URL")
    if not url:
        unavailable("Redis", "HUB_TEST_REDIS_URL is not set")
        raise AssertionError("unreachable")
    url = per_worker_redis_url(url, xdist_worker_index())
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable("Redis", type(exc).__name__)
    finally:
        client.close()
    return url
