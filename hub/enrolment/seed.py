"""Demo enrolment history for `hub seed`, so the waitlist and the steering report have data.

For each generated family, by its status: an eligibility assessment (ELIGIBLE) for every family past
referral; an ENROLLED event on `enrolled_on` (ACTIVE, CLOSED); a WAITLISTED event (WAITLISTED); a CLOSED event
with a reason and, mostly, a hand-over department (CLOSED, whose `families` row gets closed_on, close_reason and
handed_over_to). Enrolled families get an outcome snapshot per member: the indicators are read from the
world's department records through the connectors' own mapping, then moved, deterministically, towards the
situation a family typically enters the programme in (more cash benefit and absence, less leisure), since the
generated world has no department history. Registered after the plan seeder; deterministic per world seed;
fictitious people only; never writes a CPR number.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import NOT_REGISTERED, LookupResult
from hub.cpr import age_on
from hub.domain import Department, FamilyStatus
from hub.enrolment.eligibility import criterion_json
from hub.enrolment.indicators import DEPARTMENTS, Gap, Indicator, observe_member
from hub.enrolment.models import EligibilityAssessment, EnrolmentEvent, EnrolmentSnapshot, EventKind, Outcome
from hub.enrolment.rules import DepartmentFinding as Finding
from hub.enrolment.rules import housing_criterion, open_cases_criterion
from hub.enrolment.store import HISTORY_ENTITY
from hub.ingestion.wire import WireError, WireParser, connector_parsers, parse_wire
from hub.persistence.models import Family
from hub.plan.models import HistoryEntry
from hub.seed_context import SeedContext
from hub.world import WorldFamily

COORDINATOR = "tovholder"
CLOSE_REASONS = (
    ("Målene er nået; familien fortsætter i almindelige tilbud", Department.SOF),
    ("Målene er nået; beskæftigelsesopfølgning i jobcentret", Department.BIF),
    ("Stabilt skolefremmøde; skolen følger op", Department.BUF),
    ("Familien er flyttet ud af programmets bydele", None),
    ("Familien har afsluttet samarbejdet", None),
)
# Chance that an indicator was worse at enrolment than the world shows today (the programme's effect).
WORSE_AT_ENROLMENT = {
    Indicator.CASH_BENEFIT: 0.35,
    Indicator.HIGH_ABSENCE: 0.3,
    Indicator.LEISURE_ACTIVE: 0.4,
}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


class _Rows:
    def __init__(self) -> None:
        self.assessments: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.snapshots: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []


async def seed_enrolment(session: AsyncSession, ctx: SeedContext) -> None:
    actor = ctx.users.get(COORDINATOR)
    parsers = connector_parsers()
    rows = _Rows()
    closures: list[dict[str, Any]] = []
    for family in ctx.world.families:
        if family.status is not FamilyStatus.REFERRED:
            closure = _FamilySeed(ctx, rows, family, actor).seed(parsers)
            if closure is not None:
                closures.append(closure)
    for model, values in (
        (EligibilityAssessment, rows.assessments),
        (EnrolmentEvent, rows.events),
        (EnrolmentSnapshot, rows.snapshots),
        (HistoryEntry, rows.history),
    ):
        for start in range(0, len(values), 2000):
            await session.execute(insert(model), values[start : start + 2000])
    for closure in closures:
        fid = closure.pop("id")
        await session.execute(update(Family).where(Family.id == fid).values(**closure))


class _FamilySeed:
    def __init__(self, ctx: SeedContext, rows: _Rows, family: WorldFamily, actor: str | None) -> None:
        self.ctx, self.rows, self.family, self.actor = ctx, rows, family, actor
        self.fid = ctx.family_ids[family.key]
        self.rng = random.Random(f"{ctx.world.seed}-enrolment-{family.key}")  # noqa: S311 - demo data

    def seed(self, parsers: Mapping[Department, WireParser]) -> dict[str, Any] | None:
        """Write the family's rows; return the closing values of its `families` row, if it is closed."""
        family, today = self.family, self.ctx.today
        assessed_on = min(today, family.referred_on + timedelta(days=7))
        assessment_id = f"EA-{family.key}-1"
        self.rows.assessments.append(self._assessment(assessment_id, assessed_on))
        if family.status is FamilyStatus.WAITLISTED:
            on = min(today, assessed_on + timedelta(days=1))
            self._event(
                EventKind.WAITLISTED, on, FamilyStatus.REFERRED, FamilyStatus.WAITLISTED, assessment_id
            )
            return None
        enrolled_on = family.enrolled_on or assessed_on
        event_id = self._event(
            EventKind.ENROLLED, enrolled_on, FamilyStatus.REFERRED, FamilyStatus.ACTIVE, assessment_id
        )
        self._snapshots(event_id, enrolled_on, parsers)
        if family.status is not FamilyStatus.CLOSED:
            return None
        span = max(1, (today - enrolled_on).days)
        closed_on = enrolled_on + timedelta(days=min(span, self.rng.randint(120, 540)))
        reason, handed_over_to = self.rng.choice(CLOSE_REASONS)
        self._event(
            EventKind.CLOSED,
            closed_on,
            FamilyStatus.ACTIVE,
            FamilyStatus.CLOSED,
            reason=reason,
            handed_over_to=handed_over_to,
        )
        return {
            "id": self.fid,
            "closed_on": closed_on,
            "close_reason": reason,
            "handed_over_to": handed_over_to,
        }

    def _assessment(self, assessment_id: str, on: date) -> dict[str, Any]:
        family = self.family
        open_cases = open_cases_criterion(
            {Department.SOF: Finding.OPEN, Department.BIF: Finding.OPEN},
            members_assessed=len(family.members),
            members_without_basis=0,
        )
        return {
            "id": assessment_id,
            "family_id": self.fid,
            "assessed_at": _at(on, 9),
            "assessed_by": self.actor,
            "outcome": Outcome.ELIGIBLE,
            "criteria": [
                criterion_json(housing_criterion(family.district, family.housing_area)),
                criterion_json(open_cases),
            ],
        }

    def _event(
        self,
        kind: EventKind,
        on: date,
        before: FamilyStatus,
        after: FamilyStatus,
        assessment_id: str | None = None,
        *,
        reason: str | None = None,
        handed_over_to: Department | None = None,
    ) -> str:
        event_id = f"EE-{self.family.key}-{kind.value[:1]}"
        self.rows.events.append(
            {
                "id": event_id,
                "family_id": self.fid,
                "kind": kind,
                "effective_on": on,
                "occurred_at": _at(on),
                "from_status": before,
                "to_status": after,
                "district": self.family.district,
                "actor_user_id": self.actor,
                "reason": reason,
                "handed_over_to": handed_over_to,
                "assessment_id": assessment_id,
                "contact_points": _demo_contact_points(self.family.key)
                if kind is EventKind.ENROLLED
                else None,
            }
        )
        diff: dict[str, Any] = {"status": [before.value, after.value]}
        summary = {
            EventKind.ENROLLED: "Enrolled in the programme",
            EventKind.WAITLISTED: "Placed on the waitlist",
            EventKind.CLOSED: "Closed",
        }[kind]
        if handed_over_to is not None:
            diff["handed_over_to"] = handed_over_to.value
            summary += f", handed over to {handed_over_to.value}"
        self.rows.history.append(
            {
                "id": f"H-{event_id}",
                "family_id": self.fid,
                "occurred_at": _at(on),
                "actor_user_id": self.actor,
                "entity": HISTORY_ENTITY,
                "entity_id": event_id,
                "change": kind.value,
                "person_id": None,
                "plan_version": None,
                "summary": summary,
                "diff": diff,
            }
        )
        return event_id

    def _snapshots(self, event_id: str, on: date, parsers: Mapping[Department, WireParser]) -> None:
        records = self.ctx.world.department_records
        for member in self.family.members:
            answers: dict[Department, LookupResult | Gap] = {}
            for department in DEPARTMENTS:
                wire = records.get(department, {}).get(member.cpr)
                try:
                    answers[department] = (
                        NOT_REGISTERED if wire is None else parse_wire(parsers, department, wire)
                    )
                except WireError:
                    answers[department] = Gap.UNAVAILABLE
            age = age_on(member.birth_date, on)
            seen = observe_member(age, answers)
            values: dict[Indicator, bool | None] = {i: seen.get(i) for i in Indicator}
            for indicator, chance in WORSE_AT_ENROLMENT.items():
                value, worse = values[indicator], indicator is not Indicator.LEISURE_ACTIVE
                if value is not None and value != worse and self.rng.random() < chance:
                    values[indicator] = worse
            self.rows.snapshots.append(
                {
                    "id": f"ES-{member.key}-{event_id[-1]}",
                    "event_id": event_id,
                    "family_id": self.fid,
                    "person_id": self.ctx.person_ids[member.cpr],
                    "taken_on": on,
                    "age": age,
                    "cash_benefit": values[Indicator.CASH_BENEFIT],
                    "high_absence": values[Indicator.HIGH_ABSENCE],
                    "leisure_active": values[Indicator.LEISURE_ACTIVE],
                    "gaps": {k.value: v.value for k, v in seen.gaps.items()},
                }
            )


def _demo_contact_points(family_key: str) -> int:
    """A demo family's contact points at enrolment, from a stream of its own so the rest of the world is drawn
    as before (the programme's aim: more at enrolment than the team and caseworkers make now)."""
    return random.Random(f"contact-points-{family_key}").randint(6, 11)  # noqa: S311 - demo data, not security
