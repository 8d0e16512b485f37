"""Bearer token verification: a signed JWT from the configured issuer, for this audience, valid now.

The algorithm is pinned by configuration (RS256 or ES256) and compared before any key is looked up: a token
never chooses its own algorithm, so `none` and HS256-signed-with-the-public-key are refused outright. `iss`
and `aud` must match exactly; `exp`, `iat` and `sub` are required; `nbf` is honoured; leeway is at most 60 s.
Keys come only from the configured key source, never from token headers (`jku`, `jwk`, `x5u` are ignored).

A verified token is kept (by the SHA-256 of the whole token, never a prefix or the claims) until it expires,
in a bounded LRU: the same token again skips the signature check. Only successes are kept.

Every failure raises `Unauthenticated("invalid or missing credentials")` - the same message whatever went
wrong - and logs a short reason code to the `hub.security` logger. Never log the token or its claims.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from joserfc import jws
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError, MissingClaimError
from joserfc.jwt import JWTClaimsRegistry

from hub.auth.jwks import KeySource, KeyUnavailable, check_algorithm
from hub.errors import Unauthenticated

MAX_LEEWAY_S = 60
MAX_TOKEN_CHARS = 8192
CREDENTIALS_MESSAGE = "invalid or missing credentials"
# Access tokens are JWTs (RFC 9068 names `at+jwt`); other JWT kinds (logout tokens, ...) are not credentials.
_ACCEPTED_TYP = frozenset({None, "jwt", "at+jwt", "application/jwt", "application/at+jwt"})

security_log = logging.getLogger("hub.security")


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    subject: str
    issued_at: int
    expires_at: int
    token_id: str | None = None
    # All the token's claims, for the claim mapping (hub/auth/claims.py). Never logged.
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def reject(reason: str, **context: Any) -> NoReturn:
    """Log why a credential was refused (a reason code, never token contents) and raise the uniform 401."""
    security_log.warning("credential rejected", extra={"reason": reason, **context})
    raise Unauthenticated(CREDENTIALS_MESSAGE)


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        algorithm: str,
        keys: KeySource,
        leeway_s: int = 30,
        clock: Callable[[], float] = time.time,
        cache_size: int = 10_000,
    ) -> None:
        if not issuer or not audience:
            raise ValueError("an issuer and an audience are required")
        if not 0 <= leeway_s <= MAX_LEEWAY_S:
            raise ValueError(f"leeway must be between 0 and {MAX_LEEWAY_S} seconds")
        self.issuer = issuer
        self.audience = audience
        self.algorithm = check_algorithm(algorithm)
        self.keys = keys
        self.leeway_s = leeway_s
        self._clock = clock
        self.cache_size = cache_size
        self._verified: OrderedDict[bytes, VerifiedToken] = OrderedDict()

    async def verify(self, token: str) -> VerifiedToken:
        key = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest() if self.cache_size > 0 else b""
        hit = self._verified.get(key) if key else None
        if hit is not None:
            if self._clock() < hit.expires_at:
                self._verified.move_to_end(key)
                return hit
            del self._verified[key]
        try:
            verified = await self._verify(token)
        except _Rejected as exc:
            reject(exc.reason)
        if key:
            self._verified[key] = verified
            while len(self._verified) > self.cache_size:
                self._verified.popitem(last=False)
        return verified

    async def _verify(self, token: str) -> VerifiedToken:
        if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
            raise _Rejected("malformed")
        try:
            obj = jws.extract_compact(token.encode("ascii"))
            header = obj.headers()
        except (JoseError, ValueError, TypeError, UnicodeError) as exc:
            raise _Rejected("malformed") from exc
        if header.get("alg") != self.algorithm:
            raise _Rejected("algorithm_not_allowed")
        typ = header.get("typ")
        if not (typ is None or (isinstance(typ, str) and typ.lower() in _ACCEPTED_TYP)):
            raise _Rejected("wrong_token_type")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise _Rejected("malformed")
        try:
            key = await self.keys.key_for(kid)
        except KeyUnavailable as exc:
            raise _Rejected(exc.reason) from exc
        try:
            valid = jws.validate_compact(obj, key, algorithms=[self.algorithm])
        except (JoseError, ValueError, TypeError) as exc:
            raise _Rejected("bad_signature") from exc
        if not valid:
            raise _Rejected("bad_signature")
        return self._check_claims(obj.payload)

    def _check_claims(self, payload: bytes) -> VerifiedToken:
        try:
            claims = json.loads(payload)
        except (ValueError, UnicodeError) as exc:
            raise _Rejected("malformed_claims") from exc
        if not isinstance(claims, dict):
            raise _Rejected("malformed_claims")
        registry = JWTClaimsRegistry(
            now=int(self._clock()),
            leeway=self.leeway_s,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise _Rejected("expired") from exc
        except MissingClaimError as exc:
            raise _Rejected(f"missing_claim_{exc.claim}") from exc
        except ClaimError as exc:
            # Claim names come from our own registry (iss, aud, nbf, ...), never free text from the token.
            raise _Rejected(f"invalid_claim_{exc.claim}") from exc
        jti = claims.get("jti")
        return VerifiedToken(
            subject=claims["sub"],
            issued_at=int(claims["iat"]),
            expires_at=int(claims["exp"]),
            token_id=jti if isinstance(jti, str) else None,
            claims=claims,
        )
