"""`hub audit verify | head | purge`: check the chains, export their heads for anchoring, apply retention.

- `hub audit verify [--anchor FILE]`: checks every chain; prints the first broken entry's sequence number per
  chain; exit code 1 if anything is broken (or differs from the anchored heads in FILE).
- `hub audit head [--out FILE]`: the heads (sequence, hash, time per chain, and one digest) as JSON, to store
  outside the database (e.g. nightly, in another system).
- `hub audit purge --kind KIND`: deletes the kind's entries older than its retention, leaving a checkpoint;
  refuses (exit 1) when the chain does not verify.

Output names kinds and sequence numbers only, never entry contents.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.events import AuditKind
from hub.audit.retention import ChainBroken, PurgeResult, purge, retention_for
from hub.audit.verify import VerifyReport, export_heads, verify_chains
from hub.command import Command
from hub.persistence.base import utcnow
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.settings import Settings

T = TypeVar("T")


def _with_sessions(settings: Settings, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(create_session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _out(line: str) -> None:
    print(line)


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    anchor: dict[str, Any] | None = None
    if args.anchor:
        anchor = json.loads(Path(args.anchor).read_text(encoding="utf-8"))

    async def work(sessions: async_sessionmaker[AsyncSession]) -> VerifyReport:
        async with sessions() as session:
            return await verify_chains(session, anchor)

    report = _with_sessions(settings, work)
    for chain in report.chains:
        if chain.ok:
            span = f"{chain.first_seq}..{chain.head_seq}" if chain.checked else "empty"
            _out(f"{chain.chain.value}: ok, {chain.checked} entries ({span})")
        else:
            _out(f"{chain.chain.value}: BROKEN at entry {chain.broken_seq}: {chain.problem}")
    for problem in report.anchor_problems:
        _out(f"anchor: {problem}")
    _out("audit log verified" if report.ok else "audit log is BROKEN")
    return 0 if report.ok else 1


def _head(args: argparse.Namespace, settings: Settings) -> int:
    async def work(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
        async with sessions() as session:
            return await export_heads(session, utcnow())

    document = json.dumps(_with_sessions(settings, work), indent=2, sort_keys=True)
    if args.out:
        Path(args.out).write_text(document + "\n", encoding="utf-8")
    else:
        _out(document)
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    kind = AuditKind(args.kind.upper())

    async def work(sessions: async_sessionmaker[AsyncSession]) -> PurgeResult:
        async with transaction(sessions) as session:
            return await purge(session, kind, retention_for(settings, kind), utcnow())

    try:
        result = _with_sessions(settings, work)
    except ChainBroken as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _out(
        f"{kind.value}: purged {result.purged} entries recorded before {result.cutoff.isoformat()}; "
        f"checkpoint at entry {result.cut_seq}"
    )
    return 0


def _configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = sub.add_parser("verify", help="check every chain; exit 1 and name the first broken entry if not")
    verify.add_argument("--anchor", help="a JSON file from `hub audit head` to check the chains against")
    verify.set_defaults(_audit_run=_verify)
    head = sub.add_parser("head", help="export the chain heads as JSON (to anchor outside the database)")
    head.add_argument("--out", help="write to this file instead of standard output")
    head.set_defaults(_audit_run=_head)
    purge = sub.add_parser(
        "purge", help="delete a kind's entries older than its retention (keeps a checkpoint)"
    )
    purge.add_argument(
        "--kind",
        required=True,
        type=str.upper,
        choices=[k.value for k in AuditKind],
        help="which log to purge",
    )
    purge.set_defaults(_audit_run=_purge)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    run: Callable[[argparse.Namespace, Settings], int] = args._audit_run
    return run(args, settings)


COMMANDS = (Command("audit", "verify, export or purge the tamper-evident audit log", _configure, _run),)
