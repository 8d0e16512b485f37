"""Demo plans for `hub seed`: goals, actions, past meetings with minutes, a next meeting and measurements.

For every ACTIVE family: family goals and member goals by age, actions across departments with the
family's core-team workers responsible, 1-4 held follow-up meetings since enrolment with minutes and
decisions, the next meeting a few weeks ahead, and wellbeing measurements over time (WHO-5 for adults,
CORS/ORS and SDQ for children). Workers come from the team assignments the users seeder wrote.
Deterministic: one `random.Random` per family, seeded from the world seed and the family key; ids are
stable (e.g. "G-F00001-1"). Never writes a CPR number; every person is fictitious.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.cpr import age_on
from hub.domain import Department, FamilyStatus, MemberRole
from hub.persistence.models import TeamAssignment, TeamRole, User
from hub.plan.demo_content import (
    ADULT_GOALS,
    CLOSINGS,
    DANISH_CLASSES_GOAL,
    DECISIONS,
    FAMILY_GOALS,
    FAMILY_VOICE,
    GOAL_LINES,
    NOTES,
    OPENINGS,
    PENSION_AGE,
    SCHOOL_GOALS,
    SENIOR_GOALS,
    SMALL_CHILD_GOALS,
    YOUTH_GOALS,
    Template,
)
from hub.plan.domain import ActionStatus, GoalStatus, Instrument, MeetingStatus, SdqRespondent
from hub.plan.models import (
    Goal,
    HistoryEntry,
    Measurement,
    Meeting,
    MeetingParticipant,
    Plan,
    PlanAction,
    ProgressNote,
)
from hub.seed_context import SeedContext
from hub.world import WorldFamily, WorldPerson

# The demo's overdue meeting (an early signal, hub/signals): in this enrolled family (index among the ACTIVE
# ones), the next meeting's day passed this many days ago and nobody recorded minutes or moved it.
OVERDUE_MEETING_FAMILY = 2
OVERDUE_BY_DAYS = 6
# The demo's paused course (NO_CONTACT): in this enrolled family, no meeting was held and nothing measured for
# this many days (the next meeting is still booked ahead).
PAUSED_FAMILY = 4
PAUSED_DAYS = 75


@dataclass
class _Rows:
    plans: list[dict[str, object]] = field(default_factory=list)
    goals: list[dict[str, object]] = field(default_factory=list)
    notes: list[dict[str, object]] = field(default_factory=list)
    actions: list[dict[str, object]] = field(default_factory=list)
    meetings: list[dict[str, object]] = field(default_factory=list)
    participants: list[dict[str, object]] = field(default_factory=list)
    measurements: list[dict[str, object]] = field(default_factory=list)
    history: list[dict[str, object]] = field(default_factory=list)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


async def _teams(
    session: AsyncSession, family_ids: list[str], today: date
) -> dict[str, list[tuple[str, str, Department | None]]]:
    rows = await session.execute(
        select(TeamAssignment.family_id, TeamAssignment.user_id, TeamAssignment.team_role, User.department)
        .join(User, User.id == TeamAssignment.user_id)
        .where(
            TeamAssignment.family_id.in_(family_ids),
            or_(TeamAssignment.until.is_(None), TeamAssignment.until > today),
        )
        .order_by(TeamAssignment.family_id, TeamAssignment.team_role, TeamAssignment.user_id)
    )
    out: dict[str, list[tuple[str, str, Department | None]]] = {}
    for fid, uid, role, dept in rows.all():
        out.setdefault(fid, []).append((uid, role, dept))
    return out


def _goal_templates(person: WorldPerson, today: date, origin: str = "") -> tuple[Template, ...]:
    """Goals that fit the person: no job goal past pension age, no Danish classes for Danish-born parents."""
    age = age_on(person.birth_date, today)
    if person.member_role is not MemberRole.CHILD or age >= 18:
        if age >= PENSION_AGE:
            return SENIOR_GOALS
        return tuple(t for t in ADULT_GOALS if not (t[0] == DANISH_CLASSES_GOAL and origin == "danish"))
    if age < 6:
        return SMALL_CHILD_GOALS
    return SCHOOL_GOALS + (YOUTH_GOALS if age >= 14 else ())


class _FamilySeeder:
    def __init__(
        self,
        ctx: SeedContext,
        family: WorldFamily,
        team: list[tuple[str, str, Department | None]],
        rows: _Rows,
    ) -> None:
        self.ctx, self.family, self.team, self.rows = ctx, family, team, rows
        self.fid = ctx.family_ids[family.key]
        self.rng = random.Random(f"{ctx.world.seed}-plan-{family.key}")  # noqa: S311 - demo data, not security
        self.start = family.enrolled_on or family.referred_on
        self.coordinator = next((u for u, r, _d in team if r == TeamRole.COORDINATOR), team[0][0])
        self.goal_no = self.action_no = 0
        self.goal_titles: list[str] = []
        self.names = {ctx.person_ids[m.cpr]: m.first_name for m in family.members}

    def worker_for(self, department: Department) -> str:
        same = [u for u, _r, d in self.team if d is department]
        return same[0] if same else self.coordinator

    def history(
        self,
        *,
        when: datetime,
        actor: str,
        entity: str,
        entity_id: str,
        change: str,
        summary: str,
        person_id: str | None,
        diff: dict[str, object],
    ) -> None:
        self.rows.history.append(
            {
                "id": f"H-{entity_id}-{change}"[:36],
                "family_id": self.fid,
                "occurred_at": when,
                "actor_user_id": actor,
                "entity": entity,
                "entity_id": entity_id,
                "change": change,
                "person_id": person_id,
                "plan_version": None,
                "summary": summary,
                "diff": diff,
            }
        )

    def goal(
        self,
        title: str,
        departments: tuple[Department, ...],
        actions: list[tuple[Department, str]],
        person_id: str | None,
    ) -> None:
        self.goal_no += 1
        gid = f"G-{self.family.key}-{self.goal_no}"
        self.goal_titles.append(title)
        created = _at(self.start + timedelta(days=self.rng.randint(0, 10)), 10)
        days_in = (self.ctx.today - self.start).days
        status = self.rng.choices(
            (GoalStatus.PLANNED, GoalStatus.IN_PROGRESS, GoalStatus.ACHIEVED, GoalStatus.DROPPED),
            weights=(1, 5, 2 if days_in > 120 else 0, 0.3),
        )[0]
        target = self.start + timedelta(days=self.rng.choice((180, 270, 365)))
        self.rows.goals.append(
            {
                "id": gid,
                "family_id": self.fid,
                "person_id": person_id,
                "title": title,
                "description": "",
                "departments": [d.value for d in departments],
                "target_date": target,
                "status": status,
                "created_at": created,
                "created_by": self.coordinator,
                "updated_at": created,
                "updated_by": self.coordinator,
            }
        )
        self.history(
            when=created,
            actor=self.coordinator,
            entity="GOAL",
            entity_id=gid,
            change="CREATED",
            summary=f"Nyt mål for {'et familiemedlem' if person_id else 'familien'}: {title}",
            person_id=person_id,
            diff={"title": title},
        )
        for n in range(self.rng.randint(0, 2)):
            written = created + timedelta(days=30 * (n + 1))
            if written.date() < self.ctx.today:
                author = self.worker_for(departments[0])
                self.rows.notes.append(
                    {
                        "id": f"N-{gid}-{n + 1}",
                        "goal_id": gid,
                        "author_user_id": author,
                        "written_at": written,
                        "text": self.rng.choice(NOTES).format(name=self._name(person_id)),
                    }
                )
        for department, kind in actions:
            self.action_no += 1
            starts = self.start + timedelta(days=self.rng.randint(7, 40))
            ends = starts + timedelta(days=self.rng.choice((90, 180, 365)))
            action_status = ActionStatus.ACTIVE if starts <= self.ctx.today else ActionStatus.PLANNED
            # An action whose period is over is completed, not "active" in the past.
            if status is GoalStatus.ACHIEVED or ends < self.ctx.today:
                action_status = ActionStatus.COMPLETED
            self.rows.actions.append(
                {
                    "id": f"A-{self.family.key}-{self.action_no}",
                    "family_id": self.fid,
                    "goal_id": gid,
                    "department": department,
                    "kind": kind,
                    "description": "",
                    "responsible_user_id": self.worker_for(department),
                    "starts_on": starts,
                    "ends_on": ends,
                    "status": action_status,
                    "created_at": created,
                    "created_by": self.coordinator,
                    "updated_at": created,
                    "updated_by": self.coordinator,
                }
            )

    def _name(self, person_id: str | None) -> str:
        if person_id is not None and person_id in self.names:
            return self.names[person_id]
        return self.rng.choice(sorted(self.names.values())) if self.names else "Familien"

    def _minutes(self, people: list[str], location: str) -> str:
        """Minutes that read like this family's meeting: who came, where, a line per goal, the family's voice."""
        names = [self.names[p] for p in people if p in self.names] or ["familien"]
        where = "i familiens hjem" if location == "I familiens hjem" else "i Familiehuset"
        joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} og {names[-1]}"
        lines = [self.rng.choice(OPENINGS).format(where=where, names=joined)]
        titles = self.goal_titles or ["Familiens mål"]
        for title in self.rng.sample(titles, k=min(len(titles), self.rng.randint(2, 3))):
            lines.append(self.rng.choice(GOAL_LINES).format(goal=title))
        lines.append(self.rng.choice(FAMILY_VOICE).format(name=self.rng.choice(names)))
        lines.append(self.rng.choice(CLOSINGS))
        return " ".join(lines)

    def meetings(self, *, overdue: bool = False, paused: bool = False) -> None:
        """Meetings every 5-8 weeks since the start (the latest four kept), and the next one ahead; with
        `overdue`, the next one's day has passed without minutes (the demo's MEETING_OVERDUE signal)."""
        today = self.ctx.today
        first = self.start + timedelta(days=14)
        held: list[date] = []
        day = first
        while day < today:
            held.append(day)
            day += timedelta(days=self.rng.randint(35, 60))
        if paused:
            held = [d for d in held if d < today - timedelta(days=PAUSED_DAYS)] or held[:1]
        held = held[-4:]
        adults = [m for m in self.family.members if m.member_role is not MemberRole.CHILD]
        people = [self.ctx.person_ids[m.cpr] for m in adults]
        workers = [u for u, r, _d in self.team if r in (TeamRole.COORDINATOR, TeamRole.MAKKERPAR)]
        next_day = today + timedelta(days=self.rng.randint(10, 40))
        if overdue and held and held[-1] < today - timedelta(days=OVERDUE_BY_DAYS):
            next_day = today - timedelta(days=OVERDUE_BY_DAYS)
        for n, when in enumerate(held, start=1):
            mid = f"M-{self.family.key}-{n}"
            following = held[n] if n < len(held) else next_day
            self._meeting(
                mid=mid,
                day=when,
                people=people,
                workers=workers,
                status=MeetingStatus.HELD,
                following=following,
            )
        self._meeting(
            mid=f"M-{self.family.key}-{len(held) + 1}",
            day=next_day,
            people=people,
            workers=workers,
            status=MeetingStatus.SCHEDULED,
            following=None,
        )

    def _meeting(
        self,
        *,
        mid: str,
        day: date,
        people: list[str],
        workers: list[str],
        status: MeetingStatus,
        following: date | None,
    ) -> None:
        held = status is MeetingStatus.HELD
        location = "I familiens hjem" if self.rng.random() < 0.4 else "Familiehuset"
        self.rows.meetings.append(
            {
                "id": mid,
                "family_id": self.fid,
                "scheduled_at": _at(day, 13),
                "location": location,
                "status": status,
                "agenda": ["Siden sidst", "Mål og indsatser", "Familiens ønsker", "Næste skridt"],
                "chair_user_id": self.coordinator,
                "minutes": self._minutes(people, location) if held else None,
                "decisions": self.rng.sample(DECISIONS, k=2) if held else [],
                "next_meeting_at": _at(following, 13) if held and following else None,
                "minutes_recorded_by": self.coordinator if held else None,
                "minutes_recorded_at": _at(day, 16) if held else None,
                "created_by": self.coordinator,
                "created_at": _at(day - timedelta(days=21), 9),
            }
        )
        for pid in people:
            self.rows.participants.append(
                {"id": f"{mid}-P-{pid}"[:36], "meeting_id": mid, "person_id": pid, "user_id": None}
            )
        for i, uid in enumerate(workers):
            self.rows.participants.append(
                {"id": f"{mid}-W{i}", "meeting_id": mid, "person_id": None, "user_id": uid}
            )
        change = "MINUTES_RECORDED" if held else "SCHEDULED"
        when = _at(day, 16) if held else _at(day - timedelta(days=21), 9)
        self.history(
            when=when,
            actor=self.coordinator,
            entity="MEETING",
            entity_id=mid,
            change=change,
            summary=f"Opfølgningsmøde {'holdt' if held else 'planlagt'} {day:%d.%m.%Y}",
            person_id=None,
            diff={},
        )

    def measurements(self, *, paused: bool = False) -> None:
        today = self.ctx.today - timedelta(days=PAUSED_DAYS) if paused else self.ctx.today
        # Quarterly since the start, the latest four up to the world's today: a long course still shows
        # measurements from the last quarter (the demo anchored at today shows recent ones).
        quarters = max(0, (today - self.start).days // 91) + 1
        dates = [d for d in (self.start + timedelta(days=91 * k) for k in range(quarters)) if d <= today][-4:]
        for member in self.family.members:
            pid = self.ctx.person_ids[member.cpr]
            for n, day in enumerate(dates):
                age = age_on(member.birth_date, day)
                for instrument, score, respondent in self._scores(age, n):
                    self.rows.measurements.append(
                        {
                            "id": f"W-{member.key}-{instrument.value}-{n + 1}",
                            "family_id": self.fid,
                            "person_id": pid,
                            "instrument": instrument,
                            "score": score,
                            "respondent": respondent,
                            "subscales": None,
                            "measured_on": day,
                            "recorded_by": self.coordinator,
                            "recorded_at": _at(day, 15),
                            "note": "",
                        }
                    )

    def _scores(self, age: int, n: int) -> list[tuple[Instrument, float, str | None]]:
        # Scores drift towards wellbeing over the course, with noise: the demo shows progress, not perfection.
        out: list[tuple[Instrument, float, str | None]] = []
        if age >= 18:
            raw = min(25, max(0, self.rng.randint(6, 13) + 2 * n + self.rng.randint(-2, 2)))
            out.append((Instrument.WHO5, float(raw * 4), None))
        elif age >= 6:
            instrument = Instrument.ORS if age >= 13 else Instrument.CORS
            out.append((instrument, round(min(40.0, self.rng.uniform(18, 27) + 2.5 * n), 1), None))
        if 4 <= age < 18:
            sdq = max(0, min(40, self.rng.randint(14, 22) - 2 * n + self.rng.randint(-1, 1)))
            out.append((Instrument.SDQ, float(sdq), SdqRespondent.PARENT.value))
        return out


async def seed_plans(session: AsyncSession, ctx: SeedContext) -> None:
    active = [f for f in ctx.world.families if f.status is FamilyStatus.ACTIVE]
    if not active:
        return
    teams = await _teams(session, [ctx.family_ids[f.key] for f in active], ctx.today)
    rows = _Rows()
    for index, family in enumerate(active):
        team = teams.get(ctx.family_ids[family.key], [])
        if not team:
            continue  # a family without a core team has no one to plan with
        seeder = _FamilySeeder(ctx, family, team, rows)
        for title, departments, actions in seeder.rng.sample(FAMILY_GOALS, k=2):
            seeder.goal(title, departments, actions, None)
        for member in family.members:
            templates = _goal_templates(member, ctx.today, family.origin)
            for title, departments, actions in seeder.rng.sample(templates, k=min(2, len(templates))):
                seeder.goal(title, departments, actions, ctx.person_ids[member.cpr])
        seeder.meetings(overdue=index == OVERDUE_MEETING_FAMILY, paused=index == PAUSED_FAMILY)
        seeder.measurements(paused=index == PAUSED_FAMILY)
        rows.plans.append(
            {
                "id": f"PL-{family.key}",
                "family_id": seeder.fid,
                "version": 1,
                "created_at": _at(seeder.start),
                "updated_at": _at(seeder.start),
                "updated_by": seeder.coordinator,
            }
        )
    for model, data in (
        (Plan, rows.plans),
        (Goal, rows.goals),
        (ProgressNote, rows.notes),
        (PlanAction, rows.actions),
        (Meeting, rows.meetings),
        (MeetingParticipant, rows.participants),
        (Measurement, rows.measurements),
        (HistoryEntry, rows.history),
    ):
        for start in range(0, len(data), 1000):
            await session.execute(insert(model), data[start : start + 1000])


async def seed_language_needs(session: AsyncSession, ctx: SeedContext) -> None:
    """Languages and interpreter needs of the programme's families (hub/world/language.py), set by the team."""
    from hub.plan.models import LanguageNeed
    from hub.world.language import language_needs

    keys = {
        m.key: ctx.person_ids[m.cpr] for f in ctx.world.families for m in f.members if m.cpr in ctx.person_ids
    }
    rows = [
        {
            "person_id": keys[n.person_key],
            "language": n.language,
            "interpreter_needed": n.interpreter_needed,
            "interpreter_for": list(n.interpreter_for),
            "updated_by": None,
            "updated_at": _at(ctx.today),
        }
        for family in ctx.world.families
        for n in language_needs(family, ctx.today)
        if n.person_key in keys
    ]
    if rows:
        await session.execute(insert(LanguageNeed), rows)
