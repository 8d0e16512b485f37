"""The demo world's anchor date: the "today" the generated world is built around.

`generate_world(families, seed, today)` is pure; the CLI picks the anchor. By default the demo is anchored at
today's date, so `make run` always shows a living family (a next meeting ahead, recent measurements, an upcoming
interview, valid consents). The hub's seeded database and the mock departments must use the *same* anchor (the
fictitious CPR numbers and every date derive from it), so `hub seed` records it under `var/` per database and
`hub departments` / `hub up` reuse the recorded anchor. Order: `--anchor-date`, then `HUB_WORLD_ANCHOR`, then the
anchor recorded for this database, then today.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from hub.world.model import WORLD_TODAY

ANCHOR_FILE = "world-anchor.json"
# A database seeded before anchors were recorded was seeded at the old fixed reference date.
LEGACY_ANCHOR = WORLD_TODAY


def parse_anchor(value: str) -> date:
    """argparse type for --anchor-date YYYY-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--anchor-date must be YYYY-MM-DD, not {value!r}") from exc


def _path(var_dir: Path) -> Path:
    return var_dir / ANCHOR_FILE


def _load(var_dir: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(_path(var_dir).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_anchor(var_dir: Path, database_url: str, *, families: int, seed: int, anchor: date) -> None:
    data = _load(var_dir)
    data[database_url] = {"families": families, "seed": seed, "anchor": anchor.isoformat()}
    var_dir.mkdir(parents=True, exist_ok=True)
    _path(var_dir).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def recorded_anchor(var_dir: Path, database_url: str, *, families: int, seed: int) -> date | None:
    """The anchor `hub seed` used for this database, if it seeded the same (families, seed) world."""
    entry = _load(var_dir).get(database_url)
    if not isinstance(entry, dict) or entry.get("families") != families or entry.get("seed") != seed:
        return None
    try:
        return date.fromisoformat(str(entry["anchor"]))
    except (KeyError, ValueError):
        return None


def resolve_anchor(
    explicit: date | None,
    configured: date | None,
    recorded: date | None,
    today: date,
) -> date:
    """Pure: the first of --anchor-date, HUB_WORLD_ANCHOR, the recorded anchor, today."""
    for candidate in (explicit, configured, recorded):
        if candidate is not None:
            return candidate
    return today
