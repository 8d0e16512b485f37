"""`hub check-config` asks the identity provider's discovery document about the claim mapping (issue #26):
a test provider on 127.0.0.1 that lists its claims in `claims_supported`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hub.cli import main
from tests.support.idp import running_idp


@pytest.mark.parametrize(("roles_claim", "named"), [("groups", False), ("roles", True)])
async def test_check_config_compares_the_mapping_with_the_providers_discovery_document(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    roles_claim: str,
    named: bool,
) -> None:
    async with running_idp() as idp:
        monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
        for name, value in idp.settings().items():
            monkeypatch.setenv(
                f"HUB_{name.upper()}", str(value).lower() if isinstance(value, bool) else value
            )
        monkeypatch.setenv("HUB_OIDC_ROLES_CLAIM", roles_claim)
        assert await asyncio.to_thread(main, ["check-config"]) == 1  # development settings: other problems
        out = capsys.readouterr().out
    assert idp.discovery_hits == 1
    assert ("- HUB_OIDC_ROLES_CLAIM: " in out) is named
    assert "- HUB_OIDC_ISSUER: set it exactly" not in out  # the same issuer as the discovery document's
    assert "- HUB_OIDC_JWKS_URL: set it to the discovery" not in out


async def test_check_config_names_a_missing_group_mapping(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("HUB_ENV", "production")
    monkeypatch.delenv("HUB_OIDC_GROUP_ROLES", raising=False)
    assert await asyncio.to_thread(main, ["check-config"]) == 1
    assert "- HUB_OIDC_GROUP_ROLES: map the provider's groups" in capsys.readouterr().out
