"""`hub outcomes snapshot-due [--on DATE] [--list]`: take the half-yearly outcome snapshots that are due now.

The same round the hub's background task runs (hub/outcomes/schedule.py): each due family and period once,
claimed so a running hub and this command never both take it. `--list` only lists what is due (family ids and
dates, no personal data); `--on` takes them as on another day (for an operator catching up, or a test).
Prints counts only.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, date, datetime, time

from hub.command import Command
from hub.outcomes.schedule import due_periods, take_due
from hub.settings import Settings


def _configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="outcomes_command", metavar="ACTION", required=True)
    due = sub.add_parser("snapshot-due", help="take every half-yearly outcome snapshot due (each once)")
    due.add_argument("--on", type=date.fromisoformat, help="as on this day (YYYY-MM-DD; default today)")
    due.add_argument("--list", action="store_true", help="only list what is due; read no department")


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from hub.app import build_services

    async def run() -> int:
        services = build_services(settings)
        try:
            now = services.clock()
            if args.on is not None:
                now = datetime.combine(args.on, time(12), UTC)
            if args.list:
                for due in await due_periods(services, now.date()):
                    print(f"{due.family_id} half-year {due.period} due {due.due_on.isoformat()}")
                return 0
            result = await take_due(services, now)
            print(result.summary())
            return 1 if result.failed else 0
        finally:
            await services.aclose()

    return asyncio.run(run())


COMMANDS = (
    Command("outcomes", "half-yearly outcome snapshots: take the ones due (snapshot-due)", _configure, _run),
)
