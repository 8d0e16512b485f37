"""`hub token`: mint a short-lived development token for a seeded user (development issuer only).

`hub token --user NAME [--ttl SECONDS]` prints the bare token on stdout, so scripts can use
`TOKEN=$(hub token --user tovholder)`. `hub token --demo` prints `username<TAB>role<TAB>token` for one user of
each role. Errors go to stderr with a non-zero exit code.

Never prints anything but tokens on stdout, and never a private key anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from hub.auth.dev_issuer import DEFAULT_TTL_S, MAX_TTL_S
from hub.auth.devtokens import TokenError, demo_tokens, mint_for_user
from hub.command import Command
from hub.settings import Settings


def _ttl(value: str) -> int:
    ttl = int(value)
    if not 1 <= ttl <= MAX_TTL_S:
        raise argparse.ArgumentTypeError(f"--ttl must be between 1 and {MAX_TTL_S} seconds")
    return ttl


def _configure(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--user", metavar="NAME", help="username of a seeded user, e.g. tovholder")
    which.add_argument("--demo", action="store_true", help="one token per role: username<TAB>role<TAB>token")
    p.add_argument(
        "--ttl", type=_ttl, default=DEFAULT_TTL_S, help=f"lifetime in seconds (default 3600, max {MAX_TTL_S})"
    )


def _run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.demo:
            for username, role, token in asyncio.run(demo_tokens(settings, ttl_s=args.ttl)):
                print(f"{username}\t{role}\t{token}")
        else:
            print(asyncio.run(mint_for_user(settings, args.user, ttl_s=args.ttl)))
    except TokenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


COMMANDS = (Command("token", "mint a development token for a seeded user", _configure, _run),)
