"""When a live stream must end: its token expired, its user was deactivated, or the family is no longer theirs.

A subscription outlives the request that opened it, so what was true when it started is re-decided before
every delivery (and, for the token, by a timer: schema/view.py). `decide` is pure; `stream_end` does the
I/O (the user's row and the need-to-know decision through a fresh gate). Access is the access decision
(hub/access through the gate), never a particular cause: an ended assignment, a closed family or a lost
caseload all end the stream alike. What the stream carries about one member or department is still filtered
per message (hub/ingestion/live.py): a consent withdrawn for a department stops that department's updates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from hub.auth.principal import Principal
from hub.family.gate import Gate
from hub.persistence.models import User
from hub.services import Services


class StreamEnd(StrEnum):
    EXPIRED = "expired"  # past exp + leeway: the client must re-authenticate (close 4401)
    USER_INACTIVE = "user_inactive"  # deactivated (or gone): the credential is worth nothing (close 4401)
    ACCESS_LOST = "access_lost"  # the family is no longer the viewer's: the stream ends NOT_FOUND

    @property
    def reauthenticate(self) -> bool:
        """Whether the connection itself is over (4401), not just this stream."""
        return self is not StreamEnd.ACCESS_LOST


class StreamEnded(Exception):
    def __init__(self, end: StreamEnd) -> None:
        super().__init__(end.value)
        self.end = end


def token_deadline(principal: Principal, leeway_s: float) -> float | None:
    """The epoch second after which the principal's token no longer counts (None: no token behind it)."""
    return None if principal.expires_at is None else principal.expires_at + leeway_s


def decide(
    principal: Principal, *, now: datetime, leeway_s: float, user_active: bool, family_visible: bool
) -> StreamEnd | None:
    """Pure: why the stream must end now, or None. The credential is checked before the family."""
    deadline = token_deadline(principal, leeway_s)
    if deadline is not None and now.timestamp() > deadline:
        return StreamEnd.EXPIRED
    if not user_active:
        return StreamEnd.USER_INACTIVE
    if not family_visible:
        return StreamEnd.ACCESS_LOST
    return None


async def stream_end(services: Services, family_id: str, new_gate: Callable[[], Gate]) -> StreamEnd | None:
    """Re-decide, now, whether the stream following `family_id` may go on (two small queries)."""
    gate = new_gate()
    principal = gate.principal
    if principal is None:  # pragma: no cover - a subscription needs a principal to start
        return StreamEnd.USER_INACTIVE
    async with services.sessions() as session:
        user = await session.get(User, principal.user_id, populate_existing=True)
    user_active = user is not None and user.active
    visible = user_active and family_id in await gate.visible_families([family_id])
    return decide(
        principal,
        now=services.clock(),
        leeway_s=services.settings.oidc_leeway_s,
        user_active=user_active,
        family_visible=visible,
    )
