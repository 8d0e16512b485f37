"""Is this configuration fit for production? One registry of checks, used by `hub check-config`, `hub serve`
and the app factory (`Settings.check_production`).

A check is a function `Settings -> Iterable[Problem]`; a Problem names the variable and says how to fix it, never
the variable's value (a secret must not end up in a terminal's scrollback or a deployment log). A concern adds its
own check by decorating it with `@production_check` in a module imported by `_register_concern_checks` below.

    from hub.config_check import Problem, production_check

    @production_check
    def _my_setting(settings: Settings) -> Iterator[Problem]:
        if not settings.my_setting:
            yield Problem("HUB_MY_SETTING", "set it to ...")
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from hub.domain import Department
from hub.settings import (
    Environment,
    Settings,
    dev_department_credential,
    dev_webhook_secret,
)

MIN_SECRET_CHARS = 24  # shared secrets (webhook HMAC keys, federation and metrics tokens)
NEW_KEY = "python -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
NEW_SECRET = "openssl rand -hex 32"  # noqa: S105 - the command that generates one, not a secret


@dataclass(frozen=True)
class Problem:
    variable: str  # e.g. HUB_DATABASE_URL
    fix: str  # what to do, in one sentence; never the current value

    def __str__(self) -> str:
        return f"{self.variable}: {self.fix}"


Check = Callable[[Settings], Iterable[Problem]]
CHECKS: list[Check] = []


def production_check(check: Check) -> Check:
    """Register a check (in definition order; `hub check-config` lists problems in that order)."""
    CHECKS.append(check)
    return check


def _register_concern_checks() -> None:
    """Concerns that keep their checks next to their code are imported here (each registers on import)."""


def production_problems(settings: Settings) -> list[Problem]:
    """Every problem of these settings as production settings (whatever HUB_ENV says)."""
    _register_concern_checks()
    return [problem for check in CHECKS for problem in check(settings)]


def format_problems(problems: Iterable[Problem]) -> str:
    return "\n".join(f"  - {problem}" for problem in problems)


# --- the hub's own checks ----------------------------------------------------------------------------------------


@production_check
def _environment(settings: Settings) -> Iterator[Problem]:
    if settings.env is not Environment.PRODUCTION:
        yield Problem(
            "HUB_ENV", "set HUB_ENV=production (development defaults and demo tooling are allowed otherwise)"
        )


@production_check
def _database(settings: Settings) -> Iterator[Problem]:
    if not settings.database_url.startswith("postgresql"):
        yield Problem(
            "HUB_DATABASE_URL",
            "must point at PostgreSQL: postgresql+asyncpg://USER:PASSWORD@HOST:5432/DBNAME",
        )


def _secure(url: str) -> bool:
    """https, or plain http to this machine only (a provider or a test on the loopback interface)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    )


@production_check
def _identity(settings: Settings) -> Iterator[Problem]:
    if settings.dev_issuer:
        yield Problem(
            "HUB_DEV_ISSUER", "set HUB_DEV_ISSUER=false (the development token issuer mints any user)"
        )
    if not settings.oidc_issuer:
        yield Problem("HUB_OIDC_ISSUER", "set it to the identity provider's issuer URL (the tokens' `iss`)")
    elif not _secure(settings.oidc_issuer):
        yield Problem("HUB_OIDC_ISSUER", "use the identity provider's https:// issuer URL")
    if not settings.oidc_jwks_url:
        yield Problem("HUB_OIDC_JWKS_URL", "set it to the identity provider's JWKS URL (its `jwks_uri`)")
    elif not _secure(settings.oidc_jwks_url):
        yield Problem("HUB_OIDC_JWKS_URL", "use the identity provider's https:// JWKS URL")
    if not settings.oidc_audience:
        yield Problem(
            "HUB_OIDC_AUDIENCE", "set it to the audience the provider puts in the hub's tokens (`aud`)"
        )


@production_check
def _departments(settings: Settings) -> Iterator[Problem]:
    for department in Department:
        name = department.value
        url = urlsplit(settings.department_url(department))
        if url.scheme not in ("http", "https") or not url.hostname:
            yield Problem(
                f"HUB_{name}_URL", f"set it to the base URL of {name}'s system (https://host[:port])"
            )
        if settings.department_credential(department) in ("", dev_department_credential(department)):
            yield Problem(
                f"HUB_{name}_CREDENTIAL",
                f"is unset or the development default: set the client credential {name} issued to the hub",
            )
        secrets = settings.webhook_secrets(department)
        if not secrets or dev_webhook_secret(department) in secrets:
            yield Problem(
                f"HUB_{name}_WEBHOOK_SECRET",
                f"is unset or the development default: generate one (`{NEW_SECRET}`) and give it to {name}",
            )
        elif any(len(secret) < MIN_SECRET_CHARS for secret in secrets):
            yield Problem(
                f"HUB_{name}_WEBHOOK_SECRET",
                f"is shorter than {MIN_SECRET_CHARS} characters: generate one with `{NEW_SECRET}`",
            )
        elif len(secrets) > 2:
            yield Problem(
                f"HUB_{name}_WEBHOOK_SECRET",
                "lists more than two secrets: keep the new one and, while rotating, the previous one",
            )


def _decoded_key(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        return None


@production_check
def _cpr_keys(settings: Settings) -> Iterator[Problem]:
    enc = settings.cpr_encryption_key.get_secret_value()
    hsh = settings.cpr_hash_key.get_secret_value()
    for variable, value, sizes in (
        ("HUB_CPR_ENCRYPTION_KEY", enc, "16, 24 or 32 bytes (32 recommended)"),
        ("HUB_CPR_HASH_KEY", hsh, "at least 16 bytes (32 recommended)"),
    ):
        if not value:
            yield Problem(variable, f"must be set: URL-safe base64 of {sizes}; generate with `{NEW_KEY}`")
            continue
        key = _decoded_key(value)
        valid = key is not None and (
            len(key) in (16, 24, 32) if variable == "HUB_CPR_ENCRYPTION_KEY" else len(key) >= 16
        )
        if not valid:
            yield Problem(variable, f"is not URL-safe base64 of {sizes}; generate with `{NEW_KEY}`")
    if enc and enc == hsh:
        yield Problem("HUB_CPR_HASH_KEY", "must differ from HUB_CPR_ENCRYPTION_KEY (generate a second key)")


@production_check
def _browser(settings: Settings) -> Iterator[Problem]:
    if "*" in settings.cors_origins:
        yield Problem("HUB_CORS_ORIGINS", "must list origins (https://app.example.dk), not '*'")
    if settings.introspection is True:
        yield Problem("HUB_INTROSPECTION", "unset it (introspection and GraphiQL are off in production)")


@production_check
def _federation(settings: Settings) -> Iterator[Problem]:
    secret = settings.federation_secret.get_secret_value()
    if secret and len(secret) < MIN_SECRET_CHARS:
        yield Problem(
            "HUB_FEDERATION_SECRET",
            f"is shorter than {MIN_SECRET_CHARS} characters: generate one with `{NEW_SECRET}` "
            "(unset: the federation fields are closed)",
        )


@production_check
def _metrics(settings: Settings) -> Iterator[Problem]:
    token = settings.metrics_token.get_secret_value()
    if token and len(token) < MIN_SECRET_CHARS:
        yield Problem(
            "HUB_METRICS_TOKEN",
            f"is shorter than {MIN_SECRET_CHARS} characters: generate one with `{NEW_SECRET}` "
            "(unset: /metrics is closed in production)",
        )
