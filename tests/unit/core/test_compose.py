"""docker/compose.yml is production-shaped (HUB_ENV=production, secrets from docker/.env, no mocks, no demo data);
docker/compose.dev.yml adds the mocks, the seeded demo world and development settings. The development stack names
every service and port the README promises. (No Docker engine on our machines: the files are read as YAML and
merged the way compose merges them: mappings key by key, everything else replaced.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.config_check import production_problems
from hub.domain import Department
from hub.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
DOCKER = ROOT / "docker"
PROMISED = {
    "lb": 8000,  # HAProxy in front of the two hub replicas (`hub`, `hub2`): the hub's URL
    "postgres": 5432,
    "redis": 6379,
    "sof": 8101,
    "bif": 8102,
    "buf": 8103,
    "kff": 8104,
    "suf": 8105,
}
MOCKS = {d.value.lower() for d in Department}
REPLICAS = ("hub", "hub2")
SECRET_VARIABLE = re.compile(r"HUB_.*(CREDENTIAL|SECRET|KEY|TOKEN)$|PASSWORD")


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((DOCKER / name).read_text())
    assert isinstance(data, dict)
    return data


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        return {k: _merge(base[k], v) if k in base else v for k, v in override.items()} | {
            k: v for k, v in base.items() if k not in override
        }
    return override


def _production() -> dict[str, Any]:
    return _load("compose.yml")


def _development() -> dict[str, Any]:
    merged: dict[str, Any] = _merge(_production(), _load("compose.dev.yml"))
    return merged


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (DOCKER / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value
    return pairs


# --- production: docker/compose.yml --------------------------------------------------------------------------------


@pytest.mark.parametrize("replica", REPLICAS)
def test_production_hubs_run_in_production_mode_on_postgres_and_redis(replica: str) -> None:
    hub = _production()["services"][replica]
    env = hub["environment"]
    assert env["HUB_ENV"] == "production"
    assert env["HUB_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "${POSTGRES_PASSWORD" in env["HUB_DATABASE_URL"]  # the password comes from docker/.env
    assert env["HUB_REDIS_URL"].startswith("redis://")
    assert set(hub["depends_on"]) == {"postgres", "redis", "migrate"}
    assert "healthcheck" in hub


@pytest.mark.parametrize("replica", REPLICAS)
def test_production_secrets_come_from_the_env_file(replica: str) -> None:
    hub = _production()["services"][replica]
    assert [f["path"] if isinstance(f, dict) else f for f in hub["env_file"]] == [".env"]
    assert not [name for name in hub["environment"] if SECRET_VARIABLE.search(name)]
    assert _production()["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${")


def test_production_has_no_mocks_no_demo_data_and_no_published_databases() -> None:
    services = _production()["services"]
    assert not MOCKS & set(services)
    assert not [name for name, s in services.items() if s.get("build", {}).get("target") == "departments"]
    for name, service in services.items():
        assert "seed" not in str(service.get("command", "")), name
        assert not any(
            "HUB_" in k and k.endswith("_URL") and "sof:" in str(v)
            for k, v in service.get("environment", {}).items()
        )
    assert "ports" not in services["postgres"]
    assert "ports" not in services["redis"]
    assert services["grafana"]["environment"]["GF_AUTH_ANONYMOUS_ENABLED"] == "false"


def test_production_keeps_two_replicas_behind_haproxy_with_prometheus_and_grafana() -> None:
    services = _production()["services"]
    lb = services["lb"]
    assert set(lb["depends_on"]) == set(REPLICAS)
    assert any("haproxy/haproxy.cfg" in v for v in lb["volumes"])
    assert any(str(p).endswith(":8000") for p in lb["ports"])
    address = lb["networks"]["default"]["ipv4_address"]
    for replica in REPLICAS:
        assert services[replica]["environment"]["HUB_FORWARDED_ALLOW_IPS"] == address
    assert any("prometheus.yml" in v for v in services["prometheus"]["volumes"])
    assert "grafana" in services
    assert services["migrate"]["command"] == ["hub", "migrate"]


def test_the_env_example_lists_every_production_variable() -> None:
    example = _env_example()
    # What a bare production configuration lacks is exactly what the operator fills in docker/.env (compose sets
    # HUB_ENV and builds HUB_DATABASE_URL from POSTGRES_PASSWORD).
    missing = {p.variable for p in production_problems(Settings(env="production"))} - {"HUB_DATABASE_URL"}
    assert missing <= set(example)
    for name in (
        "POSTGRES_PASSWORD",
        "HUB_OIDC_AUDIENCE",
        "HUB_CORS_ORIGINS",
        "HUB_METRICS_TOKEN",
        "HUB_FEDERATION_SECRET",
        *(f"HUB_{d.value}_URL" for d in Department),
    ):
        assert name in example, name
    # The file is an example: no secret is filled in.
    assert not [n for n, v in example.items() if SECRET_VARIABLE.search(n) and v]
    for name in example:
        if name.startswith("HUB_"):
            assert name.removeprefix("HUB_").lower() in Settings.model_fields, name
    assert "docker/.env" in (ROOT / ".gitignore").read_text().splitlines()


# --- development: docker/compose.yml + docker/compose.dev.yml --------------------------------------------------------


def test_development_has_every_promised_service_and_port() -> None:
    services = _development()["services"]
    assert set(PROMISED) <= set(services)
    for name, port in PROMISED.items():
        ports = services[name]["ports"]
        assert any(str(p).endswith(f":{port}") for p in ports), name
        assert "healthcheck" in services[name], name


@pytest.mark.parametrize("replica", REPLICAS)
def test_development_hubs_use_the_mocks_and_development_settings(replica: str) -> None:
    hub = _development()["services"][replica]
    env = hub["environment"]
    assert env["HUB_ENV"] == "development"
    for d in Department:
        assert env[f"HUB_{d.value}_URL"].startswith(f"http://{d.value.lower()}:")
    assert set(hub["depends_on"]) == set(PROMISED) - {"lb"} | {"migrate"}


def test_development_seeds_the_demo_world_at_one_anchor() -> None:
    services = _development()["services"]
    migrate = services["migrate"]
    assert "hub seed --if-empty" in " ".join(migrate["command"])
    assert migrate["environment"]["HUB_ENV"] == "development"
    anchor = migrate["environment"]["HUB_WORLD_ANCHOR"]
    for name in (*REPLICAS, *MOCKS):
        assert services[name]["environment"]["HUB_WORLD_ANCHOR"] == anchor, name


def test_readme_promises_the_same_ports() -> None:
    readme = (ROOT / "README.md").read_text()
    for name, port in PROMISED.items():
        assert str(port) in readme, f"README does not mention {name}'s port {port}"
    assert "docker/compose.dev.yml" in readme


def test_dockerfile_runs_as_non_root_without_build_tools() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text()
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert "USER familiehub" in runtime
    assert "build-essential" not in runtime
