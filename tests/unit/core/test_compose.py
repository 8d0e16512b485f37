"""docker/compose.yml names every service and port the README promises (no Docker engine on our machines)."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
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


def _compose() -> dict[str, object]:
    data = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_compose_has_every_promised_service_and_port() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    assert set(PROMISED) <= set(services)
    for name, port in PROMISED.items():
        ports = services[name]["ports"]
        assert any(str(p).endswith(f":{port}") for p in ports), name
        assert "healthcheck" in services[name], name


@pytest.mark.parametrize("replica", ["hub", "hub2"])
def test_hub_runs_on_postgres_and_redis_and_waits_for_its_dependencies(replica: str) -> None:
    hub = _compose()["services"][replica]  # type: ignore[index]
    env = hub["environment"]
    assert env["HUB_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env["HUB_REDIS_URL"].startswith("redis://")
    assert set(hub["depends_on"]) == set(PROMISED) - {"lb"}
    assert "healthcheck" in hub


def test_the_load_balancer_fronts_both_replicas_with_the_checked_in_config() -> None:
    services = _compose()["services"]
    lb = services["lb"]  # type: ignore[index]
    assert set(lb["depends_on"]) == {"hub", "hub2"}
    assert any("haproxy/haproxy.cfg" in v for v in lb["volumes"])
    address = lb["networks"]["default"]["ipv4_address"]
    for replica in ("hub", "hub2"):
        assert services[replica]["environment"]["HUB_FORWARDED_ALLOW_IPS"] == address  # type: ignore[index]


def test_readme_promises_the_same_ports() -> None:
    readme = (ROOT / "README.md").read_text()
    for name, port in PROMISED.items():
        assert str(port) in readme, f"README does not mention {name}'s port {port}"


def test_dockerfile_runs_as_non_root_without_build_tools() -> None:
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert "USER familiehub" in runtime
    assert "build-essential" not in runtime
