"""Who is asking: the authenticated principal, from a verified token and the hub's own users table."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    # When the token it came from expires (epoch seconds); None when no token is behind it (CLI, webhook).
    # A long-lived connection (a subscription) must end then. Not part of who the principal is.
    expires_at: int | None = field(default=None, compare=False)

    @property
    def is_worker(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER)
