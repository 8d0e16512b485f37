"""The README's "Running in production" is something an operator can follow: it names every variable production
requires (the ones `hub check-config` asks for) and every line of docker/.env.example, and covers each topic."""

from __future__ import annotations

import re
from pathlib import Path

from hub.config_check import production_problems
from hub.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def _section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Running in production\n")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def _named(text: str) -> set[str]:
    names = set(re.findall(r"HUB_[A-Z0-9_]+", text))
    # HUB_<DEPT>_X stands for the five departments.
    for generic in re.findall(r"HUB_<DEPT>_([A-Z_]+)", text):
        names |= {f"HUB_{d}_{generic}" for d in ("SOF", "BIF", "BUF", "KFF", "SUF")}
    return names


def test_every_variable_check_config_asks_for_is_explained() -> None:
    asked = {p.variable for p in production_problems(Settings(env="production"))}
    assert asked <= _named(_section()), asked - _named(_section())


def test_every_variable_of_the_env_example_is_explained() -> None:
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / "docker" / ".env.example").read_text().splitlines()
        if line.startswith("HUB_")
    }
    assert example <= _named(_section()) | {"HUB_LOG_LEVEL"}, example - _named(_section())


def test_the_section_covers_what_an_operator_must_do() -> None:
    section = _section()
    for topic in (
        "PostgreSQL",
        "Redis",
        "HUB_OIDC_ISSUER",
        "HUB_OIDC_AUDIENCE",
        "HUB_<DEPT>_CREDENTIAL",
        "HUB_<DEPT>_WEBHOOK_SECRET",
        "HUB_CPR_ENCRYPTION_KEY",
        "URL-safe base64",
        "HUB_CORS_ORIGINS",
        "TLS",
        "HUB_FORWARDED_ALLOW_IPS",
        "HUB_METRICS_TOKEN",
        "HUB_FEDERATION_SECRET",
        "hub check-config",
        "hub migrate",
        "hub serve",
        "Key rotation",
        "docker/.env.example",
    ):
        assert topic in section, topic
