"""The demo world's anchor: --anchor-date, HUB_WORLD_ANCHOR, the anchor recorded at seed time, today."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pytest

from hub.world import generate_world
from hub.world.anchor import parse_anchor, record_anchor, recorded_anchor, resolve_anchor

D1, D2, D3, TODAY = date(2030, 1, 1), date(2030, 2, 2), date(2030, 3, 3), date(2031, 4, 4)


@pytest.mark.parametrize(
    ("explicit", "configured", "recorded", "expected"),
    [
        (None, None, None, TODAY),
        (D1, D2, D3, D1),
        (None, D2, D3, D2),
        (None, None, D3, D3),
        (D1, None, None, D1),
    ],
)
def test_the_first_given_anchor_wins_else_today(
    explicit: date | None, configured: date | None, recorded: date | None, expected: date
) -> None:
    assert resolve_anchor(explicit, configured, recorded, TODAY) == expected


def test_a_recorded_anchor_belongs_to_its_database_and_world(tmp_path: Path) -> None:
    record_anchor(tmp_path, "sqlite:///a.db", families=40, seed=2026, anchor=D1)
    record_anchor(tmp_path, "sqlite:///b.db", families=5, seed=1, anchor=D2)
    assert recorded_anchor(tmp_path, "sqlite:///a.db", families=40, seed=2026) == D1
    assert recorded_anchor(tmp_path, "sqlite:///b.db", families=5, seed=1) == D2
    assert recorded_anchor(tmp_path, "sqlite:///a.db", families=40, seed=7) is None
    assert recorded_anchor(tmp_path, "sqlite:///c.db", families=40, seed=2026) is None
    assert recorded_anchor(tmp_path / "missing", "sqlite:///a.db", families=40, seed=2026) is None


def test_a_broken_anchor_file_is_no_anchor(tmp_path: Path) -> None:
    (tmp_path / "world-anchor.json").write_text("not json")
    assert recorded_anchor(tmp_path, "sqlite:///a.db", families=1, seed=1) is None


def test_parse_anchor() -> None:
    assert parse_anchor("2027-01-05") == date(2027, 1, 5)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_anchor("2027-13-01")


def test_same_seed_and_anchor_same_world_and_another_anchor_moves_it() -> None:
    assert generate_world(8, 3, D1) == generate_world(8, 3, D1)
    other = generate_world(8, 3, D2)
    assert other.today == D2
    assert other != generate_world(8, 3, D1)
