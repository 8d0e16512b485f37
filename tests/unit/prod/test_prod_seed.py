"""Production never gets the demo world: `hub seed` refuses with HUB_ENV=production unless told explicitly,
and the image does not seed on start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    db = tmp_path / "hub.db"
    monkeypatch.setenv("HUB_ENV", "production")
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
    return db


def test_seed_refuses_in_production_and_says_how_to_override(
    production: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed", "--families", "1"]) != 0
    err = capsys.readouterr().err
    assert "HUB_ENV=production" in err
    assert "--allow-production" in err
    assert "Traceback" not in err
    assert not production.exists()  # refused before the database was touched


def test_seed_if_empty_refuses_in_production_too(
    production: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed", "--if-empty"]) != 0
    assert "--allow-production" in capsys.readouterr().err


def test_seed_in_production_when_told_explicitly(
    production: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["seed", "--families", "1", "--allow-production"]) == 0
    assert "seeded 1 families" in capsys.readouterr().out


def test_up_refuses_in_production(production: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["up"]) != 0
    assert "hub serve" in capsys.readouterr().err


def test_the_image_does_not_seed_on_start() -> None:
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    hub_stage = dockerfile.split("AS hub", 1)[1].split("FROM ", 1)[0]
    commands = [line for line in hub_stage.splitlines() if re.match(r"\s*(CMD|ENTRYPOINT)\b", line)]
    assert commands, "the hub stage has a CMD"
    assert all("seed" not in line for line in commands)
    assert any("hub serve" in line for line in commands)
