"""`hub check-config` lists every production problem (variable and fix) and exits non-zero; `hub serve` in
production fails with the same list and no traceback. The checks are one registry (hub/config_check.py)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub import config_check
from hub.cli import main
from hub.config_check import Problem, production_check, production_problems
from hub.domain import Department
from hub.settings import ProductionConfigError, Settings


def _key(byte: bytes) -> str:
    return base64.urlsafe_b64encode(byte * 32).decode()


PRODUCTION_ENV = {
    "HUB_ENV": "production",
    "HUB_DEV_ISSUER": "false",
    "HUB_OIDC_ISSUER": "https://login.example.invalid/realms/kk",
    "HUB_OIDC_JWKS_URL": "https://login.example.invalid/realms/kk/certs",
    "HUB_DATABASE_URL": "postgresql+asyncpg://hub:pw@db.invalid:5432/hub",
    "HUB_CPR_ENCRYPTION_KEY": _key(b"e"),
    "HUB_CPR_HASH_KEY": _key(b"h"),
    "HUB_MOCK_ADMIN_TOKEN": "not-the-development-one",
    "HUB_OIDC_GROUP_ROLES": "hfi-admin=ADMIN,hfi-tovholder=COORDINATOR",
    **{f"HUB_{d.value}_CREDENTIAL": f"real-{d.value}-credential" for d in Department},
    **{f"HUB_{d.value}_WEBHOOK_SECRET": f"real-webhook-secret-{d.value}-0123456789" for d in Department},
}
# With only HUB_ENV=production, each of these must be named (and nothing of their values shown).
EXPECTED = [
    "HUB_DATABASE_URL",
    "HUB_DEV_ISSUER",
    "HUB_OIDC_ISSUER",
    "HUB_OIDC_JWKS_URL",
    *(f"HUB_{d.value}_CREDENTIAL" for d in Department),
    *(f"HUB_{d.value}_WEBHOOK_SECRET" for d in Department),
    "HUB_CPR_ENCRYPTION_KEY",
    "HUB_CPR_HASH_KEY",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("HUB_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
    # No network in these tests: the provider's discovery document is unreachable (hub/auth/oidc_check.py).
    monkeypatch.setattr("hub.auth.oidc_check._fetch_json", _unreachable)


def _unreachable(url: str) -> object:
    raise OSError("no network in unit tests")


def _set(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_a_production_configuration_passes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _set(monkeypatch, PRODUCTION_ENV)
    assert main(["check-config"]) == 0
    assert "fit for production" in capsys.readouterr().out


def test_every_problem_is_listed_with_its_fix_and_no_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_ENV", "production")
    assert main(["check-config"]) == 1
    out = capsys.readouterr().out
    listed = [line.strip()[2:] for line in out.splitlines() if line.strip().startswith("- ")]
    for variable in EXPECTED:
        assert any(line.startswith(f"{variable}: ") and len(line) > len(variable) + 10 for line in listed), (
            variable
        )
    assert "dev-sof-hub" not in out
    assert "dev-admin" not in out
    assert "dev-sof-webhook" not in out
    assert "Traceback" not in out


def test_development_is_a_problem_for_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _set(monkeypatch, {**PRODUCTION_ENV, "HUB_ENV": "development"})
    assert main(["check-config"]) == 1
    assert "HUB_ENV: set HUB_ENV=production" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HUB_CPR_ENCRYPTION_KEY", "a" * 44),  # 33 bytes: no AES key size
        ("HUB_CPR_ENCRYPTION_KEY", "not base64 at all!"),
        ("HUB_CPR_HASH_KEY", base64.urlsafe_b64encode(b"short").decode()),
        ("HUB_SOF_WEBHOOK_SECRET", "tiny-secret-x"),
        ("HUB_OIDC_ISSUER", "http://login.example.invalid/realms/kk"),
        ("HUB_OIDC_JWKS_URL", "http://127.0.0.2.example.invalid/certs"),
        ("HUB_CORS_ORIGINS", "*"),
        ("HUB_INTROSPECTION", "true"),
        ("HUB_FEDERATION_SECRET", "router-secret"),
        ("HUB_BUF_URL", ""),
        ("HUB_METRICS_TOKEN", "scrape-token"),
    ],
)
def test_bad_formats_are_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    _set(monkeypatch, {**PRODUCTION_ENV, variable: value})
    assert main(["check-config"]) == 1
    out = capsys.readouterr().out
    assert f"- {variable}: " in out
    if len(value) > 5:  # a secret's value is never shown
        assert value not in out


def test_invalid_settings_are_listed_one_per_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _set(monkeypatch, {**PRODUCTION_ENV, "HUB_PORT": "not-a-port", "HUB_WORKERS": "0"})
    assert main(["check-config"]) == 1
    err = capsys.readouterr().err
    assert "- HUB_PORT: " in err
    assert "- HUB_WORKERS: " in err
    assert "Traceback" not in err


def test_serve_in_production_fails_with_the_same_list(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_ENV", "production")
    assert main(["check-config"]) == 1
    listed = {line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("- ")}
    assert main(["serve", "--port", "1"]) == 1  # refused before it binds (or looks at) anything
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "hub check-config" in err
    # The claim mapping's check (hub/auth/oidc_check.py) asks the provider: `hub check-config` only.
    listed = {line for line in listed if not line.startswith("- HUB_OIDC_GROUP_ROLES: ")}
    assert listed - {"- HUB_ENV: set HUB_ENV=production"} <= {line.strip() for line in err.splitlines()}


def test_the_app_factory_refuses_with_every_problem() -> None:
    with pytest.raises(ProductionConfigError) as info:
        Settings(env="production").check_production()
    assert {p.variable for p in info.value.problems if isinstance(p, Problem)} >= set(EXPECTED)


@pytest.fixture
def extra_check() -> Iterator[None]:
    @production_check
    def _claims(settings: Settings) -> Iterator[Problem]:
        yield Problem("HUB_OIDC_EXAMPLE_CLAIM", "another concern's check")

    yield
    config_check.CHECKS.remove(_claims)


def test_another_concern_adds_a_check_to_the_registry(extra_check: None) -> None:
    problems = production_problems(Settings(env="production"))
    assert problems[-1] == Problem("HUB_OIDC_EXAMPLE_CLAIM", "another concern's check")


def test_plain_http_is_allowed_to_the_loopback_interface_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _set(
        monkeypatch,
        {
            **PRODUCTION_ENV,
            "HUB_OIDC_ISSUER": "http://127.0.0.1:9000/realms/kk",
            "HUB_OIDC_JWKS_URL": "http://localhost:9000/realms/kk/certs",
        },
    )
    assert main(["check-config"]) == 0
