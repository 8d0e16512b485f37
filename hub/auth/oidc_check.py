"""Does the claim mapping fit the identity provider? `check_oidc_claims(settings)`, run by `hub check-config`.

Not a registered production check (hub/config_check.py): those also run when the app starts, and this one
asks the provider over the network; `hub check-config` runs it after them.

Checks the settings alone (a group mapping exists, every department role gets a department), then, when the
provider's discovery document (`{HUB_OIDC_ISSUER}/.well-known/openid-configuration`) is reachable, that it
agrees: the same `issuer` and `jwks_uri`, the configured algorithm among the signing algorithms it offers, and
the groups (and, where needed, department) claim among its `claims_supported` when it publishes that list.
An unreachable provider is no problem here (the hub may start before it; `/readyz` tells later).

A problem names the variable and how to fix it, never a secret; claim and group names are configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from hub.auth.claims import DEPARTMENT_ROLES, ClaimMapping
from hub.config_check import Problem
from hub.settings import Settings

DISCOVERY_PATH = "/.well-known/openid-configuration"
TIMEOUT_S = 5.0

Fetch = Callable[[str], Any]  # URL -> the parsed JSON document; raises on any failure


def _fetch_json(url: str) -> Any:
    response = httpx.get(url, timeout=TIMEOUT_S, follow_redirects=False)
    response.raise_for_status()
    return response.json()


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


def check_oidc_claims(settings: Settings, *, fetch: Fetch = _fetch_json) -> list[Problem]:
    """Every problem of the claim mapping (settings, and the provider's discovery document when reachable)."""
    return list(_problems(settings, fetch))


def _problems(settings: Settings, fetch: Fetch) -> Iterator[Problem]:
    mapping = ClaimMapping.from_settings(settings)
    if mapping is None:
        yield Problem(
            "HUB_OIDC_GROUP_ROLES",
            "map the provider's groups to hub roles (group=ROLE[:DEPARTMENT],...): without it no user can sign in "
            "who is not already in the users table",
        )
        return
    if not settings.oidc_issuer or settings.dev_issuer:
        return  # the development issuer (or no provider yet): nothing to compare with
    try:
        document = fetch(discovery_url(settings.oidc_issuer))
    except Exception:  # unreachable or not JSON: checked only "when reachable" (module docstring)
        return
    if not isinstance(document, Mapping):
        return
    yield from _against_discovery(settings, mapping, document)


def _needs_department_claim(mapping: ClaimMapping) -> bool:
    return any(g.role in DEPARTMENT_ROLES and g.department is None for g in mapping.group_roles.values())


def _against_discovery(
    settings: Settings, mapping: ClaimMapping, document: Mapping[str, Any]
) -> Iterator[Problem]:
    if document.get("issuer") != settings.oidc_issuer:
        yield Problem("HUB_OIDC_ISSUER", "set it exactly to the discovery document's `issuer`")
    jwks_uri = document.get("jwks_uri")
    if settings.oidc_jwks_url and isinstance(jwks_uri, str) and jwks_uri != settings.oidc_jwks_url:
        yield Problem("HUB_OIDC_JWKS_URL", "set it to the discovery document's `jwks_uri`")
    algorithms = document.get("id_token_signing_alg_values_supported")
    if isinstance(algorithms, list) and settings.oidc_algorithm not in algorithms:
        yield Problem("HUB_OIDC_ALGORITHM", "choose a signing algorithm the provider offers (RS256 or ES256)")
    supported = document.get("claims_supported")
    if not isinstance(supported, list):
        return  # optional in OpenID Connect Discovery: nothing more to compare
    roles_claim = mapping.roles_claim.split(".")[0]
    if roles_claim not in supported:
        yield Problem(
            "HUB_OIDC_ROLES_CLAIM",
            "the provider does not list this claim in `claims_supported`: name the claim that carries the groups "
            "(a dotted path for a nested claim) or add a groups mapper at the provider",
        )
    if _needs_department_claim(mapping):
        department_claim = mapping.department_claim.split(".")[0]
        if not department_claim or department_claim not in supported:
            yield Problem(
                "HUB_OIDC_DEPARTMENT_CLAIM",
                "a group maps to a department role without a department: name a claim the provider sends "
                "(SOF..SUF), or give the department in HUB_OIDC_GROUP_ROLES (group=CASEWORKER:SOF)",
            )
