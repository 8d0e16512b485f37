"""What else must happen when need-to-know facts change: a small registry other concerns register into.

A change of who may see a family (a team assignment started or ended, a family closed or re-opened) runs the
registered hooks inside the change's transaction, in registration order, so anything that keeps access facts
in memory (a read model, a per-process cache) drops them and the very next request decides on the new facts.
Consent changes have their own hooks (hub/consent/hooks.py); a closure runs both. Hooks must not call a
department system or log personal data; an exception rolls the change back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class AccessChange:
    family_id: str
    user_ids: frozenset[str]  # the workers whose facts about the family changed
    reason: str  # "family_closed", "family_reopened", "team_assigned", "team_unassigned"
    changed_at: datetime


AccessHook = Callable[[AsyncSession, AccessChange], Awaitable[None]]

ACCESS_HOOKS: list[AccessHook] = []


def register_access_hook(hook: AccessHook) -> AccessHook:
    """Register `hook` once (registering the same function again is a no-op). Usable as a decorator."""
    if hook not in ACCESS_HOOKS:
        ACCESS_HOOKS.append(hook)
    return hook


async def run_access_hooks(session: AsyncSession, change: AccessChange) -> None:
    for hook in list(ACCESS_HOOKS):
        await hook(session, change)
