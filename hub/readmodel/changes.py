"""Change tracking for the read model: `facts_changed(session, kind, ids)` and the ORM hooks that call it.

Every transaction that changes a fact the read model holds (hub/readmodel/model.py) records what it touched:
explicitly with `facts_changed(session, kind, ids)`, or automatically, because the ORM listeners below see
every flushed User, Family, Person, Membership, Custody, TeamAssignment, BreakGlassGrant, CaseloadEntry,
Consent and StatutoryBasis row (and every bulk `insert/update/delete` of those models through a session, which touches
the whole kind). At commit, in the same transaction, the facts epoch (hub/readmodel/models.py) moves by one;
after the commit the changes are applied to this process's read model and published on the `facts` pub/sub
channel for the others. A process that misses the message still sees the moved epoch on its next request.

A session learns of the read model through its `info` (`install_sink`, set on the app's session factory);
sessions without it (CLI, tests, seeds) still move the epoch. Messages carry ids only, never personal data.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from hub.access.breakglass.models import BreakGlassGrant
from hub.consent.models import (
    Consent,
    ConsentCategory,
    ConsentDepartment,
    ConsentGrantor,
    StatutoryBasis,
    StatutoryBasisCategory,
    StatutoryBasisDepartment,
)
from hub.persistence.models import CaseloadEntry, Custody, Family, Membership, Person, TeamAssignment, User
from hub.readmodel.models import EPOCH_ROW, FactsEpoch

logger = logging.getLogger("hub.readmodel")

CHANNEL = "facts"
SINK_KEY = "hub.readmodel.sink"
_CHANGES_KEY = "hub.readmodel.changes"
_EPOCH_KEY = "hub.readmodel.epoch"


class FactKind(StrEnum):
    USER = "user"  # keyed by the user's token subject (role, department, active)
    FAMILY = "family"  # keyed by family id: the family row, its current members, its team
    PERSON = "person"  # keyed by person id: the person, their membership, custody, caseload
    CONSENT = "consent"  # keyed by subject person id: consents and statutory bases


# kind -> the ids touched, or None: anything of that kind may have changed.
Changes = dict[FactKind, set[str] | None]


class FactsSink(Protocol):
    """What receives a committed transaction's changes in the writing process (the read model)."""

    def committed(self, epoch: int, changes: Changes) -> None: ...

    def publish_later(self, epoch: int, changes: Changes) -> None: ...


def facts_changed(session: AsyncSession | Session, kind: FactKind, ids: Iterable[str] | None) -> None:
    """Record, inside the changing transaction, that facts of `kind` about `ids` (None: any) changed.

    Cheap and synchronous: the epoch moves at commit, and nothing happens if the transaction rolls back.
    """
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    changes: Changes = sync.info.setdefault(_CHANGES_KEY, {})
    if ids is None:
        changes[kind] = None
        return
    known = changes.get(kind, set())
    if known is None:
        return
    known.update(i for i in ids if i)
    changes[kind] = known


def install_sink(sessions: async_sessionmaker[AsyncSession], sink: FactsSink) -> None:
    """Sessions from `sessions` apply their committed changes to `sink` (and publish them through it)."""
    info = dict(sessions.kw.get("info") or {})
    info[SINK_KEY] = sink
    sessions.configure(info=info)


def encode(epoch: int, changes: Changes) -> dict[str, Any]:
    return {
        "epoch": epoch,
        "changes": {kind.value: (None if ids is None else sorted(ids)) for kind, ids in changes.items()},
    }


def decode(message: dict[str, Any]) -> tuple[int, Changes] | None:
    try:
        epoch = int(message["epoch"])
        raw = message["changes"]
        changes: Changes = {
            FactKind(kind): (None if ids is None else {str(i) for i in ids}) for kind, ids in raw.items()
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return epoch, changes


# --- what each model's row touches ---------------------------------------------------------------------


_CHILD_ROWS = (
    ConsentGrantor,
    ConsentDepartment,
    ConsentCategory,
    StatutoryBasisDepartment,
    StatutoryBasisCategory,
)
# What a flushed row of each model touches. A consent's child row names its consent, not the subject: its
# parent row is normally in the same flush; if it is not, any subject's consents may have changed (None).
_TOUCHES: dict[type, Callable[[Any], list[tuple[FactKind, str | None]]]] = {
    User: lambda o: [(FactKind.USER, o.subject)],
    Family: lambda o: [(FactKind.FAMILY, o.id)],
    Person: lambda o: [(FactKind.PERSON, o.id)],
    Membership: lambda o: [(FactKind.FAMILY, o.family_id), (FactKind.PERSON, o.person_id)],
    Custody: lambda o: [(FactKind.PERSON, o.child_id), (FactKind.PERSON, o.holder_id)],
    TeamAssignment: lambda o: [(FactKind.FAMILY, o.family_id)],
    BreakGlassGrant: lambda o: [(FactKind.FAMILY, o.family_id)],
    CaseloadEntry: lambda o: [(FactKind.PERSON, o.person_id)],
    Consent: lambda o: [(FactKind.CONSENT, o.subject_id)],
    StatutoryBasis: lambda o: [(FactKind.CONSENT, o.subject_id)],
    **{cls: (lambda o: [(FactKind.CONSENT, None)]) for cls in _CHILD_ROWS},
}


def _touches(obj: object) -> list[tuple[FactKind, str | None]]:
    touches = _TOUCHES.get(type(obj))
    return touches(obj) if touches is not None else []


_BULK_KINDS: dict[type, tuple[FactKind, ...]] = {
    User: (FactKind.USER,),
    Family: (FactKind.FAMILY,),
    Person: (FactKind.PERSON,),
    Membership: (FactKind.FAMILY, FactKind.PERSON),
    Custody: (FactKind.PERSON,),
    TeamAssignment: (FactKind.FAMILY,),
    BreakGlassGrant: (FactKind.FAMILY,),
    CaseloadEntry: (FactKind.PERSON,),
    Consent: (FactKind.CONSENT,),
    ConsentGrantor: (FactKind.CONSENT,),
    ConsentDepartment: (FactKind.CONSENT,),
    ConsentCategory: (FactKind.CONSENT,),
    StatutoryBasis: (FactKind.CONSENT,),
    StatutoryBasisDepartment: (FactKind.CONSENT,),
    StatutoryBasisCategory: (FactKind.CONSENT,),
}


def _record(session: Session, objects: Iterable[object]) -> None:
    child_only: list[tuple[FactKind, str | None]] = []
    parents: set[str] = set()
    for obj in objects:
        for kind, key in _touches(obj):
            if kind is FactKind.CONSENT and key is None:
                child_only.append((kind, getattr(obj, "consent_id", None) or getattr(obj, "basis_id", None)))
            else:
                facts_changed(session, kind, None if key is None else [key])
        if isinstance(obj, Consent | StatutoryBasis):
            parents.add(obj.id)
    if any(parent not in parents for _kind, parent in child_only):
        facts_changed(session, FactKind.CONSENT, None)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if session.new or session.deleted or session.dirty:
        _record(
            session, [*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o))]
        )


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    for mapper in state.all_mappers:
        for kind in _BULK_KINDS.get(mapper.class_, ()):
            facts_changed(state.session, kind, None)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    session.flush()  # pending rows record their changes in before_flush
    if not session.info.get(_CHANGES_KEY):
        return
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(FactsEpoch)
        .values(id=EPOCH_ROW, epoch=1)
        .on_conflict_do_update(index_elements=["id"], set_={"epoch": FactsEpoch.epoch + 1})
        .returning(FactsEpoch.epoch)
    )
    session.info[_EPOCH_KEY] = int(connection.execute(stmt).scalar_one())


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changes: Changes | None = session.info.pop(_CHANGES_KEY, None)
    epoch: int | None = session.info.pop(_EPOCH_KEY, None)
    if not changes or epoch is None:
        return
    sink: FactsSink | None = session.info.get(SINK_KEY)
    if sink is None:
        return
    # This process first, synchronously: the writer's own next request never sees the old facts.
    sink.committed(epoch, changes)
    sink.publish_later(epoch, changes)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: object) -> None:
    session.info.pop(_CHANGES_KEY, None)
    session.info.pop(_EPOCH_KEY, None)


def spawn(coro: Any, tasks: set[asyncio.Task[None]]) -> None:
    """Run `coro` in the background, keeping a reference until it ends (publishing never blocks a commit)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coro.close()
        return
    task = loop.create_task(coro)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
