"""Security-chain audit events for changes of who may do what: users, roles, team assignments, caseloads.

Each event goes to the SECURITY chain (hub/audit/events.py, kept 6 months) in the same transaction as the
change. The target is referred to by id only: a user as `basis="user:<id>"`, a family by `family_id`, a person
by `subject_person_id`; never a name, a username, a group name or a claim value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.audit.events import AuditAction, AuditDecision, AuditEvent, AuditKind
from hub.auth.principal import Principal
from hub.domain import Department, Role

SOURCE = "HUB:users"
CATEGORY = "ACCESS_RIGHTS"
PURPOSE = "ADMINISTRATION"


@dataclass(frozen=True, slots=True)
class ChangeActor:
    """Who made the change: a signed-in administrator, the CLI's operator, or the identity provider."""

    user_id: str | None
    role: Role | None
    department: Department | None
    unit: str
    client: str  # graphql, cli, oidc

    @classmethod
    def of(cls, principal: Principal) -> ChangeActor:
        return cls(principal.user_id, principal.role, principal.department, principal.unit, principal.client)


CLI = ChangeActor(None, Role.ADMIN, None, "", "cli")


def provider(user_id: str, role: Role, department: Department | None) -> ChangeActor:
    """The identity provider acting through a user's own token (sign-in, a changed or removed group)."""
    return ChangeActor(user_id, role, department, "", "oidc")


def security_event(
    actor: ChangeActor,
    reason: str,
    now: datetime,
    *,
    user_id: str | None = None,
    family_id: str | None = None,
    person_id: str | None = None,
    request_id: str | None = None,
) -> AuditEvent:
    return AuditEvent(
        occurred_at=now,
        action=AuditAction.CHANGE,
        decision=AuditDecision.GRANTED,
        reason=reason,
        actor_user_id=actor.user_id,
        actor_role=actor.role,
        actor_department=actor.department,
        actor_unit=actor.unit,
        client=actor.client,
        subject_person_id=person_id,
        family_id=family_id,
        source=SOURCE,
        categories=(CATEGORY,),
        purpose=PURPOSE,
        basis=f"user:{user_id}" if user_id else None,
        request_id=request_id,
        kind=AuditKind.SECURITY,
    )
