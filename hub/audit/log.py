"""The audit log's write API: append events to the tamper-evident chains inside the caller's transaction.

`record(session, events)` appends every event of one call with ONE batched INSERT, each entry chained
after its chain's current head. Appends are serialised, so concurrent requests never fork a chain:
- PostgreSQL: the head rows of all chains are locked with `SELECT ... ORDER BY chain FOR UPDATE` (always
  all of them, in one order, so two appenders never deadlock on them) until the caller's transaction ends.
- SQLite: the first statement is a write (the head rows' upsert), so the connection takes the database's
  single write lock before it reads the head, waiting for other writers through the busy timeout. Call
  `record` after your own writes or first in a fresh transaction: a transaction that only read before may
  get SQLITE_BUSY under contention (SQLite cannot upgrade a stale read snapshot to a write).

Changes are recorded in the same transaction as the change (an aborted change leaves no entry, a failed
append aborts the change). This module never commits, never logs event contents, and never updates or
deletes an existing entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.chain import format_time, normalised_hash
from hub.audit.events import AuditEvent, AuditKind, kind_of
from hub.audit.models import GENESIS_HASH, AuditHead, entries_table, heads_table
from hub.persistence.base import utcnow


def _heads_statements(dialect: str) -> tuple[Any, Any]:
    """The heads' upsert (creates missing heads; on SQLite also the write that takes the lock first) and the
    ordered select of every head (FOR UPDATE on PostgreSQL). Built once per dialect: the upsert (an INSERT
    ... ON CONFLICT DO NOTHING of constant rows) has no SQLAlchemy cache key, so it was compiled again at
    every append; it is kept as its own SQL text with the constants inlined, which the cache does hold."""
    statements = _HEADS_STATEMENTS.get(dialect)
    if statements is None:
        statements = _HEADS_STATEMENTS[dialect] = _build_heads_statements(dialect)
    return statements


def _build_heads_statements(dialect: str) -> tuple[Any, Any]:
    rows = [{"chain": kind, "seq": 0, "hash": GENESIS_HASH, "updated_at": None} for kind in AuditKind]
    upsert: Any
    target: Dialect
    if dialect == "postgresql":
        upsert = postgresql.insert(heads_table).values(rows).on_conflict_do_nothing(index_elements=["chain"])
        target = postgresql.dialect()  # type: ignore[no-untyped-call]
    elif dialect == "sqlite":
        upsert = sqlite.insert(heads_table).values(rows).on_conflict_do_nothing(index_elements=["chain"])
        target = sqlite.dialect()
    else:  # pragma: no cover - the hub runs on SQLite and PostgreSQL only
        raise RuntimeError(f"audit log: unsupported database {dialect}")
    query = select(AuditHead.chain, AuditHead.seq, AuditHead.hash).order_by(AuditHead.chain)
    if dialect == "postgresql":
        query = query.with_for_update()
    compiled = upsert.compile(dialect=target, compile_kwargs={"literal_binds": True})
    return text(str(compiled)), query


_HEADS_STATEMENTS: dict[str, tuple[Any, Any]] = {}


def _heads_of(rows: Iterable[Any]) -> dict[AuditKind, tuple[int, str]]:
    return {AuditKind(chain): (int(seq), str(hash_)) for chain, seq, hash_ in rows}


async def lock_heads(session: AsyncSession) -> dict[AuditKind, tuple[int, str]]:
    """Take the append lock on every chain (until the transaction ends); return each chain's (seq, hash)."""
    upsert, query = _heads_statements(session.get_bind().dialect.name)
    # Creating missing heads doubles, on SQLite, as the write that takes the database write lock first.
    await session.execute(upsert)
    result = await session.execute(query)
    return _heads_of(result.all())


def _entry_fields(
    event: AuditEvent, chain: AuditKind, seq: int, recorded_at: datetime, prev: str
) -> dict[str, Any]:
    return {
        "chain": chain,
        "seq": seq,
        "occurred_at": event.occurred_at,
        "recorded_at": recorded_at,
        "action": event.action,
        "decision": event.decision,
        "reason": event.reason,
        "actor_user_id": event.actor_user_id,
        "actor_role": event.actor_role,
        "actor_department": event.actor_department,
        "actor_unit": event.actor_unit,
        "client": event.client,
        "subject_person_id": event.subject_person_id,
        "family_id": event.family_id,
        "source": event.source,
        "categories": sorted(set(event.categories)),
        "purpose": event.purpose,
        "basis": event.basis,
        "request_id": event.request_id,
        "prev_hash": prev,
    }


def chain_entries(
    events: Iterable[AuditEvent], heads: dict[AuditKind, tuple[int, str]], recorded_at: datetime
) -> tuple[list[dict[str, Any]], dict[AuditKind, tuple[int, str]]]:
    """Pure: the rows to insert for `events` after `heads`, and the new heads of the chains they touched."""
    rows: list[dict[str, Any]] = []
    new_heads: dict[AuditKind, tuple[int, str]] = {}
    recorded_text = format_time(recorded_at)
    times: dict[datetime, str] = {}  # a request's events share their time: format it once
    for event in events:
        chain = kind_of(event)
        seq, prev = new_heads.get(chain) or heads.get(chain, (0, GENESIS_HASH))
        fields = _entry_fields(event, chain, seq + 1, recorded_at, prev)
        occurred = times.get(event.occurred_at)
        if occurred is None:
            occurred = times[event.occurred_at] = format_time(event.occurred_at)
        fields["entry_hash"] = normalised_hash(_normalised(fields, occurred, recorded_text))
        rows.append(fields)
        new_heads[chain] = (seq + 1, fields["entry_hash"])
    return rows, new_heads


def _text(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    return str(value.value if isinstance(value, Enum) else value)


def _normalised(fields: dict[str, Any], occurred: str, recorded: str) -> dict[str, Any]:
    """The hashed fields as `hub.audit.chain` normalises them, built from what the writer knows the types are
    (the enums are StrEnums: their value is the stored text)."""
    return {
        "chain": _text(fields["chain"]),
        "seq": fields["seq"],
        "occurred_at": occurred,
        "recorded_at": recorded,
        "action": _text(fields["action"]),
        "decision": _text(fields["decision"]),
        "reason": fields["reason"],
        "actor_user_id": fields["actor_user_id"],
        "actor_role": _text(fields["actor_role"]),
        "actor_department": _text(fields["actor_department"]),
        "actor_unit": fields["actor_unit"],
        "client": fields["client"],
        "subject_person_id": fields["subject_person_id"],
        "family_id": fields["family_id"],
        "source": fields["source"],
        "categories": [_text(c) for c in fields["categories"]],
        "purpose": fields["purpose"],
        "basis": fields["basis"],
        "request_id": fields["request_id"],
        "prev_hash": fields["prev_hash"],
    }


async def record(session: AsyncSession, events: Sequence[AuditEvent]) -> None:
    """Append `events` to the tamper-evident chains inside the caller's transaction (one batched insert)."""
    if not events:
        return
    heads = await lock_heads(session)
    recorded_at = utcnow()
    rows, new_heads = chain_entries(events, heads, recorded_at)
    await session.execute(insert(entries_table), rows)
    await session.execute(_HEADS_UPDATE, _head_params(new_heads, recorded_at))


def record_sync(conn: Connection, events: Sequence[AuditEvent]) -> None:
    """`record` on a synchronous connection, in the caller's transaction: the same statements and rows (the
    SQLite group writer runs a whole append in one worker thread with it, hub/audit/buffer.py)."""
    if not events:
        return
    upsert, query = _heads_statements(conn.dialect.name)
    conn.execute(upsert)
    heads = _heads_of(conn.execute(query).all())
    recorded_at = utcnow()
    rows, new_heads = chain_entries(events, heads, recorded_at)
    sql, columns, processors = _driver_insert(conn.dialect)
    conn.exec_driver_sql(sql, _driver_rows(rows, columns, processors))
    conn.execute(_HEADS_UPDATE, _head_params(new_heads, recorded_at))


async def record_asyncpg(connection: Any, dialect: Dialect, events: Sequence[AuditEvent]) -> None:
    """`record` on PostgreSQL through asyncpg itself (`connection` is an asyncpg connection), in the caller's
    transaction: the same statements, rows and locks (`SELECT ... FOR UPDATE` on every head), each a direct
    asyncpg call instead of a trip through SQLAlchemy's async adaptation (hub/audit/asyncpg_writer.py).
    `dialect` is the engine's: the values pass through the columns' own bind processors."""
    if not events:
        return
    upsert, query = _asyncpg_heads_sql(dialect)
    await connection.execute(upsert)
    heads = _heads_of(await connection.fetch(query))
    recorded_at = utcnow()
    rows, new_heads = chain_entries(events, heads, recorded_at)
    sql, columns, processors = _driver_insert(dialect)
    await connection.executemany(sql, _driver_rows(rows, columns, processors))
    sql, names, processors = _driver_statement("heads_update", _HEADS_UPDATE, dialect)
    await connection.executemany(sql, _driver_rows(_head_params(new_heads, recorded_at), names, processors))


def _asyncpg_heads_sql(dialect: Dialect) -> tuple[str, str]:
    built = _ASYNCPG_HEADS.get(dialect.name)
    if built is None:
        upsert, query = _heads_statements(dialect.name)
        built = _ASYNCPG_HEADS[dialect.name] = (str(upsert), str(query.compile(dialect=dialect)))
    return built


_ASYNCPG_HEADS: dict[str, tuple[str, str]] = {}

_Processor = Callable[[Any], Any]
_Driver = tuple[str, tuple[str, ...], tuple[_Processor | None, ...]]
_DRIVER_STATEMENTS: dict[tuple[str, str, str], _Driver] = {}
_POSITIONAL = ("qmark", "numeric_dollar")  # the paramstyles of sqlite3 and of SQLAlchemy's asyncpg dialect


def _driver_insert(dialect: Dialect) -> _Driver:
    """The entries' INSERT as the driver's SQL, its columns in order and each column type's bind processor
    (built once per dialect). The driver-level appends hand the rows to the driver's executemany themselves,
    without SQLAlchemy's per-row parameter processing (SQLite, 25 entries: 1.22 -> 0.97 ms of CPU per append,
    measured). The values are converted by the columns' own types, so the stored rows are the ones `record`
    writes."""
    built = _driver_statement("entries_insert", insert(entries_table), dialect)
    if set(built[1]) != set(entries_table.c.keys()):  # pragma: no cover - a column the insert would miss
        raise RuntimeError(f"audit log: no driver-level insert for {dialect.name}")
    return built


def _driver_statement(key: str, statement: Any, dialect: Dialect) -> _Driver:
    """`statement` compiled for the driver (positional parameters: SQLite's `?`, asyncpg's `$n`), its
    parameter names in order and each parameter type's bind processor; built once per dialect and driver."""
    cache_key = (key, dialect.name, dialect.driver)
    built = _DRIVER_STATEMENTS.get(cache_key)
    if built is None:
        if dialect.paramstyle not in _POSITIONAL:  # pragma: no cover - SQLite and asyncpg only
            raise RuntimeError(f"audit log: no driver-level statements for {dialect.name}+{dialect.driver}")
        compiled = statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup or ())
        processors = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        )
        built = _DRIVER_STATEMENTS[cache_key] = (str(compiled), names, processors)
    return built


def _driver_rows(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], processors: Sequence[_Processor | None]
) -> list[tuple[Any, ...]]:
    """The rows as parameter tuples; a column's processor runs once per distinct value of the batch (its
    entries share their times, actor and source)."""
    memos: list[dict[Any, Any]] = [{} for _ in columns]
    out: list[tuple[Any, ...]] = []
    for row in rows:
        values: list[Any] = []
        for name, process, memo in zip(columns, processors, memos, strict=True):
            value = row[name]
            if process is not None and value is not None:
                key = tuple(value) if isinstance(value, list) else value
                done = memo.get(key, _UNSET)
                if done is _UNSET:
                    done = memo[key] = process(value)
                value = done
            values.append(value)
        out.append(tuple(values))
    return out


_UNSET: Any = object()


_HEADS_UPDATE = (
    update(heads_table)
    .where(heads_table.c.chain == bindparam("b_chain"))
    .values(seq=bindparam("b_seq"), hash=bindparam("b_hash"), updated_at=bindparam("b_at"))
)


def _head_params(new_heads: dict[AuditKind, tuple[int, str]], recorded_at: datetime) -> list[dict[str, Any]]:
    return [
        {"b_chain": chain, "b_seq": seq, "b_hash": hash_, "b_at": recorded_at}
        for chain, (seq, hash_) in sorted(new_heads.items())
    ]
