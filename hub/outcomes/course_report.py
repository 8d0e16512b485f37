"""Start against end across closed courses, for the steering report: aggregates only, suppressed as the rest.

A person counts when their family's latest course has both an ENROLMENT and a CLOSURE outcome snapshot and the
measure was seen at the start (hub/outcomes/snapshots.py). Each measure becomes a yes/no indicator (on a cash
benefit, in activation, 15 %+ unlawful absence, a report of concern in the last half year, an open
investigation, moderate or greater difficulties in functioning (ICF 2+), WHO-5 at or under 50, a department's configured indicator above 0); the shares at the start and
at the end go through the report's one suppression rule (hub/enrolment/suppression.py), programme and
districts in one table. No person-level value leaves this module.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import FamilyStatus
from hub.enrolment.suppression import Scope, ShareCounts, ShareFigure, suppress_shares
from hub.outcomes.measures import ConfiguredIndicator, Value
from hub.outcomes.models import OutcomeSnapshot
from hub.persistence.models import Family

CASH_BENEFITS = frozenset({"KONTANTHJAELP", "UDDANNELSESHJAELP"})

Test = Callable[[Mapping[str, Value]], bool | None]


def _flag(key: str, test: Callable[[Value], bool]) -> Test:
    def check(values: Mapping[str, Value]) -> bool | None:
        value = values.get(key)
        return None if value is None else test(value)

    return check


def _number(value: Value) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


INDICATORS: dict[str, Test] = {
    "CASH_BENEFIT": _flag("BENEFIT_TYPE", lambda v: v in CASH_BENEFITS),
    "IN_ACTIVATION": _flag("ACTIVATION", lambda v: v not in ("NONE", "")),
    "HIGH_ABSENCE": _flag("UNLAWFUL_ABSENCE_PCT", lambda v: _number(v) >= 15.0),
    "REPORT_OF_CONCERN": _flag("REPORTS_OF_CONCERN_6M", lambda v: _number(v) > 0),
    "OPEN_INVESTIGATION": _flag("OPEN_INVESTIGATIONS", lambda v: _number(v) > 0),
    "FUNCTIONING_DIFFICULTY": _flag("FUNCTIONING", lambda v: _number(v) >= 2),
    "WHO5_LOW": _flag("WHO5", lambda v: _number(v) <= 50),
}


@dataclass(frozen=True, slots=True)
class Course:
    family_id: str
    district: str
    start: Mapping[str, Mapping[str, Value]]  # person id -> values at enrolment
    end: Mapping[str, Mapping[str, Value]]  # person id -> values at closure


@dataclass
class _Tally:
    persons: int = 0
    start: int = 0
    end: int = 0
    not_measured: int = 0
    families: set[str] = field(default_factory=set)


def indicators_for(configured: Collection[ConfiguredIndicator]) -> dict[str, Test]:
    return INDICATORS | {c.key: _flag(c.key, lambda v: _number(v) > 0) for c in configured}


def start_to_end(
    courses: Collection[Course], tests: Mapping[str, Test]
) -> dict[str, dict[Scope, ShareFigure]]:
    """Pure: each indicator's share at the start and at the end, suppressed, for ALL and each district."""
    out: dict[str, dict[Scope, ShareFigure]] = {}
    for key, test in tests.items():
        tally = {scope: _Tally() for scope in Scope}
        for course in courses:
            for person_id, start_values in course.start.items():
                before = test(start_values)
                if before is None:
                    continue
                after = test(course.end.get(person_id, {}))
                for scope in (Scope.ALL, Scope(course.district)):
                    t = tally[scope]
                    if after is None:
                        t.not_measured += 1
                        continue
                    t.persons += 1
                    t.families.add(course.family_id)
                    t.start += int(before)
                    t.end += int(after)
        out[key] = suppress_shares(
            {
                s: ShareCounts(t.persons, len(t.families), t.start, t.end, t.not_measured)
                for s, t in tally.items()
            }
        )
    return out


async def closed_courses(session: AsyncSession) -> list[Course]:
    """Closed families whose latest course has an ENROLMENT and a later CLOSURE snapshot."""
    families = {
        f.id: f for f in await session.scalars(select(Family).where(Family.status == FamilyStatus.CLOSED))
    }
    if not families:
        return []
    rows = await session.scalars(
        select(OutcomeSnapshot)
        .where(OutcomeSnapshot.family_id.in_(list(families)))
        .order_by(OutcomeSnapshot.taken_at, OutcomeSnapshot.id)
    )
    start: dict[str, dict[str, dict[str, Value]]] = {}
    end: dict[str, dict[str, dict[str, Value]]] = {}
    for row in rows:
        if row.occasion == "ENROLMENT":
            start.setdefault(row.family_id, {})[row.person_id] = dict(row.values)
            end.pop(row.family_id, None)  # a re-enrolment starts a new course
        elif row.occasion == "CLOSURE" and row.family_id in start:
            end.setdefault(row.family_id, {})[row.person_id] = dict(row.values)
    return [Course(fid, families[fid].district.value, start[fid], end[fid]) for fid in start if fid in end]
