"""Who may run the programme's intake: the actor of a change, and the coordinator-only checks.

Only a COORDINATOR (tovholder) may assess eligibility, enrol, waitlist or close a family, and only a family
they may see under need-to-know (hub/access/policy.py through the gate): any other role is FORBIDDEN, a
family the coordinator is not assigned to is NOT_FOUND (its existence does not leak). The capacity
figures are aggregates: the coordinator and the steering group may read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from connectors.base import Deadline
from hub.auth.principal import Principal
from hub.days import local_day
from hub.domain import Role
from hub.errors import Forbidden, NotFound
from hub.family.gate import Gate

AGGREGATE_ROLES = frozenset({Role.COORDINATOR, Role.STEERING_GROUP})


@dataclass(frozen=True, slots=True)
class Actor:
    principal: Principal
    now: datetime
    deadline: Deadline
    request_id: str | None = None

    @property
    def today(self) -> date:
        """The programme's day: Copenhagen's calendar, not UTC's."""
        return local_day(self.now)


def require_coordinator(principal: Principal, action: str) -> None:
    if principal.role is not Role.COORDINATOR:
        raise Forbidden(f"only the coordinator may {action}")


async def require_coordinator_on(gate: Gate, principal: Principal, family_id: str, action: str) -> None:
    require_coordinator(principal, action)
    if not (await gate.family_access(family_id)).allowed:
        raise NotFound("no such family", field="familyId")


def require_aggregate_reader(principal: Principal) -> None:
    if principal.role not in AGGREGATE_ROLES:
        raise Forbidden("the programme's figures are for the coordinator and the steering group")
