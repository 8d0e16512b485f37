"""`hub candidates`: the world's not-yet-referred families as referFamily inputs, for trying intake by hand."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pytest

from hub.settings import Settings
from hub.world import generate_world
from hub.world.cli import _run


def test_each_candidate_is_a_ready_referral(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    anchor = date(2026, 11, 2)
    settings = Settings(var_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    assert _run(argparse.Namespace(families=40, seed=2026, anchor=anchor), settings) == 0
    lines = capsys.readouterr().out.splitlines()
    world = generate_world(40, 2026, anchor)
    assert len(lines) == len(world.candidates) > 0
    known = {p.cpr for p in world.everyone()}
    referred = {p.cpr for p in world.persons()}
    for line in lines:
        refer = json.loads(line)
        assert {"district", "housingArea", "referralSource", "members"} <= set(refer)
        for member in refer["members"]:
            assert member["cpr"] in known - referred  # the departments know them; the programme does not
            for holder in member["custodyHolders"]:
                assert refer["members"][holder]["memberRole"] != "CHILD"
