"""`/metrics` is closed to the world in production: only Prometheus' bearer token (HUB_METRICS_TOKEN) reads it,
and without one it does not exist there. Development without a token is unchanged."""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from hub.app import build_services, create_app
from hub.domain import Department
from hub.settings import Settings
from tests.support.backends import unavailable

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "scrape-token-0123456789abcdef-0123"
PRODUCTION: dict[str, Any] = {
    "env": "production",
    "dev_issuer": False,
    "oidc_issuer": "https://login.example.invalid/realms/kk",
    "oidc_jwks_url": "https://login.example.invalid/realms/kk/certs",
    # Unreachable: a scrape's dead-letter count gives up on it and keeps the last value (hub/metrics.py).
    "database_url": "postgresql+asyncpg://hub@127.0.0.1:9/hub",
    "cpr_encryption_key": base64.urlsafe_b64encode(b"e" * 32).decode(),
    "cpr_hash_key": base64.urlsafe_b64encode(b"h" * 32).decode(),
    "mock_admin_token": "not-the-development-one",
    **{f"{d.value.lower()}_credential": f"real-{d.value}-credential" for d in Department},
    **{f"{d.value.lower()}_webhook_secret": f"real-webhook-secret-{d.value}-0123456789" for d in Department},
}


async def _client(tmp_path: Path, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    services = build_services(Settings(var_dir=tmp_path / "var", **settings))
    app = create_app(services=services)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
        ) as client:
            yield client
    finally:
        # A scrape counts the stored dead letters (hub/metrics.py): whatever it opened is closed here.
        await services.aclose()


@pytest.fixture
async def production(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(tmp_path, **PRODUCTION):
        yield client


@pytest.fixture
async def production_with_token(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(tmp_path, **PRODUCTION, metrics_token=TOKEN):
        yield client


async def test_production_without_a_token_has_no_metrics(production: httpx.AsyncClient) -> None:
    response = await production.get("/metrics")
    assert response.status_code == 404
    assert "familiehub_" not in response.text
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
async def test_production_metrics_need_the_token(
    production_with_token: httpx.AsyncClient, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = await production_with_token.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert "familiehub_" not in response.text
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


async def test_prometheus_reads_them_with_the_token(production_with_token: httpx.AsyncClient) -> None:
    await production_with_token.get("/healthz")
    response = await production_with_token.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "familiehub_http_requests_total" in response.text


async def test_development_is_unchanged(tmp_path: Path) -> None:
    async for client in _client(tmp_path):
        assert (await client.get("/metrics")).status_code == 200


def test_prometheus_scrapes_the_hubs_with_the_token_file() -> None:
    config = yaml.safe_load((ROOT / "docker" / "prometheus" / "prometheus.yml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "familiehub")
    assert job["authorization"]["credentials_file"] == "/run/secrets/metrics_token"
    compose = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())
    assert "metrics_token" in compose["services"]["prometheus"]["secrets"]
    assert compose["secrets"]["metrics_token"] == {"environment": "HUB_METRICS_TOKEN"}


def test_prometheus_config_passes_promtool(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        unavailable("promtool", "Debian: apt-get install prometheus (.ci/run does)")
        raise AssertionError("unreachable")
    # promtool wants the files the config names: the token file and the rules, at the container's paths.
    text = (ROOT / "docker" / "prometheus" / "prometheus.yml").read_text()
    (tmp_path / "metrics_token").write_text(TOKEN)
    (tmp_path / "alerts.yml").write_text((ROOT / "docker" / "prometheus" / "alerts.yml").read_text())
    text = text.replace("/run/secrets/metrics_token", str(tmp_path / "metrics_token"))
    text = text.replace("/etc/prometheus/alerts.yml", str(tmp_path / "alerts.yml"))
    (tmp_path / "prometheus.yml").write_text(text)
    result = subprocess.run(  # noqa: S603 - a fixed binary on a checked-in file
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_load_balancer_does_not_pass_metrics_to_the_public() -> None:
    frontend = (ROOT / "docker" / "haproxy" / "haproxy.cfg").read_text().split("frontend familiehub", 1)[1]
    frontend = frontend.split("\nbackend ", 1)[0]
    assert "http-request deny if { path_beg /metrics }" in frontend
