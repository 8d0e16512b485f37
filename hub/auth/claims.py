"""The claim mapping: from a verified OIDC token's claims to who the user is in the hub (issue #26).

A token from the identity provider carries `sub` (the user, for good) and a groups/roles claim; the operator
maps group names to a hub role and, for department workers, a department (`HUB_OIDC_GROUP_ROLES`). The
mapping decides, for every request, whether the token's holder is a hub user at all and in which role:
- `sub` (required): the user; a new subject is provisioned on first sign-in (hub/auth/provisioning.py);
- the groups claim (`HUB_OIDC_ROLES_CLAIM`, default `groups`; a dotted path such as `realm_access.roles`
  reaches a nested claim): a list of names, or one name. Exactly one hub role must follow from the mapped
  groups; no mapped group is `no_hub_group` (the provider has taken the user out of the hub), no groups claim
  at all `missing_roles_claim` (the provider's configuration, not the user), two different roles
  `ambiguous_role` (refused rather than guessed);
- the department: from the mapping entry (`group=CASEWORKER:SOF`) or else from `HUB_OIDC_DEPARTMENT_CLAIM`
  (a department code, SOF … SUF); CORE_TEAM, CASEWORKER and DEPARTMENT_SYSTEM need one;
- `preferred_username` and `name` (configurable, optional): the username and display name shown to staff.
CITIZEN is never mapped from a group: a citizen is a person the hub knows by CPR, linked by the hub itself.

Pure: no I/O, no clock. Never log a claim value; refusals carry short reason codes only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub.domain import Department, Role

if TYPE_CHECKING:
    from hub.settings import Settings

DEPARTMENT_ROLES = frozenset({Role.CORE_TEAM, Role.CASEWORKER, Role.DEPARTMENT_SYSTEM})
USERNAME_MAX = 64
DISPLAY_NAME_MAX = 120


class ClaimRefused(Exception):
    """The token's claims do not make a hub user; `reason` is a short code for the security log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Grant:
    """What one provider group grants in the hub: a role, and for a department's worker, the department."""

    role: Role
    department: Department | None = None


def parse_group_roles(value: object) -> dict[str, str]:
    """`group=ROLE[:DEPT],...` or a JSON object {"group": "ROLE[:DEPT]"} -> {group: "ROLE[:DEPT]"}, checked.

    Raises ValueError naming the bad entry (never a secret: group names are configuration).
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = json.loads(text)
        else:
            parsed: dict[str, str] = {}
            for pair in (p.strip() for p in text.split(",")):
                if not pair:
                    continue
                group, sep, grant = pair.rpartition("=")
                if not sep or not group.strip():
                    raise ValueError(f"not group=ROLE[:DEPARTMENT]: {pair!r}")
                parsed[group.strip()] = grant.strip()
            value = parsed
    if not isinstance(value, Mapping):
        raise ValueError("expected group=ROLE[:DEPARTMENT],... or a JSON object")
    out = {str(group): str(grant).strip() for group, grant in value.items()}
    for group, grant in out.items():
        parse_grant(grant, group)
    return out


def parse_grant(grant: str, group: str = "") -> Grant:
    role_name, _, department_name = grant.upper().partition(":")
    try:
        role = Role(role_name.strip())
        department = Department(department_name.strip()) if department_name.strip() else None
    except ValueError:
        raise ValueError(f"group {group!r}: not ROLE[:DEPARTMENT] ({grant!r})") from None
    if role is Role.CITIZEN:
        raise ValueError(f"group {group!r}: CITIZEN is never granted by a group (citizens are linked by CPR)")
    return Grant(role, department)


@dataclass(frozen=True, slots=True)
class ClaimMapping:
    group_roles: Mapping[str, Grant]
    roles_claim: str = "groups"
    department_claim: str = "department"
    username_claim: str = "preferred_username"
    name_claim: str = "name"

    @classmethod
    def of(
        cls,
        group_roles: Mapping[str, str],
        *,
        roles_claim: str = "groups",
        department_claim: str = "department",
        username_claim: str = "preferred_username",
        name_claim: str = "name",
    ) -> ClaimMapping:
        return cls(
            {group: parse_grant(grant, group) for group, grant in group_roles.items()},
            roles_claim=roles_claim,
            department_claim=department_claim,
            username_claim=username_claim,
            name_claim=name_claim,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> ClaimMapping | None:
        """The configured mapping, or None when users come from the users table only (no group mapping)."""
        if not settings.oidc_group_roles:
            return None
        return cls.of(
            settings.oidc_group_roles,
            roles_claim=settings.oidc_roles_claim,
            department_claim=settings.oidc_department_claim,
            username_claim=settings.oidc_username_claim,
            name_claim=settings.oidc_name_claim,
        )

    @property
    def required_claims(self) -> tuple[str, ...]:
        """The claims a token must carry (beyond iss, aud, exp, iat) for the hub to know its holder."""
        return ("sub", self.roles_claim.split(".")[0])


@dataclass(frozen=True, slots=True)
class ClaimedIdentity:
    subject: str
    username: str
    display_name: str
    role: Role
    department: Department | None


def claim(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (`realm_access.roles`), or None."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _groups(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [g for g in value if isinstance(g, str)]
    return []


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def identity_from_claims(claims: Mapping[str, Any], mapping: ClaimMapping) -> ClaimedIdentity:
    """Who the token's holder is in the hub, or ClaimRefused (reason codes in the module docstring)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise ClaimRefused("missing_claim_sub")
    groups = claim(claims, mapping.roles_claim)
    if groups is None:
        # No groups claim at all is the provider's configuration (a mapper removed), not the user's groups:
        # refused, but it must not deactivate every user who signs in meanwhile (see hub/auth/authenticator.py).
        raise ClaimRefused("missing_roles_claim")
    grants = {
        mapping.group_roles[g]
        for g in _groups(claim(claims, mapping.roles_claim))
        if g in mapping.group_roles
    }
    if not grants:
        raise ClaimRefused("no_hub_group")
    roles = {g.role for g in grants}
    if len(roles) > 1:
        raise ClaimRefused("ambiguous_role")
    role = roles.pop()
    departments = {g.department for g in grants if g.department is not None}
    if not departments and mapping.department_claim:
        raw = claim(claims, mapping.department_claim)
        if raw is not None:
            try:
                departments = {Department(str(raw).strip().upper())}
            except ValueError:
                raise ClaimRefused("unknown_department") from None
    if len(departments) > 1:
        raise ClaimRefused("ambiguous_department")
    department = departments.pop() if departments else None
    if department is None and role in DEPARTMENT_ROLES:
        raise ClaimRefused("department_missing")
    username = _text(claim(claims, mapping.username_claim), USERNAME_MAX) if mapping.username_claim else ""
    display = _text(claim(claims, mapping.name_claim), DISPLAY_NAME_MAX) if mapping.name_claim else ""
    username = username or subject[:USERNAME_MAX]
    return ClaimedIdentity(subject, username, display or username, role, department)
