"""Who is asking: the authenticated principal, from a verified token and the hub's own users table."""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain import Department, Role


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    username: str
    role: Role
    department: Department | None  # the worker's or department system's administration
    unit: str = ""
    person_id: str | None = None  # for CITIZEN: the person they are
    client: str = "graphql"  # the channel: graphql, webhook, cli

    @property
    def is_worker(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER)
