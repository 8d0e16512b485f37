"""The claim mapping as a table: provider claims -> hub role and department, or a refusal code (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from hub.auth.claims import ClaimMapping, ClaimRefused, identity_from_claims, parse_group_roles
from hub.domain import Department, Role
from hub.settings import Settings

MAPPING = ClaimMapping.of(
    {
        "hfi-tovholder": "COORDINATOR",
        "hfi-sof-sb": "CASEWORKER:SOF",
        "hfi-kerne": "CORE_TEAM",
        "hfi-admin": "ADMIN",
    }
)
NESTED = ClaimMapping.of(
    {"hfi-tovholder": "COORDINATOR"}, roles_claim="realm_access.roles", department_claim=""
)


@pytest.mark.parametrize(
    ("mapping", "claims", "expected"),
    [
        (MAPPING, {"groups": ["hfi-sof-sb", "x"]}, (Role.CASEWORKER, Department.SOF)),
        (MAPPING, {"groups": "hfi-tovholder"}, (Role.COORDINATOR, None)),
        (MAPPING, {"groups": ["hfi-kerne"], "department": "buf"}, (Role.CORE_TEAM, Department.BUF)),
        (
            MAPPING,
            {"groups": ["hfi-sof-sb"], "department": "BIF"},
            (Role.CASEWORKER, Department.SOF),
        ),  # group wins
        (MAPPING, {"groups": ["hfi-sof-sb", "hfi-sof-sb"]}, (Role.CASEWORKER, Department.SOF)),
        (NESTED, {"realm_access": {"roles": ["hfi-tovholder"]}}, (Role.COORDINATOR, None)),
        (MAPPING, {}, "missing_roles_claim"),
        (MAPPING, {"groups": []}, "no_hub_group"),
        (MAPPING, {"groups": ["other"]}, "no_hub_group"),
        (MAPPING, {"groups": [{"name": "hfi-admin"}]}, "no_hub_group"),  # not a group name
        (MAPPING, {"groups": ["hfi-tovholder", "hfi-admin"]}, "ambiguous_role"),
        (MAPPING, {"groups": ["hfi-kerne"]}, "department_missing"),
        (MAPPING, {"groups": ["hfi-kerne"], "department": "HR"}, "unknown_department"),
        (MAPPING, {"groups": ["hfi-tovholder"], "sub": ""}, "missing_claim_sub"),
        (NESTED, {"groups": ["hfi-tovholder"]}, "missing_roles_claim"),
        (NESTED, {"realm_access": {"roles": "x"}}, "no_hub_group"),
        (MAPPING, {"role": "ADMIN", "roles": ["ADMIN"]}, "missing_roles_claim"),  # role claims mean nothing
    ],
)
def test_claims_to_role(mapping: ClaimMapping, claims: dict[str, Any], expected: object) -> None:
    claims = {"sub": "abc", **claims}
    if isinstance(expected, str):
        with pytest.raises(ClaimRefused) as refused:
            identity_from_claims(claims, mapping)
        assert refused.value.reason == expected
    else:
        identity = identity_from_claims(claims, mapping)
        assert (identity.role, identity.department) == expected


def test_username_and_name_come_from_their_claims_or_fall_back_to_the_subject() -> None:
    named = identity_from_claims(
        {"sub": "abc", "groups": ["hfi-admin"], "preferred_username": " ada ", "name": "Ada L"}, MAPPING
    )
    assert (named.username, named.display_name) == ("ada", "Ada L")
    bare = identity_from_claims({"sub": "x" * 300, "groups": ["hfi-admin"]}, MAPPING)
    assert bare.username == "x" * 64
    assert bare.display_name == bare.username


@pytest.mark.parametrize(
    "value",
    ["g=NOPE", "g=CITIZEN", "g=CASEWORKER:HR", "=ADMIN", "no-equals-sign", '{"g": "KING"}', "[1]"],
)
def test_a_bad_group_mapping_is_refused_at_start(value: str) -> None:
    with pytest.raises(ValueError, match="oidc_group_roles"):
        Settings(oidc_group_roles=value)


def test_the_group_mapping_reads_pairs_or_json() -> None:
    assert parse_group_roles("a=ADMIN, b = caseworker:sof ,") == {"a": "ADMIN", "b": "caseworker:sof"}
    assert parse_group_roles('{"cn=hfi,ou=groups": "COORDINATOR"}') == {"cn=hfi,ou=groups": "COORDINATOR"}
    assert ClaimMapping.from_settings(Settings()) is None  # no mapping: users from the users table only
    mapping = ClaimMapping.from_settings(Settings(oidc_group_roles="a=ADMIN", oidc_roles_claim="roles"))
    assert mapping is not None
    assert mapping.required_claims == ("sub", "roles")
