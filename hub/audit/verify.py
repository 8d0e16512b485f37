"""Checking the audit chains end to end, and exporting their heads for anchoring outside the database.

`verify_chains(session)` walks every chain in sequence order from its latest purge checkpoint (or genesis)
and recomputes each entry's hash. It reports, per chain, the first broken entry by sequence number: an
edited entry (hash mismatch), a deleted or reordered one (sequence gap or broken link), entries appended
behind the head's back, or a deleted tail (the head row says more). Exported heads (`export_heads`) given
back as anchors catch what the database alone cannot: a rewritten chain together with its head.

Read-only: never repairs, never deletes. Reports carry sequence numbers and kinds, never entry contents.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.chain import HASHED_FIELDS, entry_hash, format_time
from hub.audit.events import AuditKind
from hub.audit.models import GENESIS_HASH, checkpoints_table, entries_table, heads_table

BATCH = 2000


@dataclass(frozen=True, slots=True)
class ChainReport:
    chain: AuditKind
    checked: int
    first_seq: int  # the first sequence number expected (after the latest checkpoint)
    head_seq: int
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


@dataclass(frozen=True, slots=True)
class VerifyReport:
    chains: tuple[ChainReport, ...]
    anchor_problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chains) and not self.anchor_problems

    @property
    def first_broken(self) -> ChainReport | None:
        return next((c for c in self.chains if not c.ok), None)


async def latest_checkpoint(session: AsyncSession, chain: AuditKind) -> tuple[int, str]:
    """(cut_seq, cut_hash) of the chain's latest purge, or (0, genesis)."""
    row = (
        await session.execute(
            select(checkpoints_table.c.cut_seq, checkpoints_table.c.cut_hash)
            .where(checkpoints_table.c.chain == chain)
            .order_by(checkpoints_table.c.cut_seq.desc())
            .limit(1)
        )
    ).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)


async def _head(session: AsyncSession, chain: AuditKind) -> tuple[int, str]:
    row = (
        await session.execute(
            select(heads_table.c.seq, heads_table.c.hash).where(heads_table.c.chain == chain)
        )
    ).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)


async def stored_hash(session: AsyncSession, chain: AuditKind, seq: int) -> str | None:
    where = (entries_table.c.chain == chain, entries_table.c.seq == seq)
    value = await session.scalar(select(entries_table.c.entry_hash).where(*where))
    return None if value is None else str(value)


@dataclass
class _Walk:
    expected: int
    prev: str
    checked: int = 0
    broken_seq: int | None = None
    problem: str | None = None

    def fail(self, seq: int, problem: str) -> None:
        self.broken_seq, self.problem = seq, problem


async def _walk(session: AsyncSession, chain: AuditKind, walk: _Walk) -> None:
    """Check links and hashes in sequence order, batch by batch; stop at the first broken entry."""
    columns = [entries_table.c[name] for name in HASHED_FIELDS] + [entries_table.c.entry_hash]
    while True:
        rows = (
            await session.execute(
                select(*columns)
                .where(entries_table.c.chain == chain, entries_table.c.seq >= walk.expected)
                .order_by(entries_table.c.seq)
                .limit(BATCH)
            )
        ).mappings()
        batch = list(rows)
        for row in batch:
            seq = int(row["seq"])
            if seq != walk.expected:
                return walk.fail(walk.expected, f"entry {walk.expected} is missing (next present: {seq})")
            if row["prev_hash"] != walk.prev:
                return walk.fail(seq, "link to the previous entry is broken (deleted, reordered or edited)")
            if entry_hash(dict(row)) != row["entry_hash"]:
                return walk.fail(seq, "content does not match its hash (edited)")
            walk.prev = str(row["entry_hash"])
            walk.expected += 1
            walk.checked += 1
        if len(batch) < BATCH:
            return None


async def verify_chain(session: AsyncSession, chain: AuditKind) -> ChainReport:
    cut_seq, cut_hash = await latest_checkpoint(session, chain)
    head_seq, head_hash = await _head(session, chain)
    walk = _Walk(expected=cut_seq + 1, prev=cut_hash)
    await _walk(session, chain, walk)
    last = walk.expected - 1
    # Entries before the checkpoint must be gone: a leftover (or re-inserted) one is tampering too.
    before_cut = (entries_table.c.chain == chain, entries_table.c.seq <= cut_seq)
    stray = await session.scalar(select(func.min(entries_table.c.seq)).where(*before_cut))
    if walk.broken_seq is not None:
        pass  # the walk found the first broken entry already
    elif stray is not None:
        walk.fail(int(stray), "entry at or before the purge checkpoint")
    elif head_seq > last:
        walk.fail(last + 1, f"entries {last + 1}..{head_seq} are missing (the head says {head_seq})")
    elif head_seq < last:
        walk.fail(head_seq + 1, f"entries after the head ({head_seq}) were appended outside the log")
    elif head_hash != walk.prev:
        walk.fail(head_seq, "the head's hash does not match the last entry")
    return ChainReport(chain, walk.checked, cut_seq + 1, head_seq, walk.broken_seq, walk.problem)


async def _check_anchor(session: AsyncSession, chain: AuditKind, seq: int, hash_: str) -> str | None:
    if seq == 0:
        return None
    cut_seq, cut_hash = await latest_checkpoint(session, chain)
    if seq < cut_seq:
        return None  # purged since it was anchored; the checkpoint chain carries on from later anchors
    stored = cut_hash if seq == cut_seq else await stored_hash(session, chain, seq)
    if stored is None:
        return f"{chain.value}: anchored entry {seq} is missing"
    if stored != hash_:
        return f"{chain.value}: entry {seq} differs from its anchored hash"
    return None


async def verify_chains(session: AsyncSession, anchor: Mapping[str, Any] | None = None) -> VerifyReport:
    """Verify every chain; with `anchor` (an `export_heads` document), also check the anchored heads."""
    reports = tuple([await verify_chain(session, chain) for chain in AuditKind])
    problems: list[str] = []
    if anchor is not None:
        for name, head in dict(anchor.get("chains", {})).items():
            problem = await _check_anchor(session, AuditKind(name), int(head["seq"]), str(head["hash"]))
            if problem:
                problems.append(problem)
    return VerifyReport(reports, tuple(problems))


async def export_heads(session: AsyncSession, now: datetime) -> dict[str, Any]:
    """The heads of all chains as a JSON-ready document, with one digest over them to anchor elsewhere."""
    heads = heads_table.c
    rows = (await session.execute(select(heads.chain, heads.seq, heads.hash, heads.updated_at))).all()
    known = {AuditKind(chain): (int(seq), str(h), at) for chain, seq, h, at in rows}
    chains: dict[str, dict[str, Any]] = {}
    for kind in AuditKind:
        seq, hash_, at = known.get(kind, (0, GENESIS_HASH, None))
        chains[kind.value] = {"seq": seq, "hash": hash_, "recorded_at": format_time(at) if at else None}
    digest_input = json.dumps({k: [v["seq"], v["hash"]] for k, v in chains.items()}, sort_keys=True)
    return {
        "exported_at": format_time(now),
        "chains": chains,
        "digest": hashlib.sha256(digest_input.encode("utf-8")).hexdigest(),
    }
