"""Token verification: every attack in the issue is a 401 with one message, and the reason is logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from auth_fakes import (
    AUDIENCE,
    DROP,
    ISSUER,
    NOW,
    ec_key,
    forge_hs256,
    forge_none,
    rsa_key,
    sign,
    valid_claims,
)
from cryptography.hazmat.primitives import serialization
from joserfc.jwk import ECKey, RSAKey

from hub.auth.jwks import StaticKeySource
from hub.auth.verifier import CREDENTIALS_MESSAGE, TokenVerifier
from hub.errors import Unauthenticated

EC = ec_key("ec-1")
RSA = rsa_key("rsa-1")


def verifier(algorithm: str = "ES256", *keys: ECKey | RSAKey, leeway_s: int = 30) -> TokenVerifier:
    return TokenVerifier(
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithm=algorithm,
        keys=StaticKeySource(keys or ((EC,) if algorithm == "ES256" else (RSA,)), algorithm),
        leeway_s=leeway_s,
        clock=lambda: NOW,
    )


async def rejected(v: TokenVerifier, token: str, caplog: pytest.LogCaptureFixture) -> str:
    """Assert a uniform 401 and return the logged reason (and that the token itself is never logged)."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="hub.security"), pytest.raises(Unauthenticated) as info:
        await v.verify(token)
    assert info.value.message == CREDENTIALS_MESSAGE
    assert info.value.extensions == {"code": "UNAUTHENTICATED"}
    records = [r for r in caplog.records if r.name == "hub.security"]
    assert records, "a rejection must reach the security log"
    for record in records if len(token) >= 8 else ():
        assert token not in record.getMessage()
        assert all(token not in str(v) for v in record.__dict__.values())
    reason: str = records[-1].__dict__["reason"]
    return reason


async def test_valid_es256_token_is_accepted() -> None:
    verified = await verifier().verify(sign(valid_claims(), EC))
    assert verified.subject == "tovholder"
    assert verified.expires_at == NOW + 300
    assert verified.token_id == "j-1"


async def test_valid_rs256_token_is_accepted_when_rs256_is_configured() -> None:
    verified = await verifier("RS256").verify(sign(valid_claims(), RSA, "RS256"))
    assert verified.subject == "tovholder"


async def test_alg_none_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    assert await rejected(verifier(), forge_none(valid_claims()), caplog) == "algorithm_not_allowed"


@pytest.mark.parametrize("algorithm", ["ES256", "RS256"])
async def test_hs256_signed_with_the_public_key_is_refused(
    algorithm: str, caplog: pytest.LogCaptureFixture
) -> None:
    key: ECKey | RSAKey = EC if algorithm == "ES256" else RSA
    pem = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for secret in (pem, pem.strip(), str(key.as_dict(private=False)).encode()):
        token = forge_hs256(valid_claims(), secret, kid=key.kid)
        assert await rejected(verifier(algorithm), token, caplog) == "algorithm_not_allowed"


async def test_a_token_of_the_other_allowed_algorithm_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    # RS256 is an allowed algorithm in general, but this hub is pinned to ES256: the token cannot choose.
    token = sign(valid_claims(), RSA, "RS256")
    assert await rejected(verifier("ES256", EC), token, caplog) == "algorithm_not_allowed"


async def test_a_signature_by_another_key_with_a_known_kid_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    impostor = ec_key("ec-1")  # same kid, different key
    assert await rejected(verifier(), sign(valid_claims(), impostor), caplog) == "bad_signature"


async def test_a_tampered_payload_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    header, _payload, signature = sign(valid_claims(), EC).split(".")
    other = sign(valid_claims(sub="admin"), ec_key("x")).split(".")[1]
    assert await rejected(verifier(), f"{header}.{other}.{signature}", caplog) == "bad_signature"


@pytest.mark.parametrize(
    "iss",
    [
        "https://evil.example.test/realms/hfi",
        "https://idp.example.test/realms/hf",  # a prefix
        "https://idp.example.test/realms/hfi/",  # trailing slash
        "https://idp.example.test/realms/hfi-evil",  # an extension
        "https://idp.example.test",  # partial
        "HTTPS://IDP.EXAMPLE.TEST/realms/hfi",  # case
        "",
        [ISSUER],
    ],
)
async def test_wrong_or_partial_issuer_is_refused(iss: Any, caplog: pytest.LogCaptureFixture) -> None:
    assert await rejected(verifier(), sign(valid_claims(iss=iss), EC), caplog) == "invalid_claim_iss"


@pytest.mark.parametrize("aud", ["other-api", "familiehub-admin", "familie", ["other-api"], [], ""])
async def test_wrong_audience_is_refused(aud: Any, caplog: pytest.LogCaptureFixture) -> None:
    assert await rejected(verifier(), sign(valid_claims(aud=aud), EC), caplog) == "invalid_claim_aud"


async def test_audience_list_containing_ours_is_accepted() -> None:
    verified = await verifier().verify(sign(valid_claims(aud=["account", AUDIENCE]), EC))
    assert verified.subject == "tovholder"


@pytest.mark.parametrize("exp", [NOW - 31, NOW - 3600, NOW - 30])
async def test_expired_token_is_refused(exp: int, caplog: pytest.LogCaptureFixture) -> None:
    assert (
        await rejected(verifier(), sign(valid_claims(exp=exp, iat=exp - 60, nbf=DROP), EC), caplog)
        == "expired"
    )


async def test_expiry_within_the_leeway_is_accepted() -> None:
    assert (await verifier().verify(sign(valid_claims(exp=NOW - 20), EC))).subject == "tovholder"


async def test_not_yet_valid_token_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    token = sign(valid_claims(nbf=NOW + 120), EC)
    assert await rejected(verifier(), token, caplog) == "invalid_claim_nbf"


async def test_nbf_within_the_leeway_is_accepted() -> None:
    assert (await verifier().verify(sign(valid_claims(nbf=NOW + 20), EC))).subject == "tovholder"


async def test_token_issued_in_the_future_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    token = sign(valid_claims(iat=NOW + 600, nbf=DROP), EC)
    assert await rejected(verifier(), token, caplog) == "invalid_claim_iat"


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "iss", "aud"])
async def test_missing_required_claim_is_refused(claim: str, caplog: pytest.LogCaptureFixture) -> None:
    token = sign(valid_claims(**{claim: DROP}), EC)
    assert await rejected(verifier(), token, caplog) == f"missing_claim_{claim}"


@pytest.mark.parametrize(
    ("claim", "value"),
    [("exp", "tomorrow"), ("exp", True), ("iat", "now"), ("nbf", "soon"), ("sub", 42), ("sub", "")],
)
async def test_ill_typed_claims_are_refused(claim: str, value: Any, caplog: pytest.LogCaptureFixture) -> None:
    reason = await rejected(verifier(), sign(valid_claims(**{claim: value}), EC), caplog)
    assert reason.startswith(("invalid_claim_", "missing_claim_"))


async def test_unknown_kid_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    other = ec_key("ec-unknown")
    assert await rejected(verifier(), sign(valid_claims(), other), caplog) == "unknown_kid"


async def test_missing_kid_is_accepted_only_with_a_single_key(caplog: pytest.LogCaptureFixture) -> None:
    token = sign(valid_claims(), EC, kid=DROP)
    assert (await verifier("ES256", EC).verify(token)).subject == "tovholder"
    assert await rejected(verifier("ES256", EC, ec_key("ec-2")), token, caplog) == "unknown_kid"


@pytest.mark.parametrize("typ", ["logout+jwt", "secevent+jwt", "JWE"])
async def test_other_kinds_of_jwt_are_refused(typ: str, caplog: pytest.LogCaptureFixture) -> None:
    assert await rejected(verifier(), sign(valid_claims(), EC, typ=typ), caplog) == "wrong_token_type"


@pytest.mark.parametrize("typ", ["JWT", "at+jwt", "application/at+jwt", DROP])
async def test_access_token_types_are_accepted(typ: Any) -> None:
    assert (await verifier().verify(sign(valid_claims(), EC, typ=typ))).subject == "tovholder"


async def test_keys_in_token_headers_are_ignored(caplog: pytest.LogCaptureFixture) -> None:
    # An attacker embeds their own key (jwk) or a key URL (jku): the verifier only trusts its configured keys.
    attacker = ec_key("ec-1")
    token = sign(
        valid_claims(), attacker, jwk=attacker.as_dict(private=False), jku="https://evil.example.test/jwks"
    )
    assert await rejected(verifier(), token, caplog) == "bad_signature"


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c", "a.b.c.d", "....", "ey.ey.ey", "é.é.é", "x" * 9000],
)
async def test_malformed_tokens_are_refused(token: str, caplog: pytest.LogCaptureFixture) -> None:
    assert await rejected(verifier(), token, caplog) == "malformed"


@pytest.mark.parametrize("algorithm", ["none", "HS256", "RS512", "PS256", ""])
def test_only_rs256_or_es256_may_be_configured(algorithm: str) -> None:
    with pytest.raises(ValueError, match="HUB_OIDC_ALGORITHM"):
        verifier(algorithm)


@pytest.mark.parametrize("leeway", [61, 300, -1])
def test_leeway_is_at_most_sixty_seconds(leeway: int) -> None:
    with pytest.raises(ValueError, match="leeway"):
        verifier(leeway_s=leeway)


def test_an_rsa_key_cannot_serve_es256_and_vice_versa() -> None:
    # The key source drops keys that do not fit the pinned algorithm, so no token can select them.
    assert StaticKeySource([RSA], "ES256")._keys == {}
    assert StaticKeySource([EC], "RS256")._keys == {}


class CountingKeys(StaticKeySource):
    """Counts key look-ups: one per signature check."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lookups = 0

    async def key_for(self, kid: str | None) -> Any:
        self.lookups += 1
        return await super().key_for(kid)


async def test_a_verified_token_is_kept_until_it_expires(caplog: pytest.LogCaptureFixture) -> None:
    now = [float(NOW)]
    keys = CountingKeys((EC,), "ES256")
    v = TokenVerifier(
        issuer=ISSUER, audience=AUDIENCE, algorithm="ES256", keys=keys, leeway_s=0, clock=lambda: now[0]
    )
    token = sign(valid_claims(exp=NOW + 60), EC)
    for _ in range(3):
        assert (await v.verify(token)).subject == "tovholder"
    assert keys.lookups == 1  # checked once, then served from the cache
    # The whole token is the key: the same header and claims with another signature are checked (and fail).
    header, payload, _signature = token.split(".")
    forged = sign(valid_claims(exp=NOW + 60), ec_key("ec-1"))
    assert forged.split(".")[:2] == [header, payload]
    assert await rejected(v, forged, caplog) == "bad_signature"
    assert keys.lookups == 2
    # Past its expiry the cached verification is gone and the token is refused.
    now[0] = NOW + 61
    assert await rejected(v, token, caplog) == "expired"


async def test_the_token_cache_is_bounded() -> None:
    v = verifier()
    v.cache_size = 2
    for n in range(5):
        await v.verify(sign(valid_claims(jti=f"j-{n}"), EC))
    assert len(v._verified) == 2
