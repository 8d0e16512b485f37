"""`check_oidc_claims`: the claim mapping against the settings and the provider's discovery document."""

from __future__ import annotations

from typing import Any

import pytest

from hub.auth.oidc_check import check_oidc_claims, discovery_url
from hub.settings import Settings

ISSUER = "https://idp.example/realms/hfi"
GOOD = {
    "issuer": ISSUER,
    "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
    "id_token_signing_alg_values_supported": ["RS256", "ES256"],
    "claims_supported": ["sub", "iss", "groups", "department", "preferred_username", "name"],
}


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "dev_issuer": False,
        "oidc_issuer": ISSUER,
        "oidc_jwks_url": GOOD["jwks_uri"],
        "oidc_algorithm": "RS256",
        "oidc_group_roles": "hfi-tovholder=COORDINATOR,hfi-kerne=CORE_TEAM",
        **overrides,
    }
    return Settings(**values)


def served(document: object) -> Any:
    def fetch(url: str) -> object:
        assert url == discovery_url(ISSUER) == f"{ISSUER}/.well-known/openid-configuration"
        return document

    return fetch


def variables(problems: list[Any]) -> list[str]:
    return [p.variable for p in problems]


def test_a_mapping_that_fits_the_provider_has_no_problems() -> None:
    assert check_oidc_claims(settings(), fetch=served(GOOD)) == []


@pytest.mark.parametrize(
    ("overrides", "document", "expected"),
    [
        ({"oidc_group_roles": ""}, GOOD, ["HUB_OIDC_GROUP_ROLES"]),
        ({}, {**GOOD, "issuer": "https://other"}, ["HUB_OIDC_ISSUER"]),
        ({}, {**GOOD, "jwks_uri": "https://other/certs"}, ["HUB_OIDC_JWKS_URL"]),
        (
            {"oidc_algorithm": "ES256"},
            {**GOOD, "id_token_signing_alg_values_supported": ["RS256"]},
            ["HUB_OIDC_ALGORITHM"],
        ),
        ({"oidc_roles_claim": "roles"}, GOOD, ["HUB_OIDC_ROLES_CLAIM"]),
        (
            {"oidc_roles_claim": "realm_access.roles"},
            {**GOOD, "claims_supported": ["sub", "realm_access"]},
            ["HUB_OIDC_DEPARTMENT_CLAIM"],
        ),
        ({"oidc_department_claim": "dept"}, GOOD, ["HUB_OIDC_DEPARTMENT_CLAIM"]),
        ({"oidc_department_claim": "dept", "oidc_group_roles": "k=CORE_TEAM:SOF"}, GOOD, []),  # not needed
        ({}, {key: v for key, v in GOOD.items() if key != "claims_supported"}, []),  # optional in discovery
    ],
)
def test_problems(overrides: dict[str, Any], document: dict[str, Any], expected: list[str]) -> None:
    assert variables(check_oidc_claims(settings(**overrides), fetch=served(document))) == expected


def test_an_unreachable_provider_is_no_problem_and_problems_name_no_values() -> None:
    def down(url: str) -> object:
        raise OSError("connection refused")

    assert check_oidc_claims(settings(), fetch=down) == []
    problems = check_oidc_claims(settings(oidc_roles_claim="secret-ish"), fetch=served(GOOD))
    assert problems
    assert all("secret-ish" not in str(p) and ISSUER not in str(p) for p in problems)
