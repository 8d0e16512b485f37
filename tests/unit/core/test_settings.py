import pytest

from hub.settings import Environment, ProductionConfigError, Settings

PROD_OK = {
    "env": Environment.PRODUCTION,
    "dev_issuer": False,
    "oidc_issuer": "https://login.example.invalid/realms/kk",
    "oidc_jwks_url": "https://login.example.invalid/realms/kk/certs",
    "database_url": "postgresql+asyncpg://hub@db/hub",
    "cpr_encryption_key": "a" * 43 + "=",  # URL-safe base64 of 32 bytes
    "cpr_hash_key": "b" * 43 + "=",
    "mock_admin_token": "not-the-dev-one",
    **{f"{d}_credential": f"real-{d}" for d in ("sof", "bif", "buf", "kff", "suf")},
    **{
        f"{d}_webhook_secret": f"real-webhook-secret-{d}-0123456789"
        for d in ("sof", "bif", "buf", "kff", "suf")
    },
}


def test_development_defaults_pass_the_check() -> None:
    Settings().check_production()  # development: nothing to refuse


def test_production_with_real_settings_starts() -> None:
    Settings(**PROD_OK).check_production()


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"dev_issuer": True}, "HUB_DEV_ISSUER"),
        ({"oidc_issuer": ""}, "HUB_OIDC_ISSUER"),
        ({"sof_credential": "dev-sof-hub"}, "HUB_SOF_CREDENTIAL"),
        ({"cpr_hash_key": ""}, "HUB_CPR_HASH_KEY"),
        ({"database_url": "sqlite+aiosqlite:///var/hub.db"}, "HUB_DATABASE_URL"),
    ],
)
def test_production_refuses_development_settings(override: dict[str, object], named: str) -> None:
    with pytest.raises(ProductionConfigError, match=named) as info:
        Settings(**{**PROD_OK, **override}).check_production()
    # The message names settings, never their values.
    assert "dev-sof-hub" not in str(info.value)


def test_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_PORT", "9100")
    monkeypatch.setenv("HUB_BIF_URL", "http://127.0.0.1:9202")
    settings = Settings()
    assert settings.port == 9100
    from hub.domain import Department

    assert settings.department_url(Department.BIF) == "http://127.0.0.1:9202"


def test_introspection_defaults_follow_environment() -> None:
    assert Settings().introspection_enabled is True
    assert Settings(env=Environment.PRODUCTION).introspection_enabled is False


def test_serve_refuses_several_workers_without_redis(capsys: pytest.CaptureFixture[str]) -> None:
    """Several workers keep their guarantees only with pub/sub between them: refused before uvicorn starts."""
    import argparse

    from hub.cli import _serve

    args = argparse.Namespace(host=None, port=None, workers=2)
    assert _serve(args, Settings(redis_url=None)) == 2
    assert "HUB_REDIS_URL" in capsys.readouterr().err
    assert _serve(argparse.Namespace(host=None, port=None, workers=0), Settings()) == 2


def test_audit_queue_and_cache_bounds_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_AUDIT_QUEUE_MAX_REQUESTS", "7")
    monkeypatch.setenv("HUB_AUDIT_BATCH_MAX_EVENTS", "70")
    monkeypatch.setenv("HUB_SECTION_CACHE_MAX_ENTRIES", "700")
    monkeypatch.setenv("HUB_WORKERS", "3")
    settings = Settings()
    assert settings.audit_queue_max_requests == 7
    assert settings.audit_batch_max_events == 70
    assert settings.section_cache_max_entries == 700
    assert settings.workers == 3
