"""Where token-signing keys come from: the identity provider's JWKS (cached) or a fixed local key set.

`JwksKeySource` fetches the configured JWKS URL with httpx, keeps the usable keys in memory, refetches at
most once per `refetch_interval_s` when a token names an unknown `kid` (or the cache is older than
`max_age_s`), and keeps serving the cached keys while the endpoint is down. Only keys that fit the pinned
algorithm are kept (RS256: RSA of 2048 bits or more; ES256: EC on P-256), so a token can never pick a key of
another kind.

Errors: `KeyUnavailable(reason)` when no usable key answers a `kid`; the verifier turns it into a 401.
Never log key material or token contents here.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import httpx
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, RSAKey, import_key

SigningKey = ECKey | RSAKey

ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256"})
MIN_RSA_BITS = 2048
MAX_JWKS_BYTES = 256 * 1024

security_log = logging.getLogger("hub.security")


class KeyUnavailable(Exception):
    """No usable key for a token; `reason` is a short code for the security log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeySource(Protocol):
    async def key_for(self, kid: str | None) -> SigningKey: ...


def check_algorithm(algorithm: str) -> str:
    if algorithm not in ALLOWED_ALGORITHMS:
        raise ValueError(f"HUB_OIDC_ALGORITHM must be one of {sorted(ALLOWED_ALGORITHMS)}")
    return algorithm


def usable_for(key: SigningKey, algorithm: str) -> bool:
    """Whether `key` may verify `algorithm` signatures (type, size or curve, `use` and `alg` if present)."""
    if key.get("use") not in (None, "sig") or key.alg not in (None, algorithm):
        return False
    if algorithm == "RS256":
        return isinstance(key, RSAKey) and key.public_key.key_size >= MIN_RSA_BITS
    if algorithm == "ES256":
        return isinstance(key, ECKey) and key.curve_name == "P-256"
    return False


def parse_jwks(document: Any, algorithm: str) -> dict[str, SigningKey]:
    """The public keys of a JWKS document usable for `algorithm`, by kid. Unusable entries are skipped."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys: dict[str, SigningKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC"):
            continue
        public = {k: v for k, v in entry.items() if k not in ("d", "p", "q", "dp", "dq", "qi", "oth")}
        try:
            with warnings.catch_warnings():
                # A too-small RSA key warns on import; usable_for() drops it below.
                warnings.simplefilter("ignore", SecurityWarning)
                key = import_key(public)
        except (JoseError, ValueError, TypeError):
            continue
        if isinstance(key, ECKey | RSAKey) and usable_for(key, algorithm):
            key.ensure_kid()
            if key.kid is not None:
                keys[key.kid] = key
    return keys


def _select(keys: Mapping[str, SigningKey], kid: str | None) -> SigningKey | None:
    if kid is not None:
        return keys.get(kid)
    # A token without a kid is only unambiguous when there is exactly one key.
    return next(iter(keys.values())) if len(keys) == 1 else None


class StaticKeySource:
    """A fixed set of verification keys (the development issuer's own key, tests)."""

    def __init__(self, keys: Iterable[SigningKey], algorithm: str) -> None:
        self._keys = {k.kid: k for k in keys if usable_for(k, check_algorithm(algorithm)) and k.kid}

    async def key_for(self, kid: str | None) -> SigningKey:
        key = _select(self._keys, kid)
        if key is None:
            raise KeyUnavailable("unknown_kid")
        return key


class JwksKeySource:
    """Keys from a JWKS URL: cached, refetched on an unknown kid (rate-limited), served stale while down."""

    def __init__(
        self,
        url: str,
        *,
        algorithm: str,
        client: httpx.AsyncClient | None = None,
        refetch_interval_s: float = 30.0,
        max_age_s: float = 600.0,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.algorithm = check_algorithm(algorithm)
        self._client = client
        self.refetch_interval_s = refetch_interval_s
        self.max_age_s = max_age_s
        self.timeout_s = timeout_s
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # attempts made, for tests and metrics

    async def key_for(self, kid: str | None) -> SigningKey:
        if self._fetched_at is None or self._clock() - self._fetched_at >= self.max_age_s:
            await self._refresh()
        key = _select(self._keys, kid)
        if key is None:
            await self._refresh()
            key = _select(self._keys, kid)
        if key is None:
            raise KeyUnavailable("unknown_kid" if self._fetched_at is not None else "jwks_unavailable")
        return key

    async def _refresh(self) -> None:
        async with self._lock:
            now = self._clock()
            if self._last_attempt is not None and now - self._last_attempt < self.refetch_interval_s:
                return  # rate-limited: a burst of unknown kids costs the identity provider one request
            self._last_attempt = now
            self.fetches += 1
            try:
                keys = await self._fetch()
            except (httpx.HTTPError, ValueError) as exc:
                # Keep serving what we have: an IdP outage must not log everyone out.
                security_log.warning(
                    "jwks fetch failed", extra={"reason": type(exc).__name__, "cached_keys": len(self._keys)}
                )
                return
            self._keys = keys
            self._fetched_at = now

    async def _fetch(self) -> dict[str, SigningKey]:
        if self._client is not None:
            return await self._get(self._client)
        # Fetches are rare (at most one per refetch interval), so a short-lived client leaks nothing.
        async with httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False) as client:
            return await self._get(client)

    async def _get(self, client: httpx.AsyncClient) -> dict[str, SigningKey]:
        response = await client.get(self.url, timeout=self.timeout_s, headers={"Accept": "application/json"})
        if response.status_code != httpx.codes.OK:
            raise ValueError(f"JWKS endpoint answered {response.status_code}")
        if len(response.content) > MAX_JWKS_BYTES:
            raise ValueError("JWKS document too large")
        keys = parse_jwks(response.json(), self.algorithm)
        if not keys:
            raise ValueError("JWKS document has no usable key")
        return keys
