"""`hub token`: the bare token on stdout for a seeded user, one per role with --demo, errors on stderr."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from hub.auth.dev_issuer import DevIssuer
from hub.auth.devtokens import demo_tokens
from hub.auth.seed import seed_users
from hub.auth.verifier import TokenVerifier
from hub.cli import main
from hub.crypto import CprVault
from hub.domain import Role
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from hub.seed import SeedContext, _seed_core
from hub.settings import Settings
from hub.world import generate_world


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    db = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    monkeypatch.setenv("HUB_DATABASE_URL", db)
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))

    async def seed() -> None:
        engine = create_engine(db)
        await upgrade(engine)
        world = generate_world(4, 2026)
        ctx = SeedContext(world=world, vault=CprVault(os.urandom(32), os.urandom(32)), today=world.today)
        async with transaction(create_session_factory(engine)) as session:
            await _seed_core(session, ctx)
            await seed_users(session, ctx)
        await engine.dispose()

    asyncio.run(seed())
    return Settings()


def verify(settings: Settings, token: str) -> str:
    issuer = DevIssuer.from_settings(settings)
    verifier = TokenVerifier(
        issuer=issuer.issuer, audience=settings.oidc_audience, algorithm="ES256", keys=issuer.key_source()
    )
    return asyncio.run(verifier.verify(token)).subject


def test_token_for_a_user_prints_only_the_token(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--user", "tovholder"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert out == token + "\n"
    assert token.count(".") == 2
    assert verify(settings, token) == "tovholder"
    assert err == ""


def test_ttl_is_honoured_and_bounded(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--user", "admin", "--ttl", "120"]) == 0
    token = capsys.readouterr().out.strip()
    issuer = DevIssuer.from_settings(settings)
    verified = asyncio.run(
        TokenVerifier(
            issuer=issuer.issuer, audience="familiehub", algorithm="ES256", keys=issuer.key_source()
        ).verify(token)
    )
    assert verified.expires_at - verified.issued_at == 120
    with pytest.raises(SystemExit) as info:
        main(["token", "--user", "admin", "--ttl", str(13 * 3600)])
    assert info.value.code == 2


def test_unknown_user_is_an_error(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--user", "no-such-user"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "no active user" in err
    # ... and says which names exist (the README names users that a newcomer may mistype)
    assert "tovholder" in err
    assert "borger-F00002-1" in err
    assert "hub users" in err


def test_refused_without_the_development_issuer(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_DEV_ISSUER", "false")
    assert main(["token", "--user", "tovholder"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "development issuer is off" in err


def test_demo_prints_one_token_per_role(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split("\t") for line in lines]
    assert [r[1] for r in rows] == [r.value for r in Role]
    usernames = {r[1]: r[0] for r in rows}
    assert usernames["COORDINATOR"] == "tovholder"
    assert usernames["CORE_TEAM"] == "sof-kerne"
    assert usernames["CITIZEN"] == "borger-F00002-1"  # the README's demo family
    for username, _role, token in rows:
        assert verify(settings, token) == username


def test_demo_tokens_for_the_run_banner_last_twelve_hours(settings: Settings) -> None:
    tokens = asyncio.run(demo_tokens(settings))
    assert len(tokens) == len(Role)
    issuer = DevIssuer.from_settings(settings)
    verifier = TokenVerifier(
        issuer=issuer.issuer, audience="familiehub", algorithm="ES256", keys=issuer.key_source()
    )
    verified = asyncio.run(verifier.verify(tokens[0][2]))
    assert verified.expires_at - verified.issued_at == 12 * 3600
