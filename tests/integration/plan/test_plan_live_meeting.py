"""The follow-up meeting held live (hub/plan/live_meeting.py, `meetingUpdated`): through the GraphQL schema
over a migrated database, with the hub's pub/sub (in-process, and Redis when HUB_TEST_REDIS_URL is set) and an
injected clock for the pen's lease."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from strawberry.federation import Schema
from strawberry.tools import merge_types

from connectors.base import Deadline
from hub.audit.models import AuditEntry
from hub.plan import goals, meetings, team
from hub.plan.domain import GoalStatus, MeetingStatus
from hub.plan.meetings import Participants
from hub.plan.models import HistoryEntry, Meeting, Plan, PlanAction
from hub.pubsub import InProcessPubSub, PubSub
from hub.pubsub.redis import RedisPubSub
from hub.services import Services
from hub.settings import Settings
from schema import SCALARS
from schema.context import Context
from schema.plan.live_meeting import LiveMeetingMutation, LiveMeetingQuery, LiveMeetingSubscription
from schema.plan.queries import PlanQuery
from tests.integration.plan.plan_world import NOW, VAULT, PlanWorld, actor, principal
from tests.support.waits import IT_HAPPENS_S, listening

SCHEMA = Schema(
    query=merge_types("Query", (PlanQuery, LiveMeetingQuery)),
    mutation=LiveMeetingMutation,
    subscription=LiveMeetingSubscription,
    scalar_overrides=SCALARS,
)
LEASE_S = 60
LIVE = """
  __typename
  ... on LiveMeeting { state draftVersion minutes decisions penHolder { id } meeting { status planVersion minutes } }
  ... on PlanMutationError { code message }
  ... on PlanConflictError { reason currentVersion }
  ... on PlanInputError { field }
"""
OPEN = f"mutation($id: ID!) {{ openLiveMeeting(meetingId: $id) {{ {LIVE} }} }}"
SAVE = f"mutation($input: UpdateMeetingDraftInput!) {{ updateMeetingDraft(input: $input) {{ {LIVE} }} }}"
TAKE = f"mutation($id: ID!) {{ takeMeetingPen(meetingId: $id) {{ {LIVE} }} }}"
RELEASE = f"mutation($id: ID!) {{ releaseMeetingPen(meetingId: $id) {{ {LIVE} }} }}"
HAND = f"mutation($input: HandOverMeetingPenInput!) {{ handOverMeetingPen(input: $input) {{ {LIVE} }} }}"
CLOSE = f"mutation($input: CloseLiveMeetingInput!) {{ closeLiveMeeting(input: $input) {{ {LIVE} }} }}"
FOLLOW = """subscription($id: ID!, $after: String) {
  meetingUpdated(meetingId: $id, after: $after) { event draftVersion cursor meeting { state minutes penHolder { id } } }
}"""


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def pubsub(request: pytest.FixtureRequest) -> AsyncIterator[PubSub]:
    if request.param == "memory":
        yield InProcessPubSub()
        return
    from tests.support.backends import redis_url

    bus = RedisPubSub(redis_url(), prefix=f"familiehub-test-{uuid.uuid4().hex[:12]}")
    await bus.start()
    try:
        yield bus
    finally:
        await bus.aclose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(plan_world: PlanWorld, migrated_engine: AsyncEngine, pubsub: PubSub, clock: Clock) -> Services:
    return Services(
        settings=Settings(meeting_pen_lease_s=LEASE_S),
        engine=migrated_engine,
        sessions=plan_world.sessions,
        vault=VAULT,
        connectors={},
        metrics=CollectorRegistry(),
        clock=clock,
        extras={"pubsub": pubsub},
    )


def context(services: Services, username: str) -> Context:
    return Context(
        services=services,
        request=Request({"type": "http", "method": "POST", "headers": [], "path": "/graphql"}),
        principal=principal(username),
        request_id="req-live",
        deadline=Deadline.after(5),
        now=services.clock(),
    )


async def run(services: Services, username: str, query: str, **variables: Any) -> dict[str, Any]:
    result = await SCHEMA.execute(query, variable_values=variables, context_value=context(services, username))
    assert result.errors is None, result.errors
    assert result.data is not None
    (value,) = result.data.values()
    assert isinstance(value, dict)
    return value


class Screen:
    """One subscriber of meetingUpdated, read in the background into a queue."""

    def __init__(self, services: Services, username: str, meeting_id: str, after: str | None = None) -> None:
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._ctx = context(services, username)
        self._variables = {"id": meeting_id, "after": after}
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Screen:
        stream = await SCHEMA.subscribe(FOLLOW, variable_values=self._variables, context_value=self._ctx)
        assert not hasattr(stream, "errors"), stream

        async def read() -> None:
            async for result in stream:  # type: ignore[union-attr]
                assert result.errors is None, result.errors
                await self.updates.put(result.data["meetingUpdated"])

        self._task = asyncio.create_task(read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self._task

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.updates.get(), IT_HAPPENS_S)


async def _subscribed(pubsub: PubSub, screens: int) -> None:
    """The screens are listening: counted in this process's fan-out (Redis fans out through one too, after
    its pattern subscription was confirmed at start)."""
    await listening(pubsub, "family:F1", screens, what="the screens did not subscribe")


async def _meeting(w: PlanWorld) -> str:
    view = await meetings.schedule_meeting(
        w.sessions,
        actor("coord"),
        family_id="F1",
        scheduled_at=NOW - timedelta(hours=1),
        agenda=["Siden sidst", "Mål"],
        participants=Participants(member_ids=["P-MOR"], worker_ids=["U-coord", "U-sof"]),
    )
    return view.id


async def _save(
    services: Services, username: str, meeting_id: str, version: int, **fields: Any
) -> dict[str, Any]:
    return await run(
        services,
        username,
        SAVE,
        input={"meetingId": meeting_id, "expectedDraftVersion": version, **fields},
    )


async def test_two_screens_see_each_save_in_order(services: Services, plan_world: PlanWorld) -> None:
    meeting_id = await _meeting(plan_world)
    opened = await run(services, "coord", OPEN, id=meeting_id)
    assert opened["state"] == "OPEN"
    assert opened["penHolder"] == {"id": "U-coord"}
    async with Screen(services, "sof", meeting_id) as team, Screen(services, "mor", meeting_id) as family:
        await _subscribed(services.extras["pubsub"], 2)
        version = opened["draftVersion"]
        texts = ["Mor fortæller", "Mor fortæller om skolen", "Mor fortæller om skolen. Aftalt: mentor."]
        for text in texts:
            saved = await _save(services, "coord", meeting_id, version, minutes=text)
            assert saved["__typename"] == "LiveMeeting", saved
            version = saved["draftVersion"]
        for screen in (team, family):
            seen = [await screen.next() for _ in texts]
            assert [u["event"] for u in seen] == ["DRAFT"] * 3
            assert [u["draftVersion"] for u in seen] == [2, 3, 4]
            assert seen[-1]["meeting"]["minutes"] == texts[-1]
            assert all(isinstance(u["cursor"], str) for u in seen)
        # Resume: a screen that joins with the first update's cursor gets the two after it, then live ones.
        first_cursor = seen[0]["cursor"]
    async with Screen(services, "sof", meeting_id, after=first_cursor) as late:
        assert [(await late.next())["draftVersion"] for _ in range(2)] == [3, 4]


async def test_only_the_pen_holder_writes_and_a_stale_draft_overwrites_nothing(
    services: Services, plan_world: PlanWorld
) -> None:
    meeting_id = await _meeting(plan_world)
    await run(services, "coord", OPEN, id=meeting_id)
    saved = await _save(services, "coord", meeting_id, 1, minutes="Første udkast")
    refused = await _save(services, "sof", meeting_id, 2, minutes="Overskrevet")
    assert (refused["code"], refused["reason"]) == ("CONFLICT", "PEN_HELD")
    stale = await _save(services, "coord", meeting_id, 1, minutes="Gammel version")
    assert (stale["code"], stale["reason"], stale["currentVersion"]) == ("CONFLICT", "STALE_DRAFT", 2)
    family = await _save(services, "mor", meeting_id, 2, minutes="Familien skriver")
    assert family["code"] == "FORBIDDEN"
    taken = await run(services, "sof", TAKE, id=meeting_id)
    assert taken["reason"] == "PEN_HELD"
    current = await run(
        services,
        "mor",
        "query($id: ID!) { liveMeeting(meetingId: $id) { minutes draftVersion } }",
        id=meeting_id,
    )
    assert current == {"minutes": saved["minutes"], "draftVersion": 2}
    released = await run(services, "coord", RELEASE, id=meeting_id)
    assert released["penHolder"] is None
    nobody = await _save(services, "coord", meeting_id, 2, minutes="Uden pen")
    assert nobody["reason"] == "NO_PEN"


async def test_the_pen_is_handed_over_and_a_lapsed_lease_can_be_taken(
    services: Services, plan_world: PlanWorld, clock: Clock
) -> None:
    meeting_id = await _meeting(plan_world)
    await run(services, "coord", OPEN, id=meeting_id)
    async with Screen(services, "mor", meeting_id) as family:
        await _subscribed(services.extras["pubsub"], 1)
        outsider = await run(services, "coord", HAND, input={"meetingId": meeting_id, "toUserId": "U-kff"})
        assert (outsider["code"], outsider["field"]) == ("BAD_USER_INPUT", "toUserId")
        async with plan_world.sessions() as s:
            audits = await s.scalar(select(func.count()).select_from(AuditEntry))
        handed = await run(services, "coord", HAND, input={"meetingId": meeting_id, "toUserId": "U-sof"})
        async with plan_world.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(AuditEntry)) == (audits or 0) + 1
        assert handed["penHolder"] == {"id": "U-sof"}
        pen = await family.next()
        assert (pen["event"], pen["meeting"]["penHolder"]) == ("PEN", {"id": "U-sof"})
    assert (await _save(services, "coord", meeting_id, 1, minutes="Tovholder"))["reason"] == "PEN_HELD"
    assert (await _save(services, "sof", meeting_id, 1, minutes="Makkerpar skriver"))["draftVersion"] == 2
    # Within the lease nobody else may take it; once it lapsed (no save for LEASE_S seconds) anyone may.
    clock.now += timedelta(seconds=LEASE_S)
    assert (await run(services, "bif", TAKE, id=meeting_id))["reason"] == "PEN_HELD"
    clock.now += timedelta(seconds=1)
    assert (await run(services, "bif", TAKE, id=meeting_id))["penHolder"] == {"id": "U-bif"}
    assert (await _save(services, "sof", meeting_id, 2, minutes="For sent"))["reason"] == "PEN_HELD"


async def test_closing_records_the_minutes_in_one_versioned_step(
    services: Services, plan_world: PlanWorld
) -> None:
    goal = await goals.create_goal(
        plan_world.sessions, actor("coord"), family_id="F1", expected_version=0, title="Skolegang"
    )
    meeting_id = await _meeting(plan_world)
    await run(services, "coord", OPEN, id=meeting_id)
    await run(services, "coord", HAND, input={"meetingId": meeting_id, "toUserId": "U-sof"})
    async with plan_world.sessions() as s:
        audits_before = await s.scalar(select(func.count()).select_from(AuditEntry))
    await _save(
        services,
        "sof",
        meeting_id,
        1,
        minutes="Sara går i skole hver dag.",
        decisions=["Mentor fra BIF", "Næste møde om en måned"],
        actions=[{"goalId": goal.id, "department": "BIF", "kind": "Mentor"}],
        goalChanges=[{"goalId": goal.id, "status": "IN_PROGRESS"}],
    )
    async with plan_world.sessions() as s:
        audits_after_save = await s.scalar(select(func.count()).select_from(AuditEntry))
        touched = await s.scalar(select(Plan.updated_by).where(Plan.family_id == "F1"))
    assert audits_after_save == (audits_before or 0) + 1  # a save is audited, not put in the history
    assert touched == "U-coord"  # and no change of the plan: "last changed" is still the opening's
    await run(services, "sof", HAND, input={"meetingId": meeting_id, "toUserId": "U-coord"})
    version = goal.plan_version
    stale = await run(
        services, "coord", CLOSE, input={"meetingId": meeting_id, "expectedVersion": version - 1}
    )
    assert (stale["code"], stale["reason"]) == ("CONFLICT", None)
    async with Screen(services, "sof", meeting_id) as team:
        await _subscribed(services.extras["pubsub"], 1)
        closed = await run(
            services, "coord", CLOSE, input={"meetingId": meeting_id, "expectedVersion": version}
        )
        assert closed["state"] == "CLOSED"
        assert closed["penHolder"] is None
        assert closed["meeting"]["status"] == "HELD"
        assert closed["meeting"]["planVersion"] == version + 1  # one versioned step
        assert closed["meeting"]["minutes"] == "Sara går i skole hver dag."
        update = await team.next()
        assert (update["event"], update["meeting"]["state"]) == ("CLOSED", "CLOSED")
    async with plan_world.sessions() as s:
        meeting = await s.get(Meeting, meeting_id)
        assert meeting is not None
        assert meeting.status is MeetingStatus.HELD
        assert meeting.decisions == ["Mentor fra BIF", "Næste møde om en måned"]
        assert (
            await s.scalar(select(func.count()).select_from(PlanAction).where(PlanAction.goal_id == goal.id))
            == 1
        )
        changes = list(
            await s.scalars(select(HistoryEntry.change).where(HistoryEntry.entity_id == meeting_id))
        )
    assert sorted(changes) == [
        "LIVE_OPENED",
        "MINUTES_RECORDED",
        "SCHEDULED",
    ]  # saves stay out of the history
    async with plan_world.sessions() as s:
        assert (await goals.goal_view(s, "F1", goal.id)).status is GoalStatus.IN_PROGRESS
    after = await _save(services, "coord", meeting_id, 2, minutes="Efter mødet")
    assert after["reason"] == "MEETING_CLOSED"


async def test_outsiders_cannot_watch(services: Services, plan_world: PlanWorld) -> None:
    meeting_id = await _meeting(plan_world)
    await run(services, "coord", OPEN, id=meeting_id)
    for username in ("kff", "buf-cw", "anden", "barn"):
        result = await SCHEMA.execute(
            "query($id: ID!) { liveMeeting(meetingId: $id) { minutes } }",
            variable_values={"id": meeting_id},
            context_value=context(services, username),
        )
        assert result.errors is not None
        assert result.errors[0].message == "no such meeting", username


async def test_a_screen_whose_viewer_left_the_team_stops_following(
    services: Services, plan_world: PlanWorld
) -> None:
    meeting_id = await _meeting(plan_world)
    await run(services, "coord", OPEN, id=meeting_id)
    stream = await SCHEMA.subscribe(
        FOLLOW, variable_values={"id": meeting_id, "after": None}, context_value=context(services, "sof")
    )
    first = asyncio.ensure_future(anext(stream))  # type: ignore[arg-type]
    await _subscribed(services.extras["pubsub"], 1)
    await _save(services, "coord", meeting_id, 1, minutes="Før")
    assert (await asyncio.wait_for(first, IT_HAPPENS_S)).data["meetingUpdated"]["draftVersion"] == 2
    await team.unassign_team_member(plan_world.sessions, actor("coord"), assignment_id="TA-sof")
    await _save(services, "coord", meeting_id, 2, minutes="Efter")
    ended = await asyncio.wait_for(anext(stream), IT_HAPPENS_S)  # type: ignore[arg-type]
    assert ended.errors is not None
    assert ended.errors[0].message == "no such meeting"
