"""Batched reads of plans, core teams, meetings and measurements, by family (or person) ids.

Each function costs a fixed number of queries whatever the number of families, so per-request DataLoaders can
call it once for a whole page of families. No access decisions here: callers filter by `hub.plan.access`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.cpr import age_on
from hub.domain import Department
from hub.persistence.models import Membership, Person, TeamAssignment, TeamRole, User
from hub.plan.domain import Instrument, SdqRespondent, signals_risk
from hub.plan.models import (
    Goal,
    Measurement,
    Meeting,
    MeetingActionChange,
    MeetingParticipant,
    Plan,
    PlanAction,
    ProgressNote,
)
from hub.plan.views import (
    ActionView,
    CoreTeamView,
    GoalView,
    MeasurementView,
    MeetingActionView,
    MeetingView,
    MembershipView,
    NoteView,
    ParticipantView,
    PersonRef,
    PlanView,
    TeamMemberView,
    WorkerView,
)


async def workers(session: AsyncSession, user_ids: Iterable[str | None]) -> dict[str, WorkerView]:
    ids = sorted({u for u in user_ids if u})
    if not ids:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(ids)))
    return {
        u.id: WorkerView(
            user_id=u.id, display_name=u.display_name, role=u.role, department=u.department, unit=u.unit
        )
        for u in rows
    }


async def persons(session: AsyncSession, person_ids: Iterable[str | None]) -> dict[str, PersonRef]:
    ids = sorted({p for p in person_ids if p})
    if not ids:
        return {}
    rows = await session.execute(
        select(Person.id, Person.first_name, Person.last_name, Person.birth_date).where(Person.id.in_(ids))
    )
    return {pid: PersonRef(pid, first, last, born) for pid, first, last, born in rows.all()}


async def current_member_ids(session: AsyncSession, family_ids: Collection[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {fid: set() for fid in family_ids}
    rows = await session.execute(
        select(Membership.family_id, Membership.person_id).where(
            Membership.family_id.in_(list(family_ids)), Membership.left_on.is_(None)
        )
    )
    for fid, pid in rows.all():
        out.setdefault(fid, set()).add(pid)
    return out


async def plans(session: AsyncSession, family_ids: Collection[str]) -> dict[str, PlanView]:
    """Each family's plan with goals (family goals first, then by member and creation), actions and notes."""
    ids = list(dict.fromkeys(family_ids))
    if not ids:
        return {}
    plan_rows = {p.family_id: p for p in await session.scalars(select(Plan).where(Plan.family_id.in_(ids)))}
    goals = list(
        await session.scalars(
            select(Goal).where(Goal.family_id.in_(ids)).order_by(Goal.family_id, Goal.created_at, Goal.id)
        )
    )
    goal_ids = [g.id for g in goals]
    notes = (
        list(
            await session.scalars(
                select(ProgressNote)
                .where(ProgressNote.goal_id.in_(goal_ids))
                .order_by(ProgressNote.written_at, ProgressNote.id)
            )
        )
        if goal_ids
        else []
    )
    actions = list(
        await session.scalars(
            select(PlanAction)
            .where(PlanAction.family_id.in_(ids))
            .order_by(PlanAction.created_at, PlanAction.id)
        )
    )
    members = await current_member_ids(session, ids)
    who = await workers(
        session,
        [
            *(n.author_user_id for n in notes),
            *(a.responsible_user_id for a in actions),
            *(g.updated_by for g in goals),
        ]
        + [p.updated_by for p in plan_rows.values()],
    )
    people = await persons(session, (g.person_id for g in goals))
    notes_by_goal: dict[str, list[NoteView]] = {}
    for n in notes:
        notes_by_goal.setdefault(n.goal_id, []).append(
            NoteView(n.id, n.goal_id, who.get(n.author_user_id or ""), n.written_at, n.text)
        )
    versions = {fid: row.version for fid, row in plan_rows.items()}
    actions_by_goal: dict[str, list[ActionView]] = {}
    for a in actions:
        actions_by_goal.setdefault(a.goal_id, []).append(action_view(a, who, versions.get(a.family_id, 0)))
    goals_by_family: dict[str, list[GoalView]] = {fid: [] for fid in ids}
    for g in goals:
        goals_by_family[g.family_id].append(
            GoalView(
                id=g.id,
                family_id=g.family_id,
                person=people.get(g.person_id) if g.person_id else None,
                person_is_member=g.person_id is None or g.person_id in members.get(g.family_id, set()),
                title=g.title,
                description=g.description,
                departments=tuple(Department(d) for d in g.departments),
                target_date=g.target_date,
                status=g.status,
                notes=tuple(notes_by_goal.get(g.id, ())),
                actions=tuple(actions_by_goal.get(g.id, ())),
                created_at=g.created_at,
                updated_at=g.updated_at,
                updated_by=who.get(g.updated_by or ""),
                plan_version=versions.get(g.family_id, 0),
            )
        )
    out: dict[str, PlanView] = {}
    for fid in ids:
        row = plan_rows.get(fid)
        ordered = sorted(goals_by_family[fid], key=lambda g: (g.person is not None, g.created_at, g.id))
        out[fid] = PlanView(
            family_id=fid,
            version=row.version if row else 0,
            updated_at=row.updated_at if row else None,
            updated_by=who.get(row.updated_by or "") if row else None,
            goals=tuple(ordered),
        )
    return out


def action_view(a: PlanAction, who: dict[str, WorkerView], plan_version: int) -> ActionView:
    return ActionView(
        id=a.id,
        family_id=a.family_id,
        goal_id=a.goal_id,
        department=a.department,
        kind=a.kind,
        description=a.description,
        responsible=who.get(a.responsible_user_id or ""),
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        status=a.status,
        created_at=a.created_at,
        updated_at=a.updated_at,
        plan_version=plan_version,
    )


async def teams(session: AsyncSession, family_ids: Collection[str]) -> dict[str, CoreTeamView]:
    ids = list(dict.fromkeys(family_ids))
    rows = list(
        await session.scalars(
            select(TeamAssignment)
            # A closed family's record holder is not on its team (hub.persistence.models.TeamRole.RECORD).
            .where(TeamAssignment.family_id.in_(ids), TeamAssignment.team_role != TeamRole.RECORD)
            .order_by(TeamAssignment.since, TeamAssignment.id)
        )
    )
    who = await workers(session, (r.user_id for r in rows))
    grouped: dict[str, list[TeamMemberView]] = {fid: [] for fid in ids}
    for r in rows:
        worker = who.get(r.user_id)
        if worker is not None:
            grouped[r.family_id].append(
                TeamMemberView(r.id, r.family_id, worker, r.team_role, r.since, r.until)
            )
    return {fid: CoreTeamView(fid, tuple(members)) for fid, members in grouped.items()}


async def meetings(session: AsyncSession, family_ids: Collection[str]) -> dict[str, list[MeetingView]]:
    """Each family's meetings, oldest first."""
    ids = list(dict.fromkeys(family_ids))
    rows = list(
        await session.scalars(
            select(Meeting).where(Meeting.family_id.in_(ids)).order_by(Meeting.scheduled_at, Meeting.id)
        )
    )
    views = await meeting_views(session, rows)
    out: dict[str, list[MeetingView]] = {fid: [] for fid in ids}
    for view in views:
        out[view.family_id].append(view)
    return out


async def meeting_views(session: AsyncSession, rows: list[Meeting]) -> list[MeetingView]:
    meeting_ids = [m.id for m in rows]
    if not meeting_ids:
        return []
    parts = list(
        await session.scalars(
            select(MeetingParticipant)
            .where(MeetingParticipant.meeting_id.in_(meeting_ids))
            .order_by(MeetingParticipant.id)
        )
    )
    changes = list(
        await session.scalars(
            select(MeetingActionChange)
            .where(MeetingActionChange.meeting_id.in_(meeting_ids))
            .order_by(MeetingActionChange.id)
        )
    )
    who = await workers(
        session,
        [p.user_id for p in parts] + [m.chair_user_id for m in rows] + [m.minutes_recorded_by for m in rows],
    )
    people = await persons(session, (p.person_id for p in parts))
    parts_by: dict[str, list[ParticipantView]] = {}
    for p in parts:
        parts_by.setdefault(p.meeting_id, []).append(
            ParticipantView(people.get(p.person_id or ""), who.get(p.user_id or ""))
        )
    family_ids = sorted({m.family_id for m in rows})
    version_rows = await session.execute(
        select(Plan.family_id, Plan.version).where(Plan.family_id.in_(family_ids))
    )
    versions: dict[str, int] = {str(fid): int(version) for fid, version in version_rows.all()}
    changes_by: dict[str, list[MeetingActionView]] = {}
    for c in changes:
        changes_by.setdefault(c.meeting_id, []).append(MeetingActionView(c.action_id, c.change))
    return [
        MeetingView(
            id=m.id,
            family_id=m.family_id,
            scheduled_at=m.scheduled_at,
            location=m.location,
            status=m.status,
            agenda=tuple(m.agenda),
            chair=who.get(m.chair_user_id or ""),
            # Family members first (ordered by name), then workers, so the minutes read the same every time.
            participants=tuple(
                sorted(
                    parts_by.get(m.id, ()),
                    key=lambda p: (
                        p.person is None,
                        p.person.first_name if p.person else (p.worker.display_name if p.worker else ""),
                    ),
                )
            ),
            minutes=m.minutes,
            cancelled_at=m.cancelled_at,
            cancel_reason=m.cancel_reason,
            decisions=tuple(m.decisions),
            next_meeting_at=m.next_meeting_at,
            action_changes=tuple(changes_by.get(m.id, ())),
            minutes_recorded_by=who.get(m.minutes_recorded_by or ""),
            minutes_recorded_at=m.minutes_recorded_at,
            plan_version=versions.get(m.family_id, 0),
        )
        for m in rows
    ]


async def measurements(
    session: AsyncSession, family_ids: Collection[str]
) -> dict[str, list[MeasurementView]]:
    """Each family's measurements, by member then date (oldest first)."""
    ids = list(dict.fromkeys(family_ids))
    rows = list(
        await session.scalars(
            select(Measurement)
            .where(Measurement.family_id.in_(ids))
            .order_by(Measurement.person_id, Measurement.measured_on, Measurement.recorded_at, Measurement.id)
        )
    )
    who = await workers(session, (r.recorded_by for r in rows))
    people = await persons(session, (r.person_id for r in rows))
    out: dict[str, list[MeasurementView]] = {fid: [] for fid in ids}
    for r in rows:
        out[r.family_id].append(measurement_view(r, people[r.person_id], who))
    return out


def measurement_view(r: Measurement, person: PersonRef, who: dict[str, WorkerView]) -> MeasurementView:
    respondent = SdqRespondent(r.respondent) if r.respondent else None
    age = age_on(person.birth_date, r.measured_on)
    return MeasurementView(
        id=r.id,
        family_id=r.family_id,
        person=person,
        instrument=r.instrument,
        score=r.score,
        respondent=r.respondent,
        subscales=dict(r.subscales) if r.subscales else None,
        measured_on=r.measured_on,
        recorded_by=who.get(r.recorded_by or ""),
        recorded_at=r.recorded_at,
        signals_risk=signals_risk(Instrument(r.instrument), r.score, age, respondent),
        note=r.note,
        self_reported=r.self_reported_by is not None,
    )


async def memberships(
    session: AsyncSession, family_ids: Collection[str], *, include_former: bool = True
) -> dict[str, list[MembershipView]]:
    ids = list(dict.fromkeys(family_ids))
    stmt = (
        select(Membership).where(Membership.family_id.in_(ids)).order_by(Membership.joined_on, Membership.id)
    )
    if not include_former:
        stmt = stmt.where(Membership.left_on.is_(None))
    rows = list(await session.scalars(stmt))
    people = await persons(session, (r.person_id for r in rows))
    out: dict[str, list[MembershipView]] = {fid: [] for fid in ids}
    for r in rows:
        out[r.family_id].append(
            MembershipView(
                r.id, r.family_id, people[r.person_id], r.member_role, r.joined_on, r.left_on, r.leave_reason
            )
        )
    return out


def age_of(person: PersonRef, on: date) -> int:
    return age_on(person.birth_date, on)
