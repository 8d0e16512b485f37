"""One `hub` subcommand: (name, help, configure(parser), run(args, settings)).

A leaf module: concern CLIs (hub/<concern>/cli.py) define their `COMMANDS` with it and hub/cli.py lists them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from hub.settings import Settings


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Settings], int]
