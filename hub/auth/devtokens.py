"""Development tokens for seeded users: what `hub token` and `hub up` (`make run`) print.

Only with the development issuer on (`HUB_DEV_ISSUER=true`, refused in production). A token is minted for a
user that exists and is active in the hub's users table, with that user's `subject` as `sub`.
"""

from __future__ import annotations

from sqlalchemy import select

from hub.auth.dev_issuer import DEFAULT_TTL_S, MAX_TTL_S, DevIssuer
from hub.domain import Role
from hub.persistence.engine import create_engine, create_session_factory
from hub.persistence.models import User
from hub.settings import Settings

# The user `--demo` shows for each role, when seeded; otherwise the first active user of the role by name.
DEMO_USERS: dict[Role, str] = {
    Role.COORDINATOR: "tovholder",
    Role.CORE_TEAM: "sof-kerne",
    Role.CASEWORKER: "sof-sagsbehandler",
    Role.CITIZEN: "borger-F00002-1",  # an adult of the README's demo family F00002
    Role.DEPARTMENT_SYSTEM: "sof-system",
    Role.STEERING_GROUP: "styregruppe",
    Role.ADMIN: "admin",
}


class TokenError(Exception):
    """A user-facing CLI error (no personal data in the message)."""


def _issuer(settings: Settings) -> DevIssuer:
    if not settings.dev_issuer:
        raise TokenError("the development issuer is off (HUB_DEV_ISSUER=false): get tokens from the IdP")
    return DevIssuer.from_settings(settings)


async def _active_users(settings: Settings, username: str | None = None) -> list[User]:
    engine = create_engine(settings.database_url)
    stmt = select(User).where(User.active.is_(True)).order_by(User.username)
    if username is not None:
        stmt = stmt.where(User.username == username)
    try:
        async with create_session_factory(engine)() as session:
            return list(await session.scalars(stmt))
    finally:
        await engine.dispose()


async def mint_for_user(settings: Settings, username: str, *, ttl_s: int = DEFAULT_TTL_S) -> str:
    """A token for the seeded, active user `username`."""
    issuer = _issuer(settings)
    users = await _active_users(settings, username)
    if not users:
        known = [u.username for u in await _active_users(settings)]
        if not known:
            raise TokenError("no users in the database: run `hub seed` (or `make run`)")
        raise TokenError(
            f"no active user named {username!r}; the users are: {', '.join(known)} (`hub users` shows their roles)"
        )
    return issuer.mint(users[0].subject, ttl_s=ttl_s, username=username)


async def active_users(settings: Settings) -> list[tuple[str, str, str]]:
    """(username, role, department or "") of every active user, by username: what `hub users` lists."""
    return [
        (u.username, u.role.value, u.department.value if u.department else "")
        for u in await _active_users(settings)
    ]


async def tokens_for(
    settings: Settings, usernames: list[str], *, ttl_s: int = MAX_TTL_S
) -> list[tuple[str, str, str]]:
    """(username, role, token) for each of `usernames` that is seeded and active, in the order given."""
    issuer = _issuer(settings)
    by_name = {u.username: u for u in await _active_users(settings)}
    return [
        (name, by_name[name].role.value, issuer.mint(by_name[name].subject, ttl_s=ttl_s, username=name))
        for name in usernames
        if name in by_name
    ]


async def demo_tokens(settings: Settings, *, ttl_s: int = MAX_TTL_S) -> list[tuple[str, str, str]]:
    """(username, role, token) for one active user of each role, in `Role` order; valid 12 h by default."""
    issuer = _issuer(settings)
    users = await _active_users(settings)
    out: list[tuple[str, str, str]] = []
    for role in Role:
        of_role = [u for u in users if u.role is role]
        if not of_role:
            continue
        user = next((u for u in of_role if u.username == DEMO_USERS.get(role)), of_role[0])
        out.append(
            (user.username, role.value, issuer.mint(user.subject, ttl_s=ttl_s, username=user.username))
        )
    return out
