"""The family's own voice through GraphQL (#23, #19 §4): their wording beside the team's, their notes, a child's
view from 10, self-reported scores, a young person's say from 15, and language/interpreter needs on meetings."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from prometheus_client import CollectorRegistry
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from connectors.base import Deadline
from hub.domain import FamilyStatus
from hub.persistence.models import Family
from hub.plan.models import HistoryEntry
from hub.services import Services
from hub.settings import Settings
from schema.context import Context
from schema.plan.mutations import PlanMutation
from schema.plan.queries import PlanQuery
from schema.plan.voice import VoiceMutation
from tests.integration.plan.plan_world import NOW, VAULT, PlanWorld, principal

SCHEMA = strawberry.Schema(
    query=PlanQuery, mutation=strawberry.tools.merge_types("Mutation", (PlanMutation, VoiceMutation))
)
RESULT = """
    __typename
    ... on FamilyWords { id kind member { id } text writtenByFamily recordedBy { id } sharedWithParents }
    ... on PlanMutationError { code }
    ... on PlanInputError { field }
    ... on PlanConflictError { currentVersion }
"""
WORDING = f"mutation($input: WriteGoalWordingInput!) {{ writeGoalWording(input: $input) {{ {RESULT} }} }}"
NOTE = f"mutation($input: AddFamilyNoteInput!) {{ addFamilyNote(input: $input) {{ {RESULT} }} }}"
VIEW = f"mutation($input: RecordChildViewInput!) {{ recordChildView(input: $input) {{ {RESULT} }} }}"
SHARE = f"mutation($id: ID!, $s: Boolean!) {{ shareWithParents(entryId: $id, shared: $s) {{ {RESULT} }} }}"
SELF = """
mutation($input: RecordSelfReportInput!) {
  recordSelfReport(input: $input) {
    __typename
    ... on WellbeingMeasurement { instrument score selfReported member { id } }
    ... on PlanMutationError { code }
    ... on PlanInputError { field }
  }
}"""
LANGUAGE = """
mutation($input: SetLanguageNeedInput!) {
  setLanguageNeed(input: $input) {
    __typename
    ... on LanguageNeed { member { id } language interpreterNeeded interpreterFor }
    ... on PlanMutationError { code }
    ... on PlanInputError { field }
  }
}"""
CREATE_GOAL = """
mutation($input: CreateGoalInput!) { createGoal(input: $input) { ... on PlanGoal { id planVersion } } }"""
SCHEDULE = """
mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { __typename ... on PlanMeeting { id } } }"""
PLAN = """
query($id: ID!) {
  familyPlan(familyId: $id) {
    version
    goals { id title familyWording { member { id } text } familyNotes { member { id } text } }
    childViews { member { id } text writtenByFamily }
    languageNeeds { member { id } language interpreterNeeded }
    meetings { interpreterNeeds { member { id } language } }
    measurements { member { id } instrument selfReported }
  }
}"""


@pytest.fixture
def services(plan_world: PlanWorld, migrated_engine: AsyncEngine) -> Services:
    return Services(
        settings=Settings(),
        engine=migrated_engine,
        sessions=plan_world.sessions,
        vault=VAULT,
        connectors={},
        metrics=CollectorRegistry(),
        clock=lambda: NOW,
    )


async def run(services: Services, username: str, query: str, **variables: Any) -> dict[str, Any]:
    context = Context(
        services=services,
        request=Request({"type": "http", "method": "POST", "headers": [], "path": "/graphql"}),
        principal=principal(username),
        request_id="req-1",
        deadline=Deadline.after(5),
        now=NOW,
    )
    result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
    assert not result.errors, result.errors
    assert result.data is not None
    return result.data


async def family_goal(services: Services) -> tuple[str, int]:
    data = await run(
        services,
        "coord",
        CREATE_GOAL,
        input={"familyId": "F1", "expectedVersion": 0, "title": "Fælles hverdag"},
    )
    return data["createGoal"]["id"], data["createGoal"]["planVersion"]


async def plan(services: Services, username: str) -> dict[str, Any]:
    return (await run(services, username, PLAN, id="F1"))["familyPlan"]


async def test_a_parent_writes_the_goal_in_her_own_words_versioned(services: Services) -> None:
    goal, version = await family_goal(services)
    words = {"goalId": goal, "wording": "Vi vil have ro om morgenen", "expectedVersion": version}
    saved = (await run(services, "mor", WORDING, input=words))["writeGoalWording"]
    assert saved["__typename"] == "FamilyWords"
    assert (saved["kind"], saved["member"]["id"], saved["writtenByFamily"]) == ("GOAL_WORDING", "P-MOR", True)
    stale = (await run(services, "far", WORDING, input=words | {"wording": "Ro"}))["writeGoalWording"]
    assert (stale["__typename"], stale["currentVersion"]) == ("PlanConflictError", version + 1)
    for viewer in ("coord", "far", "mor"):
        seen = (await plan(services, viewer))["goals"][0]
        assert seen["title"] == "Fælles hverdag"  # the team's wording stays beside the family's
        assert seen["familyWording"] == [{"member": {"id": "P-MOR"}, "text": "Vi vil have ro om morgenen"}]
    async with services.sessions() as session:
        entities = list(
            await session.scalars(select(HistoryEntry.entity).where(HistoryEntry.family_id == "F1"))
        )
    assert "FAMILY_VOICE" in entities


async def test_a_workers_wording_is_refused(services: Services) -> None:
    goal, version = await family_goal(services)
    words = {"goalId": goal, "wording": "x", "expectedVersion": version}
    assert (await run(services, "coord", WORDING, input=words))["writeGoalWording"]["code"] == "FORBIDDEN"


async def test_a_young_persons_note_reaches_the_parents_only_with_their_consent(services: Services) -> None:
    goal, _ = await family_goal(services)
    note = (await run(services, "teen", NOTE, input={"goalId": goal, "text": "Jeg vil selv"}))[
        "addFamilyNote"
    ]
    assert (note["member"]["id"], note["sharedWithParents"]) == ("P-TEEN", False)

    def notes(p: dict[str, Any]) -> list[str]:
        return [n["text"] for n in p["goals"][0]["familyNotes"]]

    assert notes(await plan(services, "teen")) == ["Jeg vil selv"]
    assert notes(await plan(services, "coord")) == ["Jeg vil selv"]
    assert notes(await plan(services, "mor")) == []  # 16: the young person decides
    refused = (await run(services, "mor", SHARE, id=note["id"], s=True))["shareWithParents"]
    assert refused["code"] == "FORBIDDEN"
    await run(services, "teen", SHARE, id=note["id"], s=True)
    assert notes(await plan(services, "mor")) == ["Jeg vil selv"]
    await run(services, "teen", SHARE, id=note["id"], s=False)  # withdrawn: hidden again at once
    assert notes(await plan(services, "far")) == []


async def test_a_childs_view_from_10_recorded_by_the_team(services: Services) -> None:
    view = {"memberId": "P-BARN", "view": "Jeg kan godt lide fodbold"}
    saved = (await run(services, "coord", VIEW, input=view))["recordChildView"]
    assert (saved["kind"], saved["writtenByFamily"], saved["recordedBy"]["id"]) == (
        "CHILD_VIEW",
        False,
        "U-coord",
    )
    assert [v["member"]["id"] for v in (await plan(services, "mor"))["childViews"]] == ["P-BARN"]
    assert (await plan(services, "teen"))["childViews"] == []  # a sibling is not a custody holder
    adult = (await run(services, "coord", VIEW, input={"memberId": "P-MOR", "view": "x"}))["recordChildView"]
    assert (adult["__typename"], adult["field"]) == ("PlanInputError", "memberId")
    by_parent = (await run(services, "mor", VIEW, input=view))["recordChildView"]
    assert by_parent["code"] == "FORBIDDEN"  # a parent does not speak for the child
    own = (await run(services, "teen", VIEW, input={"memberId": "P-TEEN", "view": "Mit syn"}))[
        "recordChildView"
    ]
    assert (own["writtenByFamily"], own["recordedBy"]) == (True, None)


async def test_self_reported_scores_are_marked(services: Services) -> None:
    who5 = {"memberId": "P-MOR", "instrument": "WHO5", "score": 60, "measuredOn": "2026-10-30"}
    saved = (await run(services, "mor", SELF, input=who5))["recordSelfReport"]
    assert (saved["__typename"], saved["selfReported"]) == ("WellbeingMeasurement", True)
    other = (await run(services, "mor", SELF, input=who5 | {"memberId": "P-TEEN"}))["recordSelfReport"]
    assert (other["__typename"], other["field"]) == ("PlanInputError", "memberId")
    sdq = {"memberId": "P-TEEN", "instrument": "SDQ", "score": 12, "measuredOn": "2026-10-30"}
    parent_sdq = (await run(services, "teen", SELF, input=sdq | {"respondent": "PARENT"}))["recordSelfReport"]
    assert parent_sdq["field"] == "respondent"
    teen = (await run(services, "teen", SELF, input=sdq | {"respondent": "SELF"}))["recordSelfReport"]
    assert teen["selfReported"] is True
    rows = (await plan(services, "coord"))["measurements"]
    assert {(m["member"]["id"], m["selfReported"]) for m in rows} == {("P-MOR", True), ("P-TEEN", True)}


async def test_language_and_interpreter_needs_on_meetings(services: Services) -> None:
    need = {
        "memberId": "P-MOR",
        "language": "AR",
        "interpreterNeeded": True,
        "interpreterFor": ["PLAN_MEETING"],
    }
    saved = (await run(services, "coord", LANGUAGE, input=need))["setLanguageNeed"]
    assert (saved["language"], saved["interpreterFor"]) == ("ar", ["PLAN_MEETING"])
    school_only = {
        "memberId": "P-FAR",
        "language": "so",
        "interpreterNeeded": True,
        "interpreterFor": ["SCHOOL_MEETING"],
    }
    await run(services, "coord", LANGUAGE, input=school_only)
    assert (await run(services, "mor", LANGUAGE, input=need))["setLanguageNeed"]["code"] == "FORBIDDEN"
    bad = (await run(services, "coord", LANGUAGE, input=need | {"language": "arabic"}))["setLanguageNeed"]
    assert bad["field"] == "language"
    meeting = {"familyId": "F1", "scheduledAt": "2026-11-10T09:00:00+00:00"}
    assert (await run(services, "coord", SCHEDULE, input=meeting))["scheduleMeeting"][
        "__typename"
    ] == "PlanMeeting"
    seen = await plan(services, "mor")
    assert seen["meetings"][0]["interpreterNeeds"] == [{"member": {"id": "P-MOR"}, "language": "ar"}]
    assert {n["member"]["id"] for n in seen["languageNeeds"]} == {"P-MOR", "P-FAR"}


async def test_the_familys_words_on_a_meetings_decisions(services: Services) -> None:
    meeting = {"familyId": "F1", "scheduledAt": "2026-11-10T09:00:00+00:00"}
    meeting_id = (await run(services, "coord", SCHEDULE, input=meeting))["scheduleMeeting"]["id"]
    note = {"meetingId": meeting_id, "text": "Vi er enige i beslutningen"}
    saved = (await run(services, "far", NOTE, input=note))["addFamilyNote"]
    assert (saved["kind"], saved["member"]["id"]) == ("NOTE", "P-FAR")
    query = (
        "query($id: ID!) { familyPlan(familyId: $id) { meetings { familyNotes { member { id } text } } } }"
    )
    seen = (await run(services, "mor", query, id="F1"))["familyPlan"]["meetings"][0]["familyNotes"]
    assert seen == [{"member": {"id": "P-FAR"}, "text": "Vi er enige i beslutningen"}]
    both = (await run(services, "far", NOTE, input=note | {"goalId": "G-x"}))["addFamilyNote"]
    assert (both["__typename"], both["field"]) == ("PlanInputError", "goalId")


async def test_a_closed_familys_plan_takes_no_more_words(services: Services) -> None:
    goal, _ = await family_goal(services)
    async with services.sessions() as session, session.begin():
        await session.execute(update(Family).where(Family.id == "F1").values(status=FamilyStatus.CLOSED))
    refused = (await run(services, "mor", NOTE, input={"goalId": goal, "text": "Hej"}))["addFamilyNote"]
    assert (refused["__typename"], refused["code"]) == ("PlanConflictError", "CONFLICT")
