"""The `hub` command for a newcomer: readable one-line errors (unmigrated database, busy port), `hub users`, and
the tokens `make run` prints cover every user the README names."""

from __future__ import annotations

import asyncio
import errno
import os
import re
import socket
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError, ProgrammingError

from hub.cli import main
from hub.cli_errors import busy_port, explain
from hub.devstack import readme_users

README = Path(__file__).resolve().parents[3] / "README.md"
DB = "postgresql+asyncpg://hub:secret@db.example:5432/hub"


class _Orig(Exception):
    pass


class UndefinedTableError(Exception):
    pass


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (OperationalError("SELECT", {}, _Orig("no such table: users")), "not migrated: run `hub migrate`"),
        (
            ProgrammingError("SELECT", {}, UndefinedTableError('relation "users" does not exist')),
            "not migrated: run `hub migrate`",
        ),
        (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), "cannot reach the database"),
        (OSError(errno.EADDRINUSE, "Address already in use"), "already in use"),
        (ValueError("a bug of ours"), None),
        (OperationalError("SELECT", {}, _Orig("disk I/O error")), None),
    ],
)
def test_explain_names_what_to_do_or_leaves_our_faults_alone(
    exc: BaseException, expected: str | None
) -> None:
    message = explain(exc, DB)
    if expected is None:
        assert message is None
    else:
        assert message is not None
        assert expected in message
        assert "secret" not in message  # never the database password
        assert "\n" not in message


def test_a_busy_port_is_named() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        message = busy_port([("127.0.0.1", port, "the hub, HUB_PORT")])
    assert message is not None
    assert f"port {port} on 127.0.0.1 (the hub, HUB_PORT) is already in use" in message
    assert busy_port([("127.0.0.1", port, "the hub")]) is None  # free again


@pytest.fixture
def fresh_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}"
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
    return url


@pytest.mark.parametrize(
    "argv",
    [
        ["token", "--user", "tovholder"],
        ["token", "--demo"],
        ["users"],
        ["seed", "--families", "2"],
        ["audit", "verify"],
        ["audit", "head"],
        ["serve", "--port", "0"],
    ],
)
def test_every_command_on_an_unmigrated_database_says_run_hub_migrate(
    fresh_db: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    _out, err = capsys.readouterr()
    assert err.count("\n") == 1, err  # one line, no traceback
    assert "run `hub migrate`" in err
    assert "Traceback" not in err


def test_a_busy_port_stops_serve_with_one_line(fresh_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"port {port}" in err


def _readme_usernames() -> set[str]:
    text = README.read_text()
    return set(
        re.findall(
            r"`((?:tovholder|styregruppe|admin|[a-z]{3}-(?:kerne|sagsbehandler|system)|borger-F\d{5}-\d))`",
            text,
        )
    )


def test_make_run_prints_a_token_for_every_user_the_readme_names() -> None:
    named = _readme_usernames()
    assert {"tovholder", "borger-F00002-1", "sof-kerne", "styregruppe", "admin"} <= named
    assert named <= set(readme_users())
    for department in ("sof", "bif", "buf", "kff", "suf"):
        assert f"{department}-kerne" in readme_users()
        assert f"{department}-system" in readme_users()


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.crypto import CprVault
    from hub.persistence.engine import create_engine, create_session_factory
    from hub.persistence.migrate import upgrade
    from hub.seed import seed_world
    from hub.world import generate_world
    from hub.world.generator import DEMO_SEED

    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))

    async def seed() -> None:
        engine = create_engine(url)
        await upgrade(engine)
        await seed_world(
            create_session_factory(engine),
            generate_world(4, DEMO_SEED),
            CprVault(os.urandom(32), os.urandom(32)),
        )
        await engine.dispose()

    asyncio.run(seed())


def test_hub_users_lists_every_user_with_a_role_and_the_readme_users_exist(
    demo_db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["username", "role", "department"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["tovholder"][0] == "COORDINATOR"
    assert rows["sof-kerne"] == ["CORE_TEAM", "SOF"]
    assert rows["borger-F00002-1"][0] == "CITIZEN"
    assert set(readme_users()) <= set(rows)


def test_hub_seed_anchor_date_is_used_and_recorded_for_the_mocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import date

    from hub.settings import Settings
    from hub.world.anchor import recorded_anchor

    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
    assert main(["migrate"]) == 0
    assert main(["seed", "--families", "2", "--seed", "5", "--anchor-date", "2030-05-01"]) == 0
    assert "anchored at 2030-05-01" in capsys.readouterr().out
    settings = Settings()
    assert recorded_anchor(settings.var_dir, url, families=2, seed=5) == date(2030, 5, 1)
    with pytest.raises(SystemExit):  # argparse: not a date
        main(["seed", "--families", "2", "--anchor-date", "2030-02-30"])
