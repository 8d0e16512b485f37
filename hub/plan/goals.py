"""Changes to the family action plan's goals, progress notes and actions (indsatser).

Goal and action edits are versioned (the client sends the plan version it saw); progress notes are appends.
Every change writes a history entry and an audit event in its transaction (see hub.plan.edits).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.access.facts import current
from hub.access.visibility import ACTION, GOAL
from hub.domain import Department, Role
from hub.errors import BadUserInput
from hub.persistence.models import LIVE_TEAM_ROLES, CaseloadEntry, Membership, TeamAssignment, User
from hub.plan import repository
from hub.plan.domain import ActionStatus, ChangeKind, Entity, GoalStatus, may_be_responsible
from hub.plan.edits import UNSET, Edit, Unset, open_edit, owner_of, require_expected, text
from hub.plan.history import Actor, diff_of
from hub.plan.models import Goal, Meeting, MeetingActionChange, PlanAction, ProgressNote
from hub.plan.views import ActionView, GoalView

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
NOTE_MAX = 5_000
KIND_MAX = 120
WORKER_ROLES = (Role.COORDINATOR, Role.CORE_TEAM, Role.CASEWORKER)


@dataclass(frozen=True, slots=True)
class ActionSpec:
    department: Department
    kind: str
    description: str = ""
    responsible_user_id: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: ActionStatus = ActionStatus.PLANNED


@dataclass(frozen=True, slots=True)
class ActionPatch:
    department: Department | Unset = UNSET
    kind: str | Unset = UNSET
    description: str | Unset = UNSET
    responsible_user_id: str | Unset | None = UNSET
    starts_on: date | Unset | None = UNSET
    ends_on: date | Unset | None = UNSET
    status: ActionStatus | Unset = UNSET


def _goal_fields(g: Goal) -> dict[str, Any]:
    return {
        "title": g.title,
        "description": g.description,
        "departments": list(g.departments),
        "target_date": g.target_date,
        "status": g.status,
    }


def _action_fields(a: PlanAction) -> dict[str, Any]:
    return {
        "department": a.department,
        "kind": a.kind,
        "description": a.description,
        "responsible_user_id": a.responsible_user_id,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "status": a.status,
    }


def _departments(values: Sequence[Department]) -> list[str]:
    return [d.value for d in Department if d in set(values)]


async def goal_view(session: AsyncSession, family_id: str, goal_id: str) -> GoalView:
    plan = (await repository.plans(session, [family_id]))[family_id]
    return next(g for g in plan.goals if g.id == goal_id)


async def _current_member(session: AsyncSession, family_id: str, person_id: str, field: str) -> None:
    found = await session.scalar(
        select(Membership.id).where(
            Membership.family_id == family_id, Membership.person_id == person_id, Membership.left_on.is_(None)
        )
    )
    if found is None:
        raise BadUserInput("not a current member of this family", field=field)


async def require_worker(session: AsyncSession, user_id: str, field: str) -> User:
    user = await session.get(User, user_id)
    if user is None or not user.active or user.role not in WORKER_ROLES:
        raise BadUserInput("not an active worker", field=field)
    return user


async def require_responsible(
    edit: Edit, user_id: str, department: Department, person_id: str | None
) -> None:
    """The responsible worker is on the family's team, or the department's caseworker for the member."""
    user = await require_worker(edit.session, user_id, "responsibleUserId")
    on_team = await edit.session.scalar(
        select(TeamAssignment.id)
        .where(
            TeamAssignment.family_id == edit.family_id,
            TeamAssignment.user_id == user_id,
            TeamAssignment.team_role.in_(sorted(LIVE_TEAM_ROLES)),
            current(TeamAssignment.since, TeamAssignment.until, edit.actor.today),
        )
        .limit(1)
    )
    persons = (
        [person_id]
        if person_id is not None
        else list(
            await edit.session.scalars(
                select(Membership.person_id).where(
                    Membership.family_id == edit.family_id, Membership.left_on.is_(None)
                )
            )
        )
    )
    caseload = frozenset(
        await edit.session.scalars(
            select(CaseloadEntry.department).where(
                CaseloadEntry.user_id == user_id, CaseloadEntry.person_id.in_(persons)
            )
        )
    )
    if not may_be_responsible(
        role=user.role,
        user_department=user.department,
        on_team=on_team is not None,
        caseload_departments=caseload,
        action_department=department,
    ):
        raise BadUserInput(
            "the responsible worker must be on the family's core team, or the department's caseworker for "
            "the member",
            field="responsibleUserId",
        )


async def _goal(edit: Edit, goal_id: str) -> Goal:
    goal = await edit.session.get(Goal, goal_id)
    if goal is None or goal.family_id != edit.family_id:
        raise GOAL.error()
    return goal


async def create_goal(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    family_id: str,
    expected_version: int,
    title: str,
    description: str = "",
    departments: Sequence[Department] = (),
    target_date: date | None = None,
    status: GoalStatus = GoalStatus.PLANNED,
    person_id: str | None = None,
) -> GoalView:
    expected = require_expected(expected_version)
    clean_title = text(title, "title", max_len=TITLE_MAX)
    clean_description = text(description, "description", max_len=DESCRIPTION_MAX, required=False)
    async with open_edit(sessions, actor, family_id, expected_version=expected) as edit:
        if person_id is not None:
            await _current_member(edit.session, family_id, person_id, "memberId")
        edit.require_current()
        goal = Goal(
            family_id=family_id,
            person_id=person_id,
            title=clean_title,
            description=clean_description,
            departments=_departments(departments),
            target_date=target_date,
            status=status,
            created_at=actor.now,
            created_by=actor.principal.user_id,
            updated_at=actor.now,
            updated_by=actor.principal.user_id,
        )
        edit.session.add(goal)
        await edit.session.flush()
        scope = "member goal" if person_id else "family goal"
        await edit.log(
            entity=Entity.GOAL,
            entity_id=goal.id,
            change=ChangeKind.CREATED,
            summary=f"New {scope}: {clean_title}",
            diff=diff_of(None, _goal_fields(goal)),
            person_id=person_id,
        )
        return await goal_view(edit.session, family_id, goal.id)


async def update_goal(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    goal_id: str,
    expected_version: int,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    departments: Sequence[Department] | Unset = UNSET,
    target_date: date | Unset | None = UNSET,
    status: GoalStatus | Unset = UNSET,
) -> GoalView:
    expected = require_expected(expected_version)
    changes: dict[str, Any] = {}
    if not isinstance(title, Unset):
        changes["title"] = text(title, "title", max_len=TITLE_MAX)
    if not isinstance(description, Unset):
        changes["description"] = text(description, "description", max_len=DESCRIPTION_MAX, required=False)
    if not isinstance(departments, Unset):
        changes["departments"] = _departments(departments)
    if not isinstance(target_date, Unset):
        changes["target_date"] = target_date
    if not isinstance(status, Unset):
        changes["status"] = status
    if not changes:
        raise BadUserInput("nothing to change", field="input")
    owner = await owner_of(sessions, Goal, goal_id, GOAL)
    family_id = owner.family_id
    async with open_edit(
        sessions, actor, family_id, expected_version=expected, hidden_as=GOAL, person_id=owner.person_id
    ) as edit:
        changed = await change_goal(edit, goal_id, changes)
        if changed is None:
            # Nothing changed: no new version, no history entry, no live update.
            await edit.unchanged()
        return await goal_view(edit.session, family_id, goal_id)


async def change_goal(edit: Edit, goal_id: str, changes: dict[str, Any]) -> Goal | None:
    """Apply validated `changes` to a goal inside an open, version-checked edit (updateGoal, and the goal
    changes agreed at a live meeting); None when every field already had its value (nothing logged)."""
    goal = await _goal(edit, goal_id)
    edit.require_current()
    before = _goal_fields(goal)
    for key, value in changes.items():
        setattr(goal, key, value)
    diff = diff_of(before, _goal_fields(goal))
    if not diff:
        return None
    goal.updated_at, goal.updated_by = edit.actor.now, edit.actor.principal.user_id
    status_change = diff.get("status")
    summary = (
        f"Goal {goal.title}: {status_change[0]} → {status_change[1]}"
        if isinstance(status_change, list)
        else f"Goal updated: {goal.title}"
    )
    await edit.log(
        entity=Entity.GOAL,
        entity_id=goal.id,
        change=ChangeKind.UPDATED,
        summary=summary,
        diff=diff,
        person_id=goal.person_id,
    )
    return goal


async def add_progress_note(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, *, goal_id: str, note: str
) -> GoalView:
    clean = text(note, "text", max_len=NOTE_MAX)
    owner = await owner_of(sessions, Goal, goal_id, GOAL)
    family_id = owner.family_id
    async with open_edit(sessions, actor, family_id, hidden_as=GOAL, person_id=owner.person_id) as edit:
        goal = await _goal(edit, goal_id)
        row = ProgressNote(
            goal_id=goal.id, author_user_id=actor.principal.user_id, written_at=actor.now, text=clean
        )
        edit.session.add(row)
        await edit.session.flush()
        await edit.log(
            entity=Entity.PROGRESS_NOTE,
            entity_id=row.id,
            change=ChangeKind.CREATED,
            summary=f"Progress note on goal: {goal.title}",
            diff={"goal_id": goal.id, "text": "set"},
            person_id=goal.person_id,
        )
        return await goal_view(edit.session, family_id, goal.id)


async def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise BadUserInput("an action cannot end before it starts", field="endsOn")


async def _link_meeting(edit: Edit, meeting_id: str | None, action_id: str, change: ChangeKind) -> None:
    if meeting_id is None:
        return
    edit.session.add(MeetingActionChange(meeting_id=meeting_id, action_id=action_id, change=change.value))


async def require_meeting(edit: Edit, meeting_id: str | None) -> None:
    if meeting_id is None:
        return
    family_id = await edit.session.scalar(select(Meeting.family_id).where(Meeting.id == meeting_id))
    if family_id != edit.family_id:
        raise BadUserInput("no such meeting in this family", field="meetingId")


async def _widen_goal(edit: Edit, goal: Goal, department: Department) -> None:
    # An action from a department makes that department one of the goal's departments involved.
    if department.value not in goal.departments:
        goal.departments = _departments([*(Department(d) for d in goal.departments), department])


async def add_action(
    edit: Edit, goal_id: str, spec: ActionSpec, *, meeting_id: str | None = None
) -> PlanAction:
    """Create an action inside an open, version-checked edit (used by createAction and by meeting minutes)."""
    goal = await _goal(edit, goal_id)
    kind = text(spec.kind, "kind", max_len=KIND_MAX)
    description = text(spec.description, "description", max_len=DESCRIPTION_MAX, required=False)
    await _check_dates(spec.starts_on, spec.ends_on)
    if spec.responsible_user_id is not None:
        await require_responsible(edit, spec.responsible_user_id, spec.department, goal.person_id)
    await require_meeting(edit, meeting_id)
    edit.require_current()
    now, who = edit.actor.now, edit.actor.principal.user_id
    action = PlanAction(
        family_id=edit.family_id,
        goal_id=goal.id,
        department=spec.department,
        kind=kind,
        description=description,
        responsible_user_id=spec.responsible_user_id,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        status=spec.status,
        created_at=now,
        created_by=who,
        updated_at=now,
        updated_by=who,
    )
    edit.session.add(action)
    await _widen_goal(edit, goal, spec.department)
    await edit.session.flush()
    await _link_meeting(edit, meeting_id, action.id, ChangeKind.CREATED)
    await edit.log(
        entity=Entity.ACTION,
        entity_id=action.id,
        change=ChangeKind.CREATED,
        summary=f"New action ({spec.department.value}): {kind}",
        diff={**diff_of(None, _action_fields(action)), "goal_id": goal.id},
        person_id=goal.person_id,
    )
    return action


async def change_action(
    edit: Edit, action_id: str, patch: ActionPatch, *, meeting_id: str | None = None
) -> PlanAction:
    """Change an action inside an open, version-checked edit."""
    action = await edit.session.get(PlanAction, action_id)
    if action is None or action.family_id != edit.family_id:
        raise ACTION.error()
    changes: dict[str, Any] = {}
    if not isinstance(patch.department, Unset):
        changes["department"] = patch.department
    if not isinstance(patch.kind, Unset):
        changes["kind"] = text(patch.kind, "kind", max_len=KIND_MAX)
    if not isinstance(patch.description, Unset):
        changes["description"] = text(
            patch.description, "description", max_len=DESCRIPTION_MAX, required=False
        )
    if not isinstance(patch.responsible_user_id, Unset):
        if patch.responsible_user_id is not None:
            goal = await _goal(edit, action.goal_id)
            department = changes.get("department", action.department)
            await require_responsible(edit, patch.responsible_user_id, department, goal.person_id)
        changes["responsible_user_id"] = patch.responsible_user_id
    for key in ("starts_on", "ends_on", "status"):
        value = getattr(patch, key)
        if not isinstance(value, Unset):
            changes[key] = value
    if not changes:
        raise BadUserInput("nothing to change", field="input")
    await _check_dates(changes.get("starts_on", action.starts_on), changes.get("ends_on", action.ends_on))
    await require_meeting(edit, meeting_id)
    edit.require_current()
    before = _action_fields(action)
    for key, value in changes.items():
        setattr(action, key, value)
    diff = diff_of(before, _action_fields(action))
    if not diff and meeting_id is None:
        return action  # nothing changed: the caller keeps the version (update_action) or logs its own step
    action.updated_at, action.updated_by = edit.actor.now, edit.actor.principal.user_id
    goal = await _goal(edit, action.goal_id)
    await _widen_goal(edit, goal, action.department)
    await _link_meeting(edit, meeting_id, action.id, ChangeKind.UPDATED)
    status_change = diff.get("status")
    await edit.log(
        entity=Entity.ACTION,
        entity_id=action.id,
        change=ChangeKind.UPDATED,
        summary=(
            f"Action {action.kind}: {status_change[0]} → {status_change[1]}"
            if isinstance(status_change, list)
            else f"Action updated: {action.kind}"
        ),
        diff=diff,
        person_id=goal.person_id,
    )
    return action


async def _action_view(edit: Edit, action: PlanAction) -> ActionView:
    await edit.session.flush()
    who = await repository.workers(edit.session, [action.responsible_user_id])
    return repository.action_view(action, who, edit.version)


async def create_action(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    goal_id: str,
    expected_version: int,
    spec: ActionSpec,
    meeting_id: str | None = None,
) -> ActionView:
    expected = require_expected(expected_version)
    owner = await owner_of(sessions, Goal, goal_id, GOAL)
    async with open_edit(
        sessions, actor, owner.family_id, expected_version=expected, hidden_as=GOAL, person_id=owner.person_id
    ) as edit:
        action = await add_action(edit, goal_id, spec, meeting_id=meeting_id)
        return await _action_view(edit, action)


async def update_action(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    action_id: str,
    expected_version: int,
    patch: ActionPatch,
    meeting_id: str | None = None,
) -> ActionView:
    expected = require_expected(expected_version)
    owner = await owner_of(sessions, PlanAction, action_id, ACTION)
    async with open_edit(
        sessions,
        actor,
        owner.family_id,
        expected_version=expected,
        hidden_as=ACTION,
        person_id=owner.person_id,
    ) as edit:
        action = await change_action(edit, action_id, patch, meeting_id=meeting_id)
        if not edit.messages:
            await edit.unchanged()
        return await _action_view(edit, action)
