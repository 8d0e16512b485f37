"""What else must happen when a consent is withdrawn: a small registry other concerns register into.

The consent service purges the member's cached department data itself (hub.ingestion.cache) in the
withdrawal's transaction; concerns that must also react (stop a live subscription, tell the makkerpar and
coordinator) register a hook here at import time. Hooks run inside the withdrawal's transaction, in
registration order, and must not call a department system or log personal data; an exception rolls the
withdrawal back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import Department


@dataclass(frozen=True, slots=True)
class Withdrawal:
    consent_id: str
    subject_id: str
    family_id: str
    departments: frozenset[Department]
    withdrawn_at: datetime


WithdrawalHook = Callable[[AsyncSession, Withdrawal], Awaitable[None]]

WITHDRAWAL_HOOKS: list[WithdrawalHook] = []


def register_withdrawal_hook(hook: WithdrawalHook) -> WithdrawalHook:
    """Register `hook` once (registering the same function again is a no-op). Usable as a decorator."""
    if hook not in WITHDRAWAL_HOOKS:
        WITHDRAWAL_HOOKS.append(hook)
    return hook


async def run_withdrawal_hooks(session: AsyncSession, withdrawal: Withdrawal) -> None:
    for hook in list(WITHDRAWAL_HOOKS):
        await hook(session, withdrawal)
