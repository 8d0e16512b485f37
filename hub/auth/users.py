"""Hub users over their lifetime: provisioned on first sign-in, updated from the provider, (de)activated.

Every change is one transaction that also appends an event to the SECURITY audit chain
(hub/auth/security_audit.py) and, through the ORM listeners of hub/readmodel/changes.py, moves the facts epoch:
each process's read model drops the user's principal, so the user's very next request, anywhere, sees it.
Users are never deleted (the audit trail and the plans' history name them by id).

Never log or audit a username, a name or a claim: ids and reason codes only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.log import record
from hub.auth.claims import ClaimedIdentity
from hub.auth.directory import principal_of
from hub.auth.principal import Principal
from hub.auth.security_audit import ChangeActor, provider, security_event
from hub.domain import Department, Role
from hub.errors import BadUserInput, NotFound
from hub.persistence.engine import transaction
from hub.persistence.models import User

USER = "no such user"


@dataclass(frozen=True, slots=True)
class UserView:
    id: str
    username: str
    role: Role
    department: Department | None
    active: bool

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(user.id, user.username, user.role, user.department, user.active)


async def find_user(session: AsyncSession, ref: str) -> User:
    """A user by id, else by username (NOT_FOUND otherwise).

    The id wins: a username comes from the provider's `preferred_username`, which a user may be able to set,
    so it must never be able to shadow another user's id. Token subjects are not looked up at all.
    """
    if not ref or len(ref) > 255 or "\x00" in ref:
        raise BadUserInput("not a user id", field="userId")
    user = await session.get(User, ref) or await session.scalar(select(User).where(User.username == ref))
    if user is None:
        raise NotFound(USER, field="userId")
    return user


async def _free_username(session: AsyncSession, wanted: str, subject: str) -> str:
    taken = await session.scalar(select(User.id).where(User.username == wanted, User.subject != subject))
    if taken is None:
        return wanted
    # Another subject has that name (providers do reuse usernames): keep ours apart, deterministically.
    suffix = hashlib.sha256(subject.encode()).hexdigest()[:8]
    return f"{wanted[: 64 - 9]}-{suffix}"


async def provision(
    sessions: async_sessionmaker[AsyncSession], identity: ClaimedIdentity, now: datetime
) -> Principal | None:
    """Create the user on first sign-in (just-in-time); None if another request created it meanwhile."""
    try:
        async with transaction(sessions) as session:
            user = User(
                username=await _free_username(session, identity.username, identity.subject),
                subject=identity.subject,
                display_name=identity.display_name,
                role=identity.role,
                department=identity.department,
                unit="",
                active=True,
            )
            session.add(user)
            await session.flush()
            actor = provider(user.id, user.role, user.department)
            await record(session, [security_event(actor, "user_provisioned", now, user_id=user.id)])
            return principal_of(user)
    except IntegrityError:
        return None  # the same subject signed in twice at once: the other request's user stands


async def apply_claims(
    sessions: async_sessionmaker[AsyncSession], user_id: str, identity: ClaimedIdentity, now: datetime
) -> Principal | None:
    """Take role and department from the provider when they changed; None if the user is gone or inactive."""
    async with transaction(sessions) as session:
        user = await session.get(User, user_id)
        if user is None or not user.active:
            return None
        if (user.role, user.department) != (identity.role, identity.department):
            user.role, user.department = identity.role, identity.department
            actor = provider(user.id, user.role, user.department)
            await record(session, [security_event(actor, "user_role_changed", now, user_id=user.id)])
        return principal_of(user)


async def deactivate_by_provider(
    sessions: async_sessionmaker[AsyncSession], subject: str, now: datetime
) -> bool:
    """The provider took the user out of the hub (no hub group): deactivate them. True if a user changed."""
    async with transaction(sessions) as session:
        user = await session.scalar(select(User).where(User.subject == subject))
        if user is None or not user.active:
            return False
        user.active = False
        actor = provider(user.id, user.role, user.department)
        await record(session, [security_event(actor, "user_deactivated_by_provider", now, user_id=user.id)])
        return True


async def set_active(
    sessions: async_sessionmaker[AsyncSession],
    ref: str,
    active: bool,
    actor: ChangeActor,
    now: datetime,
    *,
    request_id: str | None = None,
) -> UserView:
    """`hub users deactivate|activate`: the user's next request is refused (or accepted again)."""
    async with transaction(sessions) as session:
        user = await find_user(session, ref)
        if user.active != active:
            user.active = active
            reason = "user_activated" if active else "user_deactivated"
            event = security_event(actor, reason, now, user_id=user.id, request_id=request_id)
            await record(session, [event])
        return UserView.of(user)


async def list_users(sessions: async_sessionmaker[AsyncSession]) -> list[UserView]:
    async with sessions() as session:
        users = await session.scalars(select(User).order_by(User.username))
        return [UserView.of(u) for u in users]
