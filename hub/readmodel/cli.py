"""`hub readmodel invalidate`: after facts were changed outside the hub (plain SQL by an operator, a restore),
move the facts epoch, so every hub process drops its whole read model before it answers its next request.

Prints the new epoch. Changes made through the hub (or any SQLAlchemy session on its models) need no command.
"""

from __future__ import annotations

import argparse
import asyncio

from hub.command import Command
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.readmodel.changes import FactKind, facts_changed
from hub.readmodel.models import EPOCH_ROW, FactsEpoch
from hub.settings import Settings


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["invalidate"], help="invalidate: drop every process's read model")


async def invalidate(settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        sessions = create_session_factory(engine)
        async with transaction(sessions) as session:
            for kind in FactKind:
                facts_changed(session, kind, None)
        async with sessions() as session:
            epoch = await session.get(FactsEpoch, EPOCH_ROW)
            return epoch.epoch if epoch is not None else 0
    finally:
        await engine.dispose()


def _run(args: argparse.Namespace, settings: Settings) -> int:
    print(asyncio.run(invalidate(settings)))
    return 0


COMMANDS = (
    Command("readmodel", "drop every hub process's read model (after changes made in SQL)", _configure, _run),
)
