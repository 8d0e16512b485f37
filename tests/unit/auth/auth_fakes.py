"""Keys, clocks and token forgery for the authentication tests (no network; JWKS served by MockTransport)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

ISSUER = "https://idp.example.test/realms/hfi"
AUDIENCE = "familiehub"
JWKS_URL = "https://idp.example.test/realms/hfi/protocol/openid-connect/certs"
NOW = 1_800_000_000


def ec_key(kid: str = "ec-1") -> ECKey:
    return ECKey.generate_key("P-256", {"kid": kid}, private=True)


def rsa_key(kid: str = "rsa-1", bits: int = 2048) -> RSAKey:
    return RSAKey.generate_key(bits, {"kid": kid}, private=True)


def valid_claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "tovholder",
        "iat": NOW - 10,
        "nbf": NOW - 10,
        "exp": NOW + 300,
        "jti": "j-1",
    }
    for name, value in overrides.items():
        if value is DROP:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


DROP = object()  # valid_claims(exp=DROP) leaves the claim out


def sign(claims: dict[str, Any], key: ECKey | RSAKey, alg: str = "ES256", **header: Any) -> str:
    hdr = {"alg": alg, "kid": key.kid, "typ": "JWT", **header}
    hdr = {k: v for k, v in hdr.items() if v is not DROP}
    return jwt.encode(hdr, claims, key, algorithms=[alg])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(obj: dict[str, Any]) -> str:
    return _b64(json.dumps(obj, separators=(",", ":")).encode())


def forge_none(claims: dict[str, Any], kid: str | None = "ec-1") -> str:
    header = {"alg": "none", "typ": "JWT"} | ({"kid": kid} if kid else {})
    return f"{_segment(header)}.{_segment(claims)}."


def forge_hs256(claims: dict[str, Any], secret: bytes, kid: str | None = "ec-1") -> str:
    """The classic confusion attack: HMAC over the token with the verifier's *public* key as the secret."""
    header = {"alg": "HS256", "typ": "JWT"} | ({"kid": kid} if kid else {})
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def public_jwks(*keys: ECKey | RSAKey) -> dict[str, Any]:
    return {"keys": [k.as_dict(private=False) for k in keys]}


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class JwksServer:
    """A MockTransport JWKS endpoint that counts requests and can be taken down."""

    def __init__(self, *keys: ECKey | RSAKey) -> None:
        self.document: Any = public_jwks(*keys)
        self.requests = 0
        self.down: Callable[[], httpx.Response] | None = None

    def set_keys(self, *keys: ECKey | RSAKey) -> None:
        self.document = public_jwks(*keys)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        assert str(request.url) == JWKS_URL
        if self.down is not None:
            return self.down()
        return httpx.Response(200, json=self.document)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler))


def connection_refused() -> httpx.Response:
    raise httpx.ConnectError("connection refused")


def server_error() -> httpx.Response:
    return httpx.Response(503, text="down for maintenance")
