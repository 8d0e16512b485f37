"""The development issuer: a key under var/ (0600, reused), short-lived tokens, and never in production."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from joserfc import jws

from hub.auth import dev_issuer
from hub.auth.dev_issuer import KEY_FILE, MAX_TTL_S, DevIssuer, dev_issuer_url, load_or_create_key
from hub.auth.verifier import TokenVerifier
from hub.errors import Unauthenticated
from hub.settings import Environment, ProductionConfigError, Settings


def settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(
        var_dir=tmp_path / "var", database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", **overrides
    )  # type: ignore[arg-type]


def test_the_key_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    first = load_or_create_key(tmp_path / "var", "ES256")
    path = tmp_path / "var" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_or_create_key(tmp_path / "var", "ES256")
    assert again.kid == first.kid
    assert again.as_dict(private=True) == first.as_dict(private=True)
    assert [p.name for p in (tmp_path / "var").iterdir()] == [KEY_FILE]  # no temporary files left behind


def test_switching_algorithm_adds_a_key_and_keeps_the_other(tmp_path: Path) -> None:
    ec = load_or_create_key(tmp_path, "ES256")
    rsa = load_or_create_key(tmp_path, "RS256")
    assert rsa.key_type == "RSA"
    assert load_or_create_key(tmp_path, "ES256").kid == ec.kid
    assert len(json.loads((tmp_path / KEY_FILE).read_text())["keys"]) == 2
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600


def test_a_concurrent_first_run_keeps_the_first_key(tmp_path: Path) -> None:
    first = load_or_create_key(tmp_path, "ES256")
    # A second process that lost the race writes its own key exclusively: the link fails, the file stays.
    dev_issuer._write_exclusive(tmp_path / KEY_FILE, {"keys": []})
    assert load_or_create_key(tmp_path, "ES256").kid == first.kid


@pytest.mark.parametrize("algorithm", ["ES256", "RS256"])
async def test_minted_tokens_verify_and_are_short_lived(tmp_path: Path, algorithm: str) -> None:
    s = settings(tmp_path, oidc_algorithm=algorithm)
    issuer = DevIssuer.from_settings(s)
    token = issuer.mint("tovholder", username="tovholder")
    header = jws.extract_compact(token.encode()).headers()
    assert header["alg"] == algorithm
    assert header["kid"] == issuer.kid
    verifier = TokenVerifier(
        issuer=dev_issuer_url(s), audience=s.oidc_audience, algorithm=algorithm, keys=issuer.key_source()
    )
    verified = await verifier.verify(token)
    assert verified.subject == "tovholder"
    assert verified.expires_at - verified.issued_at == 3600
    longest = await verifier.verify(issuer.mint("tovholder", ttl_s=MAX_TTL_S))
    assert longest.expires_at - longest.issued_at == 12 * 3600


@pytest.mark.parametrize("ttl", [0, -1, MAX_TTL_S + 1, 7 * 24 * 3600])
def test_ttl_is_bounded(tmp_path: Path, ttl: int) -> None:
    with pytest.raises(ValueError, match="ttl"):
        DevIssuer.from_settings(settings(tmp_path)).mint("tovholder", ttl_s=ttl)


async def test_expired_dev_token_is_refused(tmp_path: Path) -> None:
    s = settings(tmp_path)
    clock = [1_800_000_000.0]
    issuer = DevIssuer(
        load_or_create_key(s.var_dir, "ES256"),
        issuer=dev_issuer_url(s),
        audience=s.oidc_audience,
        algorithm="ES256",
        clock=lambda: clock[0],
    )
    token = issuer.mint("tovholder", ttl_s=60)
    verifier = TokenVerifier(
        issuer=dev_issuer_url(s),
        audience=s.oidc_audience,
        algorithm="ES256",
        keys=issuer.key_source(),
        clock=lambda: clock[0] + 60 + 31,
    )
    with pytest.raises(Unauthenticated):
        await verifier.verify(token)


def test_the_jwks_holds_no_private_parameters(tmp_path: Path) -> None:
    for algorithm in ("ES256", "RS256"):
        jwks = DevIssuer.from_settings(settings(tmp_path, oidc_algorithm=algorithm)).jwks()
        (key,) = jwks["keys"]
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
        assert key["use"] == "sig"
        assert key["alg"] == algorithm


def test_issuer_url(tmp_path: Path) -> None:
    # The same name on every port: a token minted by `hub token` verifies on any dev hub sharing the key.
    assert dev_issuer_url(settings(tmp_path, port=8123)) == dev_issuer_url(settings(tmp_path, port=9000))
    assert dev_issuer_url(settings(tmp_path, port=8123)) == "urn:familiehub:dev-issuer"
    assert dev_issuer_url(settings(tmp_path, oidc_issuer="https://idp.test/x")) == "https://idp.test/x"


def test_production_refuses_the_development_issuer(tmp_path: Path) -> None:
    prod = settings(tmp_path, env=Environment.PRODUCTION, dev_issuer=True)
    with pytest.raises(ProductionConfigError, match="HUB_DEV_ISSUER"):
        prod.check_production()
    # (that `create_app` refuses it before building anything: tests/integration/auth)


def test_production_with_an_identity_provider_passes_the_auth_check(tmp_path: Path) -> None:
    prod = settings(
        tmp_path,
        env=Environment.PRODUCTION,
        dev_issuer=False,
        oidc_issuer="https://idp.test/realms/hfi",
        oidc_jwks_url="https://idp.test/realms/hfi/certs",
    )
    with pytest.raises(ProductionConfigError) as info:
        prod.check_production()  # other development defaults remain in this test's settings
    assert "HUB_DEV_ISSUER" not in str(info.value)


def test_the_development_issuer_is_on_by_default_in_development(tmp_path: Path) -> None:
    assert settings(tmp_path).dev_issuer is True
