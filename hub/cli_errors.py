"""What the `hub` command says when the machine is not ready: one line a person can act on, never a traceback.

`explain(exc)` turns the faults a newcomer meets (an unmigrated or unreachable database, a busy port) into that
line; anything else is our own fault and keeps its traceback. `busy_port(...)` checks the ports a command will
listen on before it starts, so a busy port is named instead of surfacing from deep inside uvicorn or aiohttp.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

MIGRATE_HINT = "run `hub migrate` (or `make run`, which migrates and seeds)"

# Messages of "the table is not there" on SQLite and PostgreSQL (asyncpg's UndefinedTableError).
_MISSING_TABLE = ("no such table", "undefinedtable", "does not exist")


def safe_url(database_url: str) -> str:
    """The database URL without its password (for messages and logs)."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable HUB_DATABASE_URL)"


def explain(exc: BaseException, database_url: str) -> str | None:
    """One line for a fault the user can fix, or None (then the caller re-raises: our own fault)."""
    where = safe_url(database_url)
    if isinstance(exc, DBAPIError):
        text = f"{type(exc.orig).__name__} {exc.orig}".lower()
        if any(marker in text for marker in _MISSING_TABLE):
            return f"the database {where} is not migrated: {MIGRATE_HINT}"
        if exc.connection_invalidated or "connect" in text or "refused" in text:
            return f"cannot reach the database {where} (HUB_DATABASE_URL): is it running?"
        return None
    if isinstance(exc, ConnectionRefusedError) or (
        isinstance(exc, OSError) and exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH)
    ):
        return f"cannot reach the database {where} (HUB_DATABASE_URL): is it running?"
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return f"a port is already in use ({exc.strerror}): stop the other process or choose another port"
    return None


def busy_port(addresses: Iterable[tuple[str, int, str]]) -> str | None:
    """The first (host, port, what) that cannot be bound now, as one line; None when all are free."""
    for host, port, what in addresses:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, port))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return (
                        f"port {port} on {host} ({what}) is already in use: stop the other process "
                        f"(`ss -ltnp 'sport = :{port}'` shows it) or choose another port"
                    )
                return f"cannot listen on {host}:{port} ({what}): {exc.strerror}"
    return None


async def unmigrated(database_url: str) -> str | None:
    """One line if the database is not at the latest revision, else None."""
    from alembic.script import ScriptDirectory

    from hub.persistence.engine import create_engine
    from hub.persistence.migrate import alembic_config, current_heads

    engine = create_engine(database_url)
    try:
        heads = await current_heads(engine)
    finally:
        await engine.dispose()
    expected = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    if heads == expected:
        return None
    where = safe_url(database_url)
    if not heads:
        return f"the database {where} is not migrated: {MIGRATE_HINT}"
    return f"the database {where} is at an older revision: {MIGRATE_HINT}"
