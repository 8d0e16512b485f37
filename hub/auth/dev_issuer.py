"""The development token issuer: a local signing key under `var/` and short-lived tokens for seeded users.

On first use the key is generated (EC P-256 for ES256, RSA 2048 for RS256) and written to
`var/dev-issuer-key.json` with mode 0600; `var/` is never committed. The hub serves the public half at
`GET /.well-known/jwks.json` and, with the development issuer on, verifies against this key directly (no
HTTP).
Production refuses to start with it (`Settings.check_production`).

Never print or log the private key; `hub token` prints only the minted token.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey, import_key

from hub.auth.jwks import SigningKey, StaticKeySource, check_algorithm, usable_for
from hub.settings import Settings

KEY_FILE = "dev-issuer-key.json"
DEFAULT_TTL_S = 3600
MAX_TTL_S = 12 * 3600


DEV_ISSUER = "urn:familiehub:dev-issuer"


def dev_issuer_url(settings: Settings) -> str:
    """The development issuer's `iss`: the configured issuer if any, else a fixed name.

    Not the hub's address: `hub token` runs without knowing which port a `make run` uses, and a token must verify
    on whichever development hub shares its `var/` key. The key, not the name, is what makes a token valid.
    """
    return settings.oidc_issuer or DEV_ISSUER


def _generate(algorithm: str) -> SigningKey:
    if algorithm == "RS256":
        return RSAKey.generate_key(2048, {"use": "sig", "alg": algorithm}, private=True, auto_kid=True)
    return ECKey.generate_key("P-256", {"use": "sig", "alg": algorithm}, private=True, auto_kid=True)


def _write_exclusive(path: Path, data: dict[str, Any]) -> None:
    """Write `path` (0600) only if it does not exist; concurrent first runs keep the first writer's key."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # atomic, and fails if another process got there first
    finally:
        tmp.unlink(missing_ok=True)


def load_or_create_key(var_dir: Path, algorithm: str) -> SigningKey:
    """The development signing key for `algorithm`, generated and stored on first use."""
    check_algorithm(algorithm)
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / KEY_FILE
    for _attempt in range(2):
        if path.exists():
            stored = json.loads(path.read_text())
            for entry in stored.get("keys", []):
                key = import_key(entry)
                if isinstance(key, ECKey | RSAKey) and key.is_private and usable_for(key, algorithm):
                    return key
            # The stored key is for the other algorithm: add one for this algorithm alongside it.
            keys = [*stored.get("keys", []), _generate(algorithm).as_dict(private=True)]
            replacement = path.with_name(f".{path.name}.{os.getpid()}.new")
            fd = os.open(replacement, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump({"keys": keys}, fh)
            replacement.replace(path)
            continue
        _write_exclusive(path, {"keys": [_generate(algorithm).as_dict(private=True)]})
    raise RuntimeError("could not create the development issuer key")


class DevIssuer:
    """Mints and (through `key_source`) verifies development tokens."""

    def __init__(
        self,
        key: SigningKey,
        *,
        issuer: str,
        audience: str,
        algorithm: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.algorithm = check_algorithm(algorithm)
        if not usable_for(key, self.algorithm) or not key.is_private:
            raise ValueError("the development issuer needs a private key for its algorithm")
        key.ensure_kid()
        self._key = key
        self.issuer = issuer
        self.audience = audience
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> DevIssuer:
        algorithm = check_algorithm(settings.oidc_algorithm)
        return cls(
            load_or_create_key(settings.var_dir, algorithm),
            issuer=dev_issuer_url(settings),
            audience=settings.oidc_audience,
            algorithm=algorithm,
        )

    @property
    def kid(self) -> str:
        return str(self._key.kid)

    def public_key(self) -> SigningKey:
        return import_key(self._key.as_dict(private=False))  # type: ignore[return-value]

    def jwks(self) -> dict[str, Any]:
        """The public JWKS document (no private parameters)."""
        return {"keys": [self._key.as_dict(private=False)]}

    def key_source(self) -> StaticKeySource:
        return StaticKeySource([self.public_key()], self.algorithm)

    def mint(self, subject: str, *, ttl_s: int = DEFAULT_TTL_S, username: str | None = None) -> str:
        """A signed access token for `subject`, valid for `ttl_s` seconds (1 .. 12 h)."""
        if not subject:
            raise ValueError("a subject is required")
        if not 1 <= ttl_s <= MAX_TTL_S:
            raise ValueError(f"ttl must be between 1 and {MAX_TTL_S} seconds")
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_s,
            "jti": secrets.token_urlsafe(16),
        }
        if username:
            claims["preferred_username"] = username
        header = {"alg": self.algorithm, "kid": self.kid, "typ": "at+jwt"}
        return jwt.encode(header, claims, self._key, algorithms=[self.algorithm])
