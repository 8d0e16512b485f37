"""Plan integrity (issue 23): who may be responsible for an action, moving and cancelling meetings, and minutes
whose next date moves the upcoming meeting instead of creating a second one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hub.domain import Department
from hub.errors import BadUserInput
from hub.plan import goals, meetings
from hub.plan.domain import MeetingStatus
from hub.plan.goals import ActionPatch, ActionSpec
from hub.plan.meetings import MinutesInput, Participants
from hub.plan.models import HistoryEntry, Meeting, Plan
from tests.integration.plan.plan_world import PlanWorld, actor

PAST = datetime(2026, 10, 20, 13, tzinfo=UTC)
FUTURE = datetime(2026, 12, 1, 13, tzinfo=UTC)
LATER = datetime(2026, 12, 15, 13, tzinfo=UTC)


async def _goal(w: PlanWorld, person_id: str | None) -> tuple[str, int]:
    version = (await repository_version(w)) or 0
    goal = await goals.create_goal(
        w.sessions, actor("coord"), family_id="F1", expected_version=version, title="Mål", person_id=person_id
    )
    return goal.id, goal.plan_version


async def repository_version(w: PlanWorld) -> int | None:
    async with w.sessions() as s:
        version: int | None = await s.scalar(select(Plan.version).where(Plan.family_id == "F1"))
        return version


@pytest.mark.parametrize(
    ("person_id", "department", "responsible", "allowed"),
    [
        ("P-BARN", Department.BIF, "U-bif", True),  # on the team (makkerpar)
        ("P-BARN", Department.SOF, "U-coord", True),  # the coordinator
        ("P-BARN", Department.KFF, "U-kff", False),  # a core-team worker, but not on this family's team
        ("P-BARN", Department.BUF, "U-buf-cw", True),  # BUF's caseworker for this child
        ("P-MOR", Department.BUF, "U-buf-cw", False),  # not this member's caseworker
        ("P-BARN", Department.SOF, "U-buf-cw", False),  # a BUF caseworker for a SOF action
        (None, Department.BUF, "U-buf-cw", True),  # a family goal: the caseworker of a current member
        (None, Department.BIF, "U-bif-cw", False),  # BIF caseworker of another family's member
    ],
)
async def test_the_responsible_worker_is_on_the_team_or_the_members_caseworker(
    plan_world: PlanWorld, person_id: str | None, department: Department, responsible: str, allowed: bool
) -> None:
    goal_id, version = await _goal(plan_world, person_id)
    spec = ActionSpec(department=department, kind="Indsats", responsible_user_id=responsible)
    if allowed:
        action = await goals.create_action(
            plan_world.sessions, actor("coord"), goal_id=goal_id, expected_version=version, spec=spec
        )
        assert action.responsible is not None
        assert action.responsible.user_id == responsible
        return
    with pytest.raises(BadUserInput) as caught:
        await goals.create_action(
            plan_world.sessions, actor("coord"), goal_id=goal_id, expected_version=version, spec=spec
        )
    assert caught.value.extensions["field"] == "responsibleUserId"


async def test_changing_the_responsible_worker_is_checked_too(plan_world: PlanWorld) -> None:
    goal_id, version = await _goal(plan_world, "P-MOR")
    action = await goals.create_action(
        plan_world.sessions,
        actor("coord"),
        goal_id=goal_id,
        expected_version=version,
        spec=ActionSpec(department=Department.SOF, kind="Samtaler"),
    )
    with pytest.raises(BadUserInput) as caught:
        await goals.update_action(
            plan_world.sessions,
            actor("coord"),
            action_id=action.id,
            expected_version=action.plan_version,
            patch=ActionPatch(responsible_user_id="U-kff"),
        )
    assert caught.value.extensions["field"] == "responsibleUserId"


async def _schedule(w: PlanWorld, when: datetime) -> str:
    view = await meetings.schedule_meeting(
        w.sessions,
        actor("coord"),
        family_id="F1",
        scheduled_at=when,
        participants=Participants(member_ids=["P-MOR"], worker_ids=["U-coord"]),
    )
    return view.id


async def _history(w: PlanWorld, entity_id: str) -> list[tuple[str, str]]:
    async with w.sessions() as s:
        rows = await s.scalars(
            select(HistoryEntry).where(HistoryEntry.entity_id == entity_id).order_by(HistoryEntry.occurred_at)
        )
        return [(r.change, r.summary) for r in rows]


async def test_a_meeting_can_be_moved_and_cancelled_with_a_reason_kept_in_history(
    plan_world: PlanWorld,
) -> None:
    meeting_id = await _schedule(plan_world, FUTURE)
    moved = await meetings.move_meeting(
        plan_world.sessions, actor("coord"), meeting_id=meeting_id, scheduled_at=LATER, reason="Mor er syg"
    )
    assert moved.scheduled_at == LATER
    cancelled = await meetings.cancel_meeting(
        plan_world.sessions, actor("sof"), meeting_id=meeting_id, reason="Familien er rejst"
    )
    assert cancelled.status is MeetingStatus.CANCELLED
    assert cancelled.cancel_reason == "Familien er rejst"
    history = await _history(plan_world, meeting_id)
    assert [c for c, _s in history] == ["SCHEDULED", "MOVED", "CANCELLED"]
    assert "Mor er syg" in history[1][1]
    with pytest.raises(BadUserInput):  # a cancelled meeting is not moved, cancelled or given minutes again
        await meetings.move_meeting(
            plan_world.sessions, actor("coord"), meeting_id=meeting_id, scheduled_at=FUTURE, reason="x"
        )
    with pytest.raises(BadUserInput) as empty:
        await meetings.cancel_meeting(
            plan_world.sessions, actor("coord"), meeting_id=await _schedule(plan_world, FUTURE), reason="  "
        )
    assert empty.value.extensions["field"] == "reason"


async def test_minutes_with_a_next_date_move_the_upcoming_meeting_instead_of_adding_one(
    plan_world: PlanWorld,
) -> None:
    held = await _schedule(plan_world, PAST)
    upcoming = await _schedule(plan_world, FUTURE)
    version = (await repository_version(plan_world)) or 0
    await meetings.record_minutes(
        plan_world.sessions,
        actor("coord"),
        meeting_id=held,
        expected_version=version,
        data=MinutesInput(minutes="Vi talte om skolen", next_meeting_at=LATER),
    )
    async with plan_world.sessions() as s:
        scheduled = list(
            await s.scalars(
                select(Meeting).where(Meeting.family_id == "F1", Meeting.status == MeetingStatus.SCHEDULED)
            )
        )
    assert [(m.id, m.scheduled_at) for m in scheduled] == [(upcoming, LATER)]
    assert [c for c, _s in await _history(plan_world, upcoming)] == ["SCHEDULED", "MOVED"]


async def test_team_changes_run_the_access_hooks(plan_world: PlanWorld) -> None:
    from hub.access.hooks import ACCESS_HOOKS, AccessChange, register_access_hook
    from hub.plan import team

    seen: list[AccessChange] = []

    async def hook(_session: object, change: AccessChange) -> None:
        seen.append(change)

    register_access_hook(hook)
    try:
        await team.assign_team_member(
            plan_world.sessions, actor("coord"), family_id="F1", user_id="U-kff", team_role="CORE_TEAM"
        )
        await team.unassign_team_member(plan_world.sessions, actor("coord"), assignment_id="TA-bif")
    finally:
        ACCESS_HOOKS.remove(hook)
    assert [(c.family_id, c.user_ids, c.reason) for c in seen] == [
        ("F1", frozenset({"U-kff"}), "team_assigned"),
        ("F1", frozenset({"U-bif"}), "team_unassigned"),
    ]
