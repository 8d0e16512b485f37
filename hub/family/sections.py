"""Department sections of the family view: gate first, then one batched connector call per department.

Per request, `SectionService.prepare(members, departments)` asks the gate for every (member, department) and
primes one DataLoader per department with the allowed members' CPR numbers only, so a request costs at most one
connector call per department (chunked by the department's batch limit) and departments are called
concurrently. A member the gate does not allow is never sent to the department.

A department failure becomes data (status UNAVAILABLE or BAD_RESPONSE) on that department's sections only. A
department that does not answer within its latency budget (connectors/latency.py) is a failure too: its sections
are served from the cache as STALE, or UNAVAILABLE, while its call may finish in the background and refresh the
cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from connectors.base import (
    ConnectorError,
    ConnectorHealth,
    Deadline,
    DepartmentBadResponse,
    DepartmentConnector,
    LookupResult,
    NotRegistered,
)
from connectors.latency import LatencyBudget
from connectors.records import DepartmentRecord
from hub.domain import DataCategory, Department
from hub.family.gate import Gate, SectionDecision, Verdict
from hub.family.model import MemberInfo
from hub.family.redact import redact, withheld_categories

if TYPE_CHECKING:
    from hub.ingestion.cache import SectionCache


class SectionStatus(StrEnum):
    OK = "OK"
    STALE = "STALE"
    NOT_REGISTERED = "NOT_REGISTERED"
    UNAVAILABLE = "UNAVAILABLE"
    BAD_RESPONSE = "BAD_RESPONSE"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    FORBIDDEN = "FORBIDDEN"


@dataclass(frozen=True, slots=True)
class Section:
    department: Department
    status: SectionStatus
    record: DepartmentRecord | None
    fetched_at: datetime | None
    stale: bool = False
    decision: SectionDecision | None = None
    error: ConnectorError | None = None
    withheld: frozenset[DataCategory] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a department answered for one person, and when."""

    result: LookupResult
    fetched_at: datetime
    stale: bool = False


# Records one (member, department) decision, granted or denied, in the request's audit log buffer.
DecisionAudit = Callable[[MemberInfo, Department, SectionDecision], None]
# Told, before each department call of the request, that it is about to wait (the audit log starts its commit).
CallHook = Callable[[], None]


class SectionService:
    """One per request. Holds the gate, the per-department loaders and the request's deadline."""

    def __init__(
        self,
        gate: Gate,
        connectors: Mapping[Department, DepartmentConnector],
        *,
        deadline: Deadline,
        now: datetime,
        audit: DecisionAudit | None = None,
        cache: SectionCache | None = None,
        budgets: Mapping[Department, LatencyBudget] | None = None,
        started: float | None = None,
        on_call: CallHook | None = None,
    ) -> None:
        self.gate = gate
        self.on_call = on_call
        self.started = started  # the request's arrival (time.monotonic()): latency budgets count from here
        self.connectors = connectors
        self.deadline = deadline
        self.now = now
        self.audit = audit
        # Cache first (hub/ingestion/cache.py): fresh data without a department call, stale-if-error.
        self.cache = cache
        self.budgets = budgets or {}
        self._person_ids: dict[str, str] = {}  # CPR -> person id of every member prepared (cache key)
        self._loaders: dict[Department, DataLoader[str, Fetched]] = {}
        # Every (person id, department) section answered so far in this request, and every (CPR, department)
        # whose load was started: a field asked twice (a member's section, the summary, openCases) is
        # decided, audited and built once.
        self._done: dict[tuple[str, Department], Section] = {}
        self._primed: set[tuple[str, Department]] = set()

    def loader(self, department: Department) -> DataLoader[str, Fetched]:
        loader = self._loaders.get(department)
        if loader is None:
            connector: DepartmentConnector = self.connectors[department]
            budget = self.budgets.get(department)
            if budget is not None:
                connector = _WithinBudget(connector, budget, self._late_keeper, self.started)
            if self.on_call is not None:
                connector = _Announced(connector, self.on_call)

            async def load(cprs: list[str]) -> Sequence[Fetched | BaseException]:
                return await self._fetch(connector, cprs)

            loader = DataLoader(load_fn=load, max_batch_size=None)
            self._loaders[department] = loader
        return loader

    def _late_keeper(self, department: Department) -> Callable[[Mapping[str, LookupResult]], None]:
        """Called as a department call starts: what to do with its answer if it comes after the view went on
        without it (refresh the cache). The cache's epoch is taken now, so that a push or a consent withdrawal
        committed meanwhile is never overwritten by the late, older answer."""
        cache = self.cache
        if cache is None:
            return lambda results: None
        since = cache.memory.epoch
        person_ids, at = self._person_ids, self.now

        def keep(results: Mapping[str, LookupResult]) -> None:
            known = {person_ids[c]: r for c, r in results.items() if c in person_ids}
            cache.remember(department, known, at, since=since)

        return keep

    async def _fetch(
        self, connector: DepartmentConnector, cprs: list[str]
    ) -> Sequence[Fetched | BaseException]:
        if self.cache is not None:
            answers = await self.cache.answers(
                connector, cprs, self._person_ids, deadline=self.deadline, now=self.now
            )
            return [
                a if isinstance(a, BaseException) else Fetched(a.result, a.fetched_at, a.stale)
                for a in answers
            ]
        try:
            results = await connector.fetch_many(cprs, deadline=self.deadline)
        except ConnectorError as exc:
            return [exc] * len(cprs)
        fetched_at = self.now
        out: list[Fetched | BaseException] = []
        for cpr in cprs:
            if cpr not in results:
                out.append(DepartmentBadResponse(connector.department, "answer missing an asked-for person"))
            else:
                out.append(Fetched(results[cpr], fetched_at))
        return out

    async def prepare(self, members: Iterable[MemberInfo], departments: Collection[Department]) -> None:
        """Decide every (member, department) and start one batched fetch per department for allowed members."""
        members = [m for m in members if any((m.cpr, d) not in self._primed for d in departments)]
        if not members or not departments:
            return
        decisions = await self.gate.decide_many(members, departments)
        self._person_ids.update((m.cpr, m.person_id) for m in members)
        if self.audit is not None:
            # Logged (into the request's audit buffer) before any connector call; the buffer deduplicates.
            for member in members:
                for department in departments:
                    self.audit(member, department, decisions[(member.person_id, department)])
        for department in departments:
            allowed = [
                m.cpr
                for m in members
                if (m.cpr, department) not in self._primed and decisions[(m.person_id, department)].allowed
            ]
            self._primed.update((m.cpr, department) for m in members)
            if allowed:
                # Priming in one synchronous pass puts every key in the same DataLoader batch. The gathering
                # future is never awaited (each section awaits its own key), so retrieve its outcome here:
                # otherwise a failed load is reported as "exception was never retrieved" when it is collected.
                asyncio.ensure_future(self.loader(department).load_many(allowed)).add_done_callback(_retrieve)

    async def resolve(self, members: Sequence[MemberInfo], departments: Collection[Department]) -> None:
        """Answer every (member, department) section, so that `ready` has them. The batched calls were started
        by `prepare` and run concurrently; each await below is on an answer already in flight (or done)."""
        await self.prepare(members, departments)
        for member in members:
            for department in departments:
                await self.section(member, department)

    def ready(self, member: MemberInfo, department: Department) -> Section | None:
        """The section if this request has already answered it (no waiting), else None."""
        return self._done.get((member.person_id, department))

    async def section(self, member: MemberInfo, department: Department) -> Section:
        done = self._done.get((member.person_id, department))
        if done is None:
            done = await self._section(member, department)
            self._done[(member.person_id, department)] = done
        return done

    async def _section(self, member: MemberInfo, department: Department) -> Section:
        decision = self.gate.decision(member, department)
        if decision is None:
            await self.prepare([member], [department])
            decision = self.gate.decision(member, department)
            assert decision is not None  # noqa: S101 - prepare() always decides
        if decision.verdict is Verdict.FORBIDDEN:
            return Section(department, SectionStatus.FORBIDDEN, None, None, decision=decision)
        if decision.verdict is Verdict.CONSENT_REQUIRED:
            return Section(department, SectionStatus.CONSENT_REQUIRED, None, None, decision=decision)
        try:
            fetched = await self.loader(department).load(member.cpr)
        except DepartmentBadResponse as exc:
            return Section(department, SectionStatus.BAD_RESPONSE, None, None, decision=decision, error=exc)
        except ConnectorError as exc:
            return Section(department, SectionStatus.UNAVAILABLE, None, None, decision=decision, error=exc)
        if isinstance(fetched.result, NotRegistered):
            # Last known "not registered" served while the department is down is as stale as a record.
            return Section(
                department,
                SectionStatus.NOT_REGISTERED,
                None,
                fetched.fetched_at,
                stale=fetched.stale,
                decision=decision,
            )
        status = SectionStatus.STALE if fetched.stale else SectionStatus.OK
        return Section(
            department,
            status,
            redact(fetched.result, decision.categories),
            fetched.fetched_at,
            stale=fetched.stale,
            decision=decision,
            withheld=withheld_categories(fetched.result, decision.categories),
        )

    async def sections(self, member: MemberInfo, departments: Collection[Department]) -> list[Section]:
        done = [self._done.get((member.person_id, d)) for d in departments]
        if all(s is not None for s in done):
            return [s for s in done if s is not None]
        return list(await asyncio.gather(*(self.section(member, d) for d in departments)))


class _RequestView:
    """A hub connector seen by one request: answers through `fetch_many`, which subclasses wrap."""

    def __init__(self, inner: DepartmentConnector) -> None:
        self.inner = inner
        self.department = inner.department
        self.batch_limit = inner.batch_limit

    async def fetch_many(
        self, cprs: Sequence[str], *, deadline: Deadline | None = None
    ) -> Mapping[str, LookupResult]:
        return await self.inner.fetch_many(cprs, deadline=deadline)

    async def probe(self) -> ConnectorHealth:
        return await self.inner.probe()

    async def aclose(self) -> None:
        """Nothing to close: the connector belongs to the hub, not to the request."""


class _WithinBudget(_RequestView):
    """A connector seen through its department's latency budget, for one request."""

    def __init__(
        self,
        inner: DepartmentConnector,
        budget: LatencyBudget,
        late_keeper: Callable[[Department], Callable[[Mapping[str, LookupResult]], None]],
        started: float | None = None,
    ) -> None:
        super().__init__(inner)
        self.started = started
        self.budget = budget
        self.late_keeper = late_keeper

    async def fetch_many(
        self, cprs: Sequence[str], *, deadline: Deadline | None = None
    ) -> Mapping[str, LookupResult]:
        keep = self.late_keeper(self.department)
        return await self.budget.run(
            self.inner.fetch_many(cprs, deadline=deadline), on_late=keep, started=self.started
        )


class _Announced(_RequestView):
    """A connector that calls `on_call` before each department call (not for answers the cache gives)."""

    def __init__(self, inner: DepartmentConnector, on_call: CallHook) -> None:
        super().__init__(inner)
        self.on_call = on_call

    async def fetch_many(
        self, cprs: Sequence[str], *, deadline: Deadline | None = None
    ) -> Mapping[str, LookupResult]:
        self.on_call()
        return await super().fetch_many(cprs, deadline=deadline)


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a future's outcome as seen: department failures are data, read per section, not errors to report."""
    if not future.cancelled():
        future.exception()
