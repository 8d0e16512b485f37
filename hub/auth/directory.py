"""From a verified token's `sub` to a Principal: role, department, unit and person come from the users table.

The users table says what a user may do; a `role` claim in a token is never read. With a claim mapping
(HUB_OIDC_GROUP_ROLES) the provider's groups keep the table up to date (hub/auth/authenticator.py, users.py).
With the read model (hub/readmodel, the app's default) a look-up is kept until the user's row changes: every
request first checks the facts epoch, so deactivating a user or changing a role is honoured by the very next
request on every hub process. Without it, look-ups are cached per process for `ttl_s` seconds.
Never log the subject or any user data here; the caller logs a reason code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.principal import Principal
from hub.persistence.models import User

if TYPE_CHECKING:
    from hub.readmodel.model import ReadModel

MAX_CACHED = 10_000


class UnknownUser(Exception):
    """No active user has this subject; `reason` is `unknown_subject` or `inactive_user`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def principal_of(user: User, *, client: str = "graphql") -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        department=user.department,
        unit=user.unit,
        person_id=user.person_id,
        client=client,
    )


class UserDirectory:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        ttl_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        readmodel: ReadModel | None = None,
    ) -> None:
        self._sessions = sessions
        self.readmodel = readmodel
        self.ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, Principal | str]] = {}
        self.queries = 0  # look-ups that reached the database, for tests

    async def principal_for(self, subject: str) -> Principal:
        """The active user with this subject, or UnknownUser."""
        if self.readmodel is not None:
            await self.readmodel.sync()  # the request's guard: a missed change drops the whole model
            found = await self.readmodel.principal(subject, self._load)
            if isinstance(found, str):
                raise UnknownUser(found)
            return found
        now = self._clock()
        hit = self._cache.get(subject)
        if hit is not None and now - hit[0] < self.ttl_s:
            found = hit[1]
        else:
            found = await self._load(subject)
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()  # crude but bounded; a full cache means a burst of distinct subjects
            self._cache[subject] = (now, found)
        if isinstance(found, str):
            raise UnknownUser(found)
        return found

    def forget(self, subject: str | None = None) -> None:
        """Drop cached look-ups (one subject, or all), e.g. after a user is deactivated."""
        if subject is None:
            self._cache.clear()
        else:
            self._cache.pop(subject, None)
        if self.readmodel is not None:
            if subject is None:
                self.readmodel.principals.clear()
            else:
                self.readmodel.principals.discard([subject])

    async def _load(self, subject: str) -> Principal | str:
        self.queries += 1
        async with self._sessions() as session:
            user = await session.scalar(select(User).where(User.subject == subject))
        if user is None:
            return "unknown_subject"
        if not user.active:
            return "inactive_user"
        return principal_of(user)
