"""The administrator's `hub users deactivate|activate USER` (USER: id or username; `hub users` lists).

A deactivated user is refused from their next request on, in every running hub (the change moves the facts
epoch; hub/readmodel). Audited on the SECURITY chain with client `cli`. Errors: one line on stderr with the
error code, exit status 1. Shared helpers for the administrator's commands live here too.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth import users
from hub.auth.security_audit import CLI
from hub.errors import AppError
from hub.persistence.engine import create_engine, create_session_factory
from hub.settings import Settings

T = TypeVar("T")


def run_with_sessions(
    settings: Settings, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]
) -> T:
    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(create_session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def fail(exc: AppError) -> int:
    print(f"error: {exc.code.value}: {exc.message}", file=sys.stderr)
    return 1


def now() -> datetime:
    return datetime.now(UTC)


# --- hub users ----------------------------------------------------------------------------------------------


def users_configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    lst = sub.add_parser("list", help="list the active users (the default)")
    lst.add_argument("--all", action="store_true", help="every user, with id and whether active")
    for action, text in (
        ("deactivate", "refuse the user from their next request on"),
        ("activate", "undo it"),
    ):
        a = sub.add_parser(action, help=text)
        a.add_argument("user", metavar="USER", help="user id or username")


def users_run(args: argparse.Namespace, settings: Settings) -> int:
    """`hub users list --all` and `hub users deactivate|activate USER` (the plain listing is in hub/cli.py)."""
    action = args.action
    if action == "list":
        print(f"{'id':<36} {'username':<24} {'role':<18} {'department':<10} active")
        for u in run_with_sessions(settings, users.list_users):
            department = u.department.value if u.department else ""
            print(
                f"{u.id:<36} {u.username:<24} {u.role.value:<18} {department:<10} {'yes' if u.active else 'no'}"
            )
        return 0
    try:
        view = run_with_sessions(
            settings, lambda s: users.set_active(s, args.user, action == "activate", CLI, now())
        )
    except AppError as exc:
        return fail(exc)
    print(f"{view.id}\t{view.username}\t{'active' if view.active else 'deactivated'}")
    return 0
