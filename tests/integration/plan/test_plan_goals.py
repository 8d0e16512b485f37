"""Goals, progress notes and actions: happy paths, every error, versioning and history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from hub.domain import Department
from hub.errors import BadUserInput, Conflict, Forbidden, NotFound
from hub.plan import goals, history, repository, team
from hub.plan.domain import ActionStatus, GoalStatus
from hub.plan.goals import ActionPatch, ActionSpec
from hub.plan.models import Plan
from tests.integration.plan.plan_world import PlanWorld, actor


async def _goal(
    w: PlanWorld, *, version: int = 0, person_id: str | None = None, title: str = "Fælles hverdag"
):
    return await goals.create_goal(
        w.sessions,
        actor("coord"),
        family_id="F1",
        expected_version=version,
        title=title,
        departments=[Department.SOF, Department.BUF],
        target_date=date(2027, 6, 1),
        person_id=person_id,
    )


async def test_create_goal_starts_the_plan_and_bumps_the_version(plan_world: PlanWorld) -> None:
    goal = await _goal(plan_world)
    assert goal.title == "Fælles hverdag"
    assert goal.status is GoalStatus.PLANNED
    assert goal.departments == (Department.SOF, Department.BUF)
    assert goal.person is None
    assert goal.plan_version == 1
    member_goal = await _goal(plan_world, version=1, person_id="P-MOR", title="Job")
    assert member_goal.person is not None
    assert member_goal.person.person_id == "P-MOR"
    assert member_goal.plan_version == 2


async def test_update_goal_changes_fields_and_records_a_diff(plan_world: PlanWorld) -> None:
    goal = await _goal(plan_world)
    updated = await goals.update_goal(
        plan_world.sessions,
        actor("sof"),
        goal_id=goal.id,
        expected_version=1,
        status=GoalStatus.IN_PROGRESS,
        target_date=None,
    )
    assert updated.status is GoalStatus.IN_PROGRESS
    assert updated.target_date is None
    assert updated.plan_version == 2
    async with plan_world.sessions() as s:
        entries = await history.recent(s, "F1", 10)
    assert [e.change for e in entries] == ["UPDATED", "CREATED"]
    assert entries[0].diff == {"target_date": ["2027-06-01", None], "status": ["PLANNED", "IN_PROGRESS"]}
    assert entries[0].actor is not None
    assert entries[0].actor.user_id == "U-sof"
    assert "PLANNED → IN_PROGRESS" in entries[0].summary
    assert entries[0].plan_version == 2


async def test_stale_version_is_a_conflict_with_the_current_version(plan_world: PlanWorld) -> None:
    goal = await _goal(plan_world)
    with pytest.raises(Conflict) as caught:
        await goals.update_goal(
            plan_world.sessions, actor("sof"), goal_id=goal.id, expected_version=0, title="X"
        )
    assert caught.value.extensions == {"code": "CONFLICT", "currentVersion": 1}
    with pytest.raises(Conflict):
        await _goal(plan_world, version=5)
    async with plan_world.sessions() as s:
        assert await s.scalar(select(Plan.version).where(Plan.family_id == "F1")) == 1
        assert len(await history.recent(s, "F1", 10)) == 1  # the conflicts changed nothing


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"expected_version": -1}, "expectedVersion"),
        ({"person_id": "P-ANDEN"}, "memberId"),
    ],
)
async def test_create_goal_bad_input_names_the_field(plan_world: PlanWorld, kwargs: dict, field: str) -> None:
    args = {"family_id": "F1", "expected_version": 0, "title": "Mål"} | kwargs
    with pytest.raises(BadUserInput) as caught:
        await goals.create_goal(plan_world.sessions, actor("coord"), **args)
    assert caught.value.extensions["field"] == field


async def test_update_goal_with_nothing_to_change_is_bad_input(plan_world: PlanWorld) -> None:
    goal = await _goal(plan_world)
    with pytest.raises(BadUserInput) as caught:
        await goals.update_goal(plan_world.sessions, actor("coord"), goal_id=goal.id, expected_version=1)
    assert caught.value.extensions["field"] == "input"


@pytest.mark.parametrize(
    ("username", "error", "goal_error"),
    [
        ("kff", NotFound, NotFound),  # a core-team worker on another team: the family does not exist for them
        ("anden", NotFound, NotFound),  # a citizen of another family
        ("admin", NotFound, NotFound),
        ("mor", Forbidden, Forbidden),  # the family itself reads its plan but does not edit it
        # A caseworker with a member on the caseload sees the family, not its plan: not its goals either.
        ("buf-cw", Forbidden, NotFound),
    ],
)
async def test_only_the_core_team_changes_the_plan(
    plan_world: PlanWorld, username: str, error: type, goal_error: type
) -> None:
    with pytest.raises(error):
        await goals.create_goal(
            plan_world.sessions, actor(username), family_id="F1", expected_version=0, title="Mål"
        )
    goal = await _goal(plan_world)
    with pytest.raises(goal_error):
        await goals.add_progress_note(plan_world.sessions, actor(username), goal_id=goal.id, note="Hej")


async def test_unknown_goal_or_family_is_not_found(plan_world: PlanWorld) -> None:
    with pytest.raises(NotFound) as caught:
        await goals.update_goal(
            plan_world.sessions, actor("coord"), goal_id="nope", expected_version=0, title="X"
        )
    assert caught.value.extensions["field"] == "goalId"
    with pytest.raises(NotFound):
        await goals.create_goal(
            plan_world.sessions, actor("coord"), family_id="F404", expected_version=0, title="X"
        )


async def test_ended_assignment_ends_the_right_to_edit(plan_world: PlanWorld) -> None:
    later = datetime(2027, 1, 1, 9, tzinfo=UTC)
    await team.unassign_team_member(
        plan_world.sessions, actor("coord"), assignment_id="TA-sof", until=date(2026, 12, 1)
    )
    with pytest.raises(NotFound):
        await goals.create_goal(
            plan_world.sessions, actor("sof", later), family_id="F1", expected_version=1, title="X"
        )


async def test_progress_notes_are_appends_with_author_and_time(plan_world: PlanWorld) -> None:
    goal = await _goal(plan_world)
    noted = await goals.add_progress_note(
        plan_world.sessions, actor("bif"), goal_id=goal.id, note=" Godt i gang "
    )
    assert [(n.text, n.author.user_id if n.author else None) for n in noted.notes] == [
        ("Godt i gang", "U-bif")
    ]
    assert noted.plan_version == 1  # an append does not move the version
    with pytest.raises(BadUserInput) as caught:
        await goals.add_progress_note(plan_world.sessions, actor("bif"), goal_id=goal.id, note="")
    assert caught.value.extensions["field"] == "text"


async def test_actions_under_goals(plan_world: PlanWorld) -> None:
    goal = await _goal(plan_world)
    action = await goals.create_action(
        plan_world.sessions,
        actor("bif"),
        goal_id=goal.id,
        expected_version=1,
        spec=ActionSpec(
            department=Department.BIF, kind="Mentor", responsible_user_id="U-bif", starts_on=date(2026, 11, 2)
        ),
    )
    assert action.kind == "Mentor"
    assert action.responsible is not None
    assert action.responsible.user_id == "U-bif"
    assert action.plan_version == 2
    changed = await goals.update_action(
        plan_world.sessions,
        actor("sof"),
        action_id=action.id,
        expected_version=2,
        patch=ActionPatch(status=ActionStatus.ACTIVE, ends_on=date(2027, 5, 1)),
    )
    assert changed.status is ActionStatus.ACTIVE
    assert changed.ends_on == date(2027, 5, 1)
    async with plan_world.sessions() as s:
        plan = (await repository.plans(s, ["F1"]))["F1"]
    # The action's department joins the goal's departments involved.
    assert plan.goals[0].departments == (Department.SOF, Department.BIF, Department.BUF)
    assert [a.id for a in plan.goals[0].actions] == [action.id]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (ActionSpec(department=Department.BIF, kind=""), "kind"),
        (
            ActionSpec(
                department=Department.BIF, kind="x", starts_on=date(2027, 1, 2), ends_on=date(2027, 1, 1)
            ),
            "endsOn",
        ),
        (ActionSpec(department=Department.BIF, kind="x", responsible_user_id="U-mor"), "responsibleUserId"),
        (
            ActionSpec(department=Department.BIF, kind="x", responsible_user_id="U-nobody"),
            "responsibleUserId",
        ),
    ],
)
async def test_action_bad_input(plan_world: PlanWorld, spec: ActionSpec, field: str) -> None:
    goal = await _goal(plan_world)
    with pytest.raises(BadUserInput) as caught:
        await goals.create_action(
            plan_world.sessions, actor("bif"), goal_id=goal.id, expected_version=1, spec=spec
        )
    assert caught.value.extensions["field"] == field


async def test_action_errors(plan_world: PlanWorld) -> None:
    goal = await _goal(plan_world)
    spec = ActionSpec(department=Department.KFF, kind="FritidsGuide")
    with pytest.raises(Conflict):
        await goals.create_action(
            plan_world.sessions, actor("bif"), goal_id=goal.id, expected_version=0, spec=spec
        )
    with pytest.raises(NotFound):
        await goals.update_action(
            plan_world.sessions,
            actor("bif"),
            action_id="nope",
            expected_version=1,
            patch=ActionPatch(kind="x"),
        )
    action = await goals.create_action(
        plan_world.sessions, actor("bif"), goal_id=goal.id, expected_version=1, spec=spec
    )
    with pytest.raises(BadUserInput):
        await goals.update_action(
            plan_world.sessions, actor("bif"), action_id=action.id, expected_version=2, patch=ActionPatch()
        )
    with pytest.raises(Forbidden):
        await goals.update_action(
            plan_world.sessions,
            actor("mor"),
            action_id=action.id,
            expected_version=2,
            patch=ActionPatch(kind="y"),
        )
    with pytest.raises(BadUserInput) as caught:
        await goals.create_action(
            plan_world.sessions,
            actor("bif"),
            goal_id=goal.id,
            expected_version=2,
            spec=spec,
            meeting_id="nope",
        )
    assert caught.value.extensions["field"] == "meetingId"


async def test_live_notification_after_commit_only(plan_world: PlanWorld) -> None:
    sent: list[dict] = []

    async def notify(messages) -> None:
        sent.extend(messages)

    who = actor("coord")
    live = type(who)(principal=who.principal, now=who.now, request_id=who.request_id, notify=notify)
    goal = await goals.create_goal(plan_world.sessions, live, family_id="F1", expected_version=0, title="Mål")
    assert sent == [
        {
            "type": "PLAN_EDIT",
            "familyId": "F1",
            "personId": None,
            "summary": "New family goal: Mål",
            "occurredAt": "2026-11-01T10:00:00+00:00",
        }
    ]
    with pytest.raises(Conflict):
        await goals.update_goal(plan_world.sessions, live, goal_id=goal.id, expected_version=0, title="X")
    assert len(sent) == 1  # a rolled-back edit announces nothing


async def test_an_update_that_changes_nothing_keeps_the_version_and_the_history(
    plan_world: PlanWorld,
) -> None:
    goal = await _goal(plan_world)  # version 1
    same = await goals.update_goal(
        plan_world.sessions, actor("sof"), goal_id=goal.id, expected_version=1, status=GoalStatus.PLANNED
    )
    assert same.plan_version == 1
    again = await goals.update_goal(
        plan_world.sessions, actor("sof"), goal_id=goal.id, expected_version=1, title=goal.title
    )
    assert again.plan_version == 1
    async with plan_world.sessions() as s:
        assert await s.scalar(select(Plan.version).where(Plan.family_id == "F1")) == 1
        entries = await history.recent(s, "F1", 10)
    assert [e.change for e in entries] == ["CREATED"]
    # A stale version is still a conflict, even for an update that would change nothing.
    with pytest.raises(Conflict):
        await goals.update_goal(
            plan_world.sessions, actor("sof"), goal_id=goal.id, expected_version=0, status=GoalStatus.PLANNED
        )
    changed = await goals.update_goal(
        plan_world.sessions, actor("sof"), goal_id=goal.id, expected_version=1, status=GoalStatus.IN_PROGRESS
    )
    assert changed.plan_version == 2


async def test_an_action_update_that_changes_nothing_keeps_the_version(plan_world: PlanWorld) -> None:
    goal = await _goal(plan_world)
    action = await goals.create_action(
        plan_world.sessions,
        actor("bif"),
        goal_id=goal.id,
        expected_version=1,
        spec=ActionSpec(department=Department.BIF, kind="Mentor", starts_on=date(2026, 11, 2)),
    )
    assert action.plan_version == 2
    same = await goals.update_action(
        plan_world.sessions,
        actor("sof"),
        action_id=action.id,
        expected_version=2,
        patch=ActionPatch(kind="Mentor", starts_on=date(2026, 11, 2)),
    )
    assert same.plan_version == 2
    async with plan_world.sessions() as s:
        assert await s.scalar(select(Plan.version).where(Plan.family_id == "F1")) == 2
        assert [e.change for e in await history.recent(s, "F1", 10)] == ["CREATED", "CREATED"]
