"""Start all five mock departments: `python -m connectors.mock [--families N --seed S --anchor-date D]`.

Ports default to SOF 8101, BIF 8102, BUF 8103, KFF 8104, SUF 8105; `MOCK_<DEPT>_URL` overrides one
(e.g. http://0.0.0.0:9101). Prints where each listens; never prints a CPR number.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from datetime import date

from connectors.mock.runner import default_urls, running_departments
from hub.domain import Department
from hub.world.anchor import parse_anchor, resolve_anchor
from hub.world.generator import DEMO_FAMILIES, DEMO_SEED, generate_world


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m connectors.mock", description=__doc__)
    parser.add_argument("--families", type=int, default=DEMO_FAMILIES, help="families in the world")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="world seed (same seed, same world)")
    parser.add_argument("--host", default="127.0.0.1", help="interface for the default URLs")
    parser.add_argument(
        "--anchor-date",
        type=parse_anchor,
        metavar="YYYY-MM-DD",
        help="the world's 'today' (default: HUB_WORLD_ANCHOR, else today; use the one `hub seed` used)",
    )
    return parser.parse_args(argv)


async def _serve(families: int, seed: int, host: str, anchor: date) -> None:
    started = time.perf_counter()
    world = generate_world(families, seed, anchor)
    elapsed = time.perf_counter() - started
    urls = default_urls(host)
    for department in Department:
        urls[department] = os.environ.get(f"MOCK_{department.value}_URL", urls[department])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with running_departments(world, urls) as running:
        sys.stderr.write(
            f"world: {len(world.families)} families, {len(world.persons())} persons, seed {seed} "
            f"({elapsed:.2f}s)\n"
        )
        for department, url in running.urls.items():
            sys.stderr.write(f"{department.value} listening on {url} (docs: {url}/openapi.json)\n")
        await stop.wait()
    sys.stderr.write("stopped\n")


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    configured = os.environ.get("HUB_WORLD_ANCHOR")
    anchor = resolve_anchor(
        args.anchor_date, parse_anchor(configured) if configured else None, None, date.today()
    )
    asyncio.run(_serve(args.families, args.seed, args.host, anchor))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
