"""Follow-up meetings: scheduling, minutes with actions and the next meeting, and their errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.domain import Department
from hub.errors import BadUserInput, Conflict, Forbidden, NotFound
from hub.plan import goals, meetings, repository
from hub.plan.domain import ActionStatus, MeetingStatus
from hub.plan.goals import ActionPatch, ActionSpec
from hub.plan.meetings import MinutesInput, Participants
from tests.integration.plan.plan_world import PlanWorld, actor

PAST = datetime(2026, 10, 20, 13, tzinfo=UTC)
FUTURE = datetime(2026, 12, 1, 13, tzinfo=UTC)


async def _meeting(w: PlanWorld, when: datetime = PAST):
    return await meetings.schedule_meeting(
        w.sessions,
        actor("coord"),
        family_id="F1",
        scheduled_at=when,
        location="Familiehuset",
        agenda=["Siden sidst", "Mål"],
        participants=Participants(member_ids=["P-MOR", "P-FAR"], worker_ids=["U-coord", "U-sof"]),
    )


async def test_schedule_meeting(plan_world: PlanWorld) -> None:
    meeting = await _meeting(plan_world, FUTURE)
    assert meeting.status is MeetingStatus.SCHEDULED
    assert meeting.agenda == ("Siden sidst", "Mål")
    assert meeting.chair is not None
    assert meeting.chair.user_id == "U-coord"
    members = [p.person.person_id for p in meeting.participants if p.person]
    workers = [p.worker.user_id for p in meeting.participants if p.worker]
    assert sorted(members) == ["P-FAR", "P-MOR"]
    assert sorted(workers) == ["U-coord", "U-sof"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scheduled_at": datetime(2026, 12, 1, 13)}, "scheduledAt"),  # no UTC offset
        ({"participants": Participants(member_ids=["P-ANDEN"])}, "participants.memberIds"),
        ({"participants": Participants(worker_ids=["U-mor"])}, "participants.workerIds"),
        ({"agenda": [""]}, "agenda"),
        ({"chair_user_id": "U-nobody"}, "chairUserId"),
    ],
)
async def test_schedule_meeting_bad_input(plan_world: PlanWorld, kwargs: dict, field: str) -> None:
    args = {"family_id": "F1", "scheduled_at": FUTURE} | kwargs
    with pytest.raises(BadUserInput) as caught:
        await meetings.schedule_meeting(plan_world.sessions, actor("coord"), **args)
    assert caught.value.extensions["field"] == field


async def test_schedule_meeting_access(plan_world: PlanWorld) -> None:
    with pytest.raises(NotFound):
        await meetings.schedule_meeting(
            plan_world.sessions, actor("kff"), family_id="F1", scheduled_at=FUTURE
        )
    with pytest.raises(Forbidden):
        await meetings.schedule_meeting(
            plan_world.sessions, actor("far"), family_id="F1", scheduled_at=FUTURE
        )


async def test_minutes_create_and_change_actions_and_schedule_the_next_meeting(plan_world: PlanWorld) -> None:
    goal = await goals.create_goal(
        plan_world.sessions, actor("coord"), family_id="F1", expected_version=0, title="Job"
    )
    action = await goals.create_action(
        plan_world.sessions,
        actor("bif"),
        goal_id=goal.id,
        expected_version=1,
        spec=ActionSpec(department=Department.BIF, kind="Mentor"),
    )
    meeting = await _meeting(plan_world)
    recorded = await meetings.record_minutes(
        plan_world.sessions,
        actor("coord"),
        meeting_id=meeting.id,
        expected_version=2,
        data=MinutesInput(
            minutes="Familien fortalte om hverdagen.",
            decisions=["Praktik fremrykkes"],
            participants=Participants(member_ids=["P-MOR"], worker_ids=["U-coord", "U-bif"]),
            next_meeting_at=FUTURE,
            new_actions=[(goal.id, ActionSpec(department=Department.BIF, kind="Virksomhedspraktik"))],
            action_updates=[(action.id, ActionPatch(status=ActionStatus.ACTIVE))],
        ),
    )
    assert recorded.status is MeetingStatus.HELD
    assert recorded.minutes == "Familien fortalte om hverdagen."
    assert recorded.decisions == ("Praktik fremrykkes",)
    assert recorded.next_meeting_at == FUTURE
    assert sorted(c.change for c in recorded.action_changes) == ["CREATED", "UPDATED"]
    assert [p.person.person_id for p in recorded.participants if p.person] == ["P-MOR"]
    assert recorded.plan_version == 3  # one version step for the whole meeting
    async with plan_world.sessions() as s:
        all_meetings = (await repository.meetings(s, ["F1"]))["F1"]
        plan = (await repository.plans(s, ["F1"]))["F1"]
    assert [(m.status, m.scheduled_at) for m in all_meetings] == [
        (MeetingStatus.HELD, PAST),
        (MeetingStatus.SCHEDULED, FUTURE),
    ]
    assert {a.kind: a.status for a in plan.goals[0].actions} == {
        "Mentor": ActionStatus.ACTIVE,
        "Virksomhedspraktik": ActionStatus.PLANNED,
    }


async def test_minutes_errors(plan_world: PlanWorld) -> None:
    meeting = await _meeting(plan_world)
    future = await _meeting(plan_world, FUTURE)
    data = MinutesInput(minutes="Referat")
    with pytest.raises(Conflict):
        await meetings.record_minutes(
            plan_world.sessions, actor("coord"), meeting_id=meeting.id, expected_version=3, data=data
        )
    with pytest.raises(NotFound):
        await meetings.record_minutes(
            plan_world.sessions, actor("coord"), meeting_id="nope", expected_version=0, data=data
        )
    with pytest.raises(Forbidden):
        await meetings.record_minutes(
            plan_world.sessions, actor("mor"), meeting_id=meeting.id, expected_version=0, data=data
        )
    cases = [
        (meeting.id, MinutesInput(minutes=" "), "minutes"),
        (future.id, data, "heldAt"),  # minutes of a meeting that has not started
        (meeting.id, MinutesInput(minutes="x", next_meeting_at=PAST), "nextMeetingAt"),
        (
            meeting.id,
            MinutesInput(minutes="x", new_actions=[("nope", ActionSpec(Department.SOF, "x"))]),
            "goalId",
        ),
    ]
    for meeting_id, bad, field in cases:
        with pytest.raises((BadUserInput, NotFound)) as caught:
            await meetings.record_minutes(
                plan_world.sessions, actor("coord"), meeting_id=meeting_id, expected_version=0, data=bad
            )
        assert caught.value.extensions["field"] == field
