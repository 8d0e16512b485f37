"""Retention: purge a chain's entries older than its kind's retention, keeping the remainder verifiable.

A purge cuts a prefix off one chain: every entry up to the last one recorded before the cutoff (and before the
first younger one, so the cut never leaves holes), stores a checkpoint with the hash of the last purged entry,
and deletes the prefix, all in one transaction under the same lock as appends. It refuses to purge a chain
that does not verify: deleting would destroy the evidence.

Retention periods come from settings (`HUB_AUDIT_RETENTION_*_DAYS`), which refuse values below the legal
minimums. Only this module deletes audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.events import AuditKind
from hub.audit.log import lock_heads
from hub.audit.models import checkpoints_table, entries_table
from hub.audit.verify import latest_checkpoint, stored_hash, verify_chain
from hub.settings import Settings


class ChainBroken(RuntimeError):
    """The chain does not verify; the message names the kind and sequence number only."""


@dataclass(frozen=True, slots=True)
class PurgeResult:
    chain: AuditKind
    cutoff: datetime
    cut_seq: int  # the last purged sequence number (the checkpoint); the previous one if nothing was purged
    purged: int


def retention_for(settings: Settings, kind: AuditKind) -> timedelta:
    days = {
        AuditKind.CITIZEN_FACING: settings.audit_retention_citizen_days,
        AuditKind.SECURITY: settings.audit_retention_security_days,
        AuditKind.CHANGE: settings.audit_retention_change_days,
    }[kind]
    return timedelta(days=days)


async def purge(session: AsyncSession, kind: AuditKind, retention: timedelta, now: datetime) -> PurgeResult:
    """Delete `kind`'s entries recorded before `now - retention` (inside the caller's transaction)."""
    cutoff = now - retention
    await lock_heads(session)
    report = await verify_chain(session, kind)
    if not report.ok:
        raise ChainBroken(f"{kind.value} chain is broken at entry {report.broken_seq}; not purging")
    last_cut, _ = await latest_checkpoint(session, kind)
    first_young = await session.scalar(
        select(func.min(entries_table.c.seq)).where(
            entries_table.c.chain == kind, entries_table.c.recorded_at >= cutoff
        )
    )
    cut_seq = (int(first_young) - 1) if first_young is not None else report.head_seq
    if cut_seq <= last_cut:
        return PurgeResult(kind, cutoff, last_cut, 0)
    cut_hash = await stored_hash(session, kind, cut_seq)
    if cut_hash is None:  # verify_chain just saw it; only a concurrent non-locking writer could remove it
        raise ChainBroken(f"{kind.value} entry {cut_seq} vanished during the purge")
    await session.execute(
        insert(checkpoints_table).values(
            chain=kind,
            cut_seq=cut_seq,
            cut_hash=cut_hash,
            cutoff=cutoff,
            purged_at=now,
            purged_count=cut_seq - last_cut,
        )
    )
    await session.execute(
        delete(entries_table).where(entries_table.c.chain == kind, entries_table.c.seq <= cut_seq)
    )
    return PurgeResult(kind, cutoff, cut_seq, cut_seq - last_cut)
