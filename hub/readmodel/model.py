"""The in-process read model: the facts a family view rests on, loaded on demand and kept until they change.

Holds, per hub process and in bounded LRU maps (hub/readmodel/lru.py): users by token subject (principal or
the reason they are refused), families, their current members (CPR decrypted, custody holders), team
assignments and break-the-glass grants per family, caseload entries and citizen facts (own family, custody)
per person, and consents and statutory bases per subject. Values are the raw facts, never decisions: policies decide per request at
the request's own `today`/`now` (hub/access/policy.py, hub/consent/policy.py).

Coherence, without any time-based staleness:
- `sync()`, once per request before anything is read (the authenticator calls it), reads the facts epoch
  (one indexed single-row SELECT, on a connection of its own without the ORM: hub/readmodel/epoch.py). If it moved past what this model reflects, the whole model is dropped.
- `committed(epoch, changes)` (the writing process, at commit) and messages on the `facts` channel (every
  other process) drop exactly what a change touched; the epoch advances only when no change was missed.
- A load that began before an invalidation is never stored (a generation counter), so a slow read of old
  rows cannot overwrite a newer invalidation.

Never decides access or consent, never calls a department, never logs ids or personal data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.access.breakglass.policy import EmergencyGrant
from hub.access.breakglass.store import grants_of
from hub.auth.principal import Principal
from hub.consent.facts import SubjectBases, load_bases
from hub.crypto import CprVault
from hub.domain import Department
from hub.family import repository
from hub.family.model import FamilyInfo, MemberInfo
from hub.persistence.models import CaseloadEntry, Custody, Membership, Person, TeamAssignment
from hub.pubsub import PubSub
from hub.readmodel.changes import CHANNEL, Changes, FactKind, decode, encode, spawn
from hub.readmodel.epoch import epoch_reader_for
from hub.readmodel.lru import LRU
from hub.readmodel.models import EPOCH_ROW, FactsEpoch

logger = logging.getLogger("hub.readmodel")

K = TypeVar("K")
V = TypeVar("V")

# A team assignment row: (user id, team role, since, until).
TeamRow = tuple[str, str, date, date | None]
# A custody row, seen from the holder: (child id, since, until, the child's birth date).
CustodyRow = tuple[str, date, date | None, date]


@dataclass(frozen=True, slots=True)
class CaseloadFacts:
    """Who holds this person's case in which department, and the person's current families."""

    entries: tuple[tuple[str, Department], ...] = ()
    family_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CitizenFacts:
    birth_date: date
    family_ids: frozenset[str]
    custody: tuple[CustodyRow, ...]


@dataclass(frozen=True, slots=True)
class ReadModelBounds:
    max_users: int = 10_000
    max_families: int = 10_000
    max_persons: int = 50_000


class ReadModel:
    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        vault: CprVault,
        bounds: ReadModelBounds | None = None,
    ) -> None:
        self.engine = engine
        self.sessions = sessions
        self.vault = vault
        self.bounds = bounds = bounds or ReadModelBounds()
        self.principals: LRU[str, Principal | str] = LRU(bounds.max_users)
        self.families: LRU[str, FamilyInfo | None] = LRU(bounds.max_families)
        self.family_members: LRU[str, tuple[str, ...]] = LRU(bounds.max_families)
        self.team: LRU[str, tuple[TeamRow, ...]] = LRU(bounds.max_families)
        self.emergency: LRU[str, tuple[EmergencyGrant, ...]] = LRU(bounds.max_families)
        self.persons: LRU[str, MemberInfo | None] = LRU(bounds.max_persons)
        self.caseload: LRU[str, CaseloadFacts] = LRU(bounds.max_persons)
        self.citizens: LRU[str, CitizenFacts | None] = LRU(bounds.max_persons)
        self.bases: LRU[str, SubjectBases] = LRU(bounds.max_persons)
        self.epoch: int | None = None  # the facts epoch this model reflects; None: not yet synced
        self.generation = 0  # moves with every invalidation: a load that spans one is not stored
        self.pubsub: PubSub | None = None
        self.queries = 0  # statements that reached the database (epoch reads excluded), for tests
        self.full_drops = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None
        self._epoch_stmt = select(FactsEpoch.epoch).where(FactsEpoch.id == EPOCH_ROW)
        self._epoch_reader = epoch_reader_for(engine.url)  # without the ORM's round trips (epoch.py)

    # --- coherence -------------------------------------------------------------------------------------

    def maps(self) -> Mapping[str, LRU[Any, Any]]:
        return {
            "principals": self.principals,
            "families": self.families,
            "family_members": self.family_members,
            "team": self.team,
            "emergency": self.emergency,
            "persons": self.persons,
            "caseload": self.caseload,
            "citizens": self.citizens,
            "bases": self.bases,
        }

    async def sync(self) -> None:
        """The per-request guard against a missed message: drop everything if the epoch moved past us."""
        epoch = await self._epoch_reader.fetch() if self._epoch_reader is not None else None
        if epoch is None:
            async with self.engine.connect() as conn:
                epoch = (await conn.execute(self._epoch_stmt)).scalar() or 0
        self.observe(epoch)

    def observe(self, epoch: int) -> None:
        if self.epoch is None or epoch > self.epoch:
            if self.epoch is not None:
                self.full_drops += 1
            self.drop_all()
            self.epoch = epoch

    def drop_all(self) -> None:
        self.generation += 1
        for lru in self.maps().values():
            lru.clear()

    def committed(self, epoch: int, changes: Changes) -> None:
        """Apply one committed transaction's changes (this process's own, or heard on the channel)."""
        self.generation += 1
        for kind, ids in changes.items():
            self._drop(kind, ids)
        if self.epoch is not None and epoch == self.epoch + 1:
            self.epoch = epoch  # nothing missed in between; otherwise the next sync() drops everything

    def _drop(self, kind: FactKind, ids: set[str] | None) -> None:
        targets: tuple[LRU[str, Any], ...]
        if kind is FactKind.USER:
            targets = (self.principals,)
        elif kind is FactKind.FAMILY:
            targets = (self.families, self.family_members, self.team, self.emergency)
        elif kind is FactKind.PERSON:
            targets = (self.persons, self.caseload, self.citizens)
        else:
            targets = (self.bases,)
        for lru in targets:
            if ids is None:
                lru.clear()
            else:
                lru.discard(ids)

    def publish_later(self, epoch: int, changes: Changes) -> None:
        if self.pubsub is not None:
            spawn(self.pubsub.publish(CHANNEL, encode(epoch, changes)), self._tasks)

    async def start(self, pubsub: PubSub) -> None:
        """Listen on the `facts` channel (idempotent). Messages only ever drop facts."""
        self.pubsub = pubsub
        if self._listener is not None:
            return
        ready = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(pubsub, ready), name="hub-readmodel-listener")
        await ready.wait()

    async def _listen(self, pubsub: PubSub, ready: asyncio.Event) -> None:
        async with pubsub.subscribe(CHANNEL) as subscription:
            ready.set()
            async for message in subscription:
                decoded = decode(message)
                if decoded is None:
                    logger.warning("ignored an undecodable facts message")
                    continue
                self.committed(*decoded)

    async def aclose(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task
        if self._epoch_reader is not None:
            await self._epoch_reader.aclose()

    # --- loading -----------------------------------------------------------------------------------------

    async def _cached(
        self,
        lru: LRU[K, V],
        keys: Collection[K],
        load: Callable[[AsyncSession, list[K]], Awaitable[Mapping[K, V]]],
        missing: V,
    ) -> dict[K, V]:
        out: dict[K, V] = {}
        todo: list[K] = []
        for key in keys:
            if key in lru:
                out[key] = lru.get(key)  # type: ignore[assignment]  # present: never the default None
            else:
                todo.append(key)
        if todo:
            generation = self.generation
            self.queries += 1
            async with self.sessions() as session:
                loaded = await load(session, todo)
            store = generation == self.generation
            for key in todo:
                value = loaded.get(key, missing)
                out[key] = value
                if store:
                    lru.put(key, value)
        return out

    async def principal(
        self, subject: str, load: Callable[[str], Awaitable[Principal | str]]
    ) -> Principal | str:
        """The user behind a token subject (a Principal, or why they are refused), via `load` on a miss."""
        if subject in self.principals:
            found = self.principals.get(subject)
            assert found is not None  # noqa: S101 - present
            return found
        generation = self.generation
        found = await load(subject)
        if generation == self.generation:
            self.principals.put(subject, found)
        return found

    async def family_infos(self, family_ids: Collection[str]) -> dict[str, FamilyInfo]:
        async def load(session: AsyncSession, ids: list[str]) -> Mapping[str, FamilyInfo | None]:
            return await repository.get_families(session, ids)

        found = await self._cached(self.families, family_ids, load, None)
        return {fid: info for fid, info in found.items() if info is not None}

    async def members_of(self, family_ids: Collection[str]) -> dict[str, list[MemberInfo]]:
        """Current members of each family (the repository's order), as `repository.members_of`."""
        out: dict[str, list[MemberInfo]] = {}
        todo: list[str] = []
        for fid in family_ids:
            pids = self.family_members.get(fid)
            members = [self.persons.get(pid) for pid in pids] if pids is not None else None
            if members is None or any(m is None or m.family_id != fid for m in members):
                todo.append(fid)
            else:
                out[fid] = [m for m in members if m is not None]
        if todo:
            generation = self.generation
            self.queries += 1
            async with self.sessions() as session:
                loaded = await repository.members_of(session, self.vault, todo)
            store = generation == self.generation
            for fid in todo:
                group = loaded.get(fid, [])
                out[fid] = group
                if store:
                    for member in group:
                        self.persons.put(member.person_id, member)
                    self.family_members.put(fid, tuple(m.person_id for m in group))
        return out

    async def members_by_person(self, person_ids: Collection[str]) -> dict[str, MemberInfo]:
        async def load(session: AsyncSession, ids: list[str]) -> Mapping[str, MemberInfo | None]:
            return await repository.get_members(session, self.vault, ids)

        found = await self._cached(self.persons, person_ids, load, None)
        return {pid: m for pid, m in found.items() if m is not None}

    async def team_rows(self, family_ids: Collection[str]) -> dict[str, tuple[TeamRow, ...]]:
        async def load(session: AsyncSession, ids: list[str]) -> Mapping[str, tuple[TeamRow, ...]]:
            stmt = select(
                TeamAssignment.family_id,
                TeamAssignment.user_id,
                TeamAssignment.team_role,
                TeamAssignment.since,
                TeamAssignment.until,
            ).where(TeamAssignment.family_id.in_(ids))
            rows: dict[str, list[TeamRow]] = {}
            for family_id, user_id, role, since, until in (await session.execute(stmt)).all():
                rows.setdefault(family_id, []).append((user_id, role, since, until))
            return {fid: tuple(r) for fid, r in rows.items()}

        return await self._cached(self.team, family_ids, load, ())

    async def emergency_grants(self, family_ids: Collection[str]) -> dict[str, tuple[EmergencyGrant, ...]]:
        """Every break-the-glass grant on these families (hub/access/breakglass), decided per request."""
        return await self._cached(self.emergency, family_ids, grants_of, ())

    async def caseload_of(self, person_ids: Collection[str]) -> dict[str, CaseloadFacts]:
        async def load(session: AsyncSession, ids: list[str]) -> Mapping[str, CaseloadFacts]:
            stmt = (
                select(
                    CaseloadEntry.person_id,
                    CaseloadEntry.user_id,
                    CaseloadEntry.department,
                    Membership.family_id,
                )
                .outerjoin(
                    Membership,
                    and_(Membership.person_id == CaseloadEntry.person_id, Membership.left_on.is_(None)),
                )
                .where(CaseloadEntry.person_id.in_(ids))
            )
            entries: dict[str, set[tuple[str, Department]]] = {}
            families: dict[str, set[str]] = {}
            for person_id, user_id, department, family_id in (await session.execute(stmt)).all():
                entries.setdefault(person_id, set()).add((user_id, department))
                if family_id is not None:
                    families.setdefault(person_id, set()).add(family_id)
            return {
                pid: CaseloadFacts(tuple(sorted(e)), frozenset(families.get(pid, ())))
                for pid, e in entries.items()
            }

        return await self._cached(self.caseload, person_ids, load, CaseloadFacts())

    async def citizen(self, person_id: str) -> CitizenFacts | None:
        async def load(session: AsyncSession, ids: list[str]) -> Mapping[str, CitizenFacts | None]:
            (pid,) = ids
            own = (
                await session.execute(
                    select(Person.birth_date, Membership.family_id)
                    .outerjoin(
                        Membership, and_(Membership.person_id == Person.id, Membership.left_on.is_(None))
                    )
                    .where(Person.id == pid)
                )
            ).all()
            if not own:
                return {}
            children = (
                await session.execute(
                    select(Custody.child_id, Custody.since, Custody.until, Person.birth_date)
                    .join(Person, Person.id == Custody.child_id)
                    .where(Custody.holder_id == pid)
                )
            ).all()
            return {
                pid: CitizenFacts(
                    birth_date=own[0][0],
                    family_ids=frozenset(fid for _b, fid in own if fid is not None),
                    custody=tuple((c, s, u, b) for c, s, u, b in children),
                )
            }

        return (await self._cached(self.citizens, [person_id], load, None))[person_id]

    async def subject_bases(self, subject_ids: Collection[str]) -> dict[str, SubjectBases]:
        """Every consent and statutory basis of these subjects (callers strip what a viewer may not use)."""

        async def load(session: AsyncSession, ids: list[str]) -> Mapping[str, SubjectBases]:
            self.queries += 1  # two statements
            return (await load_bases(session, ids, include_statutory=True)).by_subject

        return await self._cached(self.bases, subject_ids, load, SubjectBases())

    def sizes(self) -> dict[str, int]:
        return {name: len(lru) for name, lru in self.maps().items()}
