"""Keys from a JWKS URL: cached, one rate-limited refetch on an unknown kid, served from cache while down."""

from __future__ import annotations

import logging

import httpx
import pytest
from auth_fakes import (
    AUDIENCE,
    ISSUER,
    JWKS_URL,
    NOW,
    FakeClock,
    JwksServer,
    connection_refused,
    ec_key,
    public_jwks,
    rsa_key,
    server_error,
    sign,
    valid_claims,
)

from hub.auth.jwks import MAX_JWKS_BYTES, JwksKeySource, parse_jwks
from hub.auth.verifier import TokenVerifier
from hub.errors import Unauthenticated

K1 = ec_key("k1")
K2 = ec_key("k2")


def make(
    server: JwksServer, clock: FakeClock, *, max_age_s: float = 600.0
) -> tuple[TokenVerifier, JwksKeySource]:
    source = JwksKeySource(
        JWKS_URL,
        algorithm="ES256",
        client=server.client(),
        refetch_interval_s=30,
        max_age_s=max_age_s,
        clock=clock,
    )
    return TokenVerifier(
        issuer=ISSUER, audience=AUDIENCE, algorithm="ES256", keys=source, clock=lambda: NOW
    ), source


async def test_keys_are_fetched_once_and_cached() -> None:
    server = JwksServer(K1)
    v, _ = make(server, FakeClock())
    for _ in range(5):
        assert (await v.verify(sign(valid_claims(), K1))).subject == "tovholder"
    assert server.requests == 1


async def test_unknown_kid_triggers_one_refetch_then_401(caplog: pytest.LogCaptureFixture) -> None:
    server = JwksServer(K1)
    clock = FakeClock()
    v, _ = make(server, clock)
    await v.verify(sign(valid_claims(), K1))
    clock.advance(31)
    stranger = ec_key("k-unknown")
    with caplog.at_level(logging.WARNING, logger="hub.security"), pytest.raises(Unauthenticated):
        await v.verify(sign(valid_claims(), stranger))
    assert server.requests == 2  # exactly one refetch
    assert caplog.records[-1].__dict__["reason"] == "unknown_kid"
    # A burst of unknown kids within the interval costs the IdP nothing more.
    for i in range(10):
        with pytest.raises(Unauthenticated):
            await v.verify(sign(valid_claims(), ec_key(f"k-unknown-{i}")))
    assert server.requests == 2


async def test_refetch_is_rate_limited_to_once_per_interval() -> None:
    server = JwksServer(K1)
    clock = FakeClock()
    v, _ = make(server, clock)
    await v.verify(sign(valid_claims(), K1))  # initial fetch
    with pytest.raises(Unauthenticated):
        await v.verify(sign(valid_claims(), K2))  # within 30 s of the initial fetch: no refetch
    assert server.requests == 1
    clock.advance(30)
    with pytest.raises(Unauthenticated):
        await v.verify(sign(valid_claims(), K2))
    assert server.requests == 2


async def test_a_rotated_in_key_is_picked_up_by_the_refetch() -> None:
    server = JwksServer(K1)
    clock = FakeClock()
    v, _ = make(server, clock)
    await v.verify(sign(valid_claims(), K1))
    server.set_keys(K1, K2)
    clock.advance(31)
    assert (await v.verify(sign(valid_claims(), K2))).subject == "tovholder"
    assert server.requests == 2


@pytest.mark.parametrize("outage", [connection_refused, server_error])
async def test_cached_keys_are_served_while_the_jwks_endpoint_is_down(
    outage: object, caplog: pytest.LogCaptureFixture
) -> None:
    server = JwksServer(K1)
    clock = FakeClock()
    v, _ = make(server, clock, max_age_s=60)
    await v.verify(sign(valid_claims(), K1))
    server.down = outage  # type: ignore[assignment]
    clock.advance(120)  # the cache is now older than max_age: a refresh is attempted and fails
    with caplog.at_level(logging.WARNING, logger="hub.security"):
        assert (await v.verify(sign(valid_claims(), K1))).subject == "tovholder"
        assert (await v.verify(sign(valid_claims(), K1))).subject == "tovholder"
    assert server.requests == 2  # one failed attempt, then rate-limited
    assert any(r.getMessage() == "jwks fetch failed" for r in caplog.records)


async def test_endpoint_down_with_nothing_cached_is_401(caplog: pytest.LogCaptureFixture) -> None:
    server = JwksServer(K1)
    server.down = connection_refused
    v, _ = make(server, FakeClock())
    with caplog.at_level(logging.WARNING, logger="hub.security"), pytest.raises(Unauthenticated):
        await v.verify(sign(valid_claims(), K1))
    assert caplog.records[-1].__dict__["reason"] == "jwks_unavailable"


async def test_stale_cache_is_refreshed_after_max_age() -> None:
    server = JwksServer(K1)
    clock = FakeClock()
    v, _ = make(server, clock, max_age_s=60)
    await v.verify(sign(valid_claims(), K1))
    clock.advance(61)
    server.set_keys(K2)  # K1 retired at the IdP
    with pytest.raises(Unauthenticated):
        await v.verify(sign(valid_claims(), K1))
    assert server.requests == 2


def test_unusable_keys_in_the_jwks_are_ignored() -> None:
    document = {
        "keys": [
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},  # a symmetric key: never for RS/ES tokens
            {**K1.as_dict(private=False), "use": "enc"},  # an encryption key
            {**K2.as_dict(private=False), "alg": "ES384"},  # declared for another algorithm
            rsa_key("r").as_dict(private=False),  # RSA, while ES256 is pinned
            {"kty": "EC", "crv": "P-256", "kid": "broken", "x": "AAAA", "y": "AAAA"},  # not a point
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            "not-an-object",
            {**ec_key("ok").as_dict(private=True)},  # private parts are stripped, the public key kept
        ]
    }
    keys = parse_jwks(document, "ES256")
    assert set(keys) == {"ok"}
    assert not keys["ok"].is_private


@pytest.mark.parametrize("document", [[], {"keys": "x"}, {"no": "keys"}, "text"])
def test_a_non_jwks_document_is_refused(document: object) -> None:
    with pytest.raises(ValueError, match="JWKS"):
        parse_jwks(document, "ES256")


async def test_an_oversized_jwks_document_is_not_used() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"{" + b" " * (MAX_JWKS_BYTES + 1) + b"}")

    source = JwksKeySource(
        JWKS_URL, algorithm="ES256", client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )
    v = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, algorithm="ES256", keys=source, clock=lambda: NOW)
    with pytest.raises(Unauthenticated):
        await v.verify(sign(valid_claims(), K1))


async def test_rs256_jwks_keeps_only_rsa_keys_of_2048_bits_or_more() -> None:
    rsa = rsa_key("r1")
    keys = parse_jwks(public_jwks(rsa, K1), "RS256")
    assert set(keys) == {"r1"}
    small = {"kty": "RSA", "kid": "small", "n": "sXch", "e": "AQAB"}  # far too small a modulus
    assert parse_jwks({"keys": [small]}, "RS256") == {}
