"""The plan through GraphQL: typed error results, the citizen's filtered view, history, no token."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from connectors.base import Deadline
from hub.services import Services
from hub.settings import Settings
from schema.context import Context
from schema.plan.mutations import PlanMutation
from schema.plan.queries import PlanQuery
from tests.integration.plan.plan_world import NOW, VAULT, PlanWorld, principal

SCHEMA = strawberry.Schema(query=PlanQuery, mutation=PlanMutation)

CREATE_GOAL = """
mutation($input: CreateGoalInput!) {
  createGoal(input: $input) {
    __typename
    ... on PlanGoal { id title planVersion member { id } }
    ... on PlanMutationError { code message }
    ... on PlanInputError { field }
    ... on PlanConflictError { currentVersion }
  }
}"""
PLAN = """
query($id: ID!) {
  familyPlan(familyId: $id) {
    version
    goals { title member { id } }
    coreTeam { coordinator { worker { id } } makkerpar { worker { department } } makkerparSpansDepartments }
    measurements { member { id } instrument score }
    nextMeeting { scheduledAt }
    history(limit: 5) { entity change memberId }
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


async def run(services: Services, username: str | None, query: str, **variables: Any) -> dict[str, Any]:
    context = Context(
        services=services,
        request=Request({"type": "http", "method": "POST", "headers": [], "path": "/graphql"}),
        principal=principal(username) if username else None,
        request_id="req-1",
        deadline=Deadline.after(5),
        now=NOW,
    )
    result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
    if result.errors:
        return {
            "errors": [
                {"message": e.message, "code": getattr(e.original_error, "code", None)} for e in result.errors
            ]
        }
    assert result.data is not None
    return result.data


def goal_input(**extra: Any) -> dict[str, Any]:
    return {"familyId": "F1", "expectedVersion": 0, "title": "Fælles hverdag"} | extra


async def test_create_goal_returns_the_goal(services: Services) -> None:
    data = await run(services, "coord", CREATE_GOAL, input=goal_input(departments=["SOF"]))
    assert data["createGoal"]["__typename"] == "PlanGoal"
    assert data["createGoal"]["planVersion"] == 1


@pytest.mark.parametrize(
    ("username", "extra", "typename", "code", "field"),
    [
        ("coord", {"title": ""}, "PlanInputError", "BAD_USER_INPUT", "title"),
        ("coord", {"memberId": "P-ANDEN"}, "PlanInputError", "BAD_USER_INPUT", "memberId"),
        ("kff", {}, "PlanNotFoundError", "NOT_FOUND", None),
        ("mor", {}, "PlanForbiddenError", "FORBIDDEN", None),
        ("coord", {"expectedVersion": 3}, "PlanConflictError", "CONFLICT", None),
    ],
)
async def test_expected_errors_are_typed_results(  # noqa: PLR0917 - one parameter per table column
    services: Services, username: str, extra: dict[str, Any], typename: str, code: str, field: str | None
) -> None:
    data = await run(services, username, CREATE_GOAL, input=goal_input(**extra))
    result = data["createGoal"]
    assert result["__typename"] == typename
    assert result["code"] == code
    if typename == "PlanInputError":
        assert result["field"] == field
    if typename == "PlanConflictError":
        assert result["currentVersion"] == 0


async def test_unauthenticated_is_a_top_level_error(services: Services) -> None:
    data = await run(services, None, CREATE_GOAL, input=goal_input())
    assert data["errors"][0]["code"] == "UNAUTHENTICATED"


async def test_every_mutation_is_reachable(services: Services) -> None:
    goal = (await run(services, "coord", CREATE_GOAL, input=goal_input(memberId="P-MOR")))["createGoal"]
    calls = [
        (
            "updateGoal",
            "UpdateGoalInput",
            {"goalId": goal["id"], "expectedVersion": 1, "status": "IN_PROGRESS"},
            "PlanGoal",
        ),
        (
            "updateGoal",
            "UpdateGoalInput",
            {"goalId": goal["id"], "expectedVersion": 2, "title": None},
            "PlanInputError",
        ),
        ("addProgressNote", "AddProgressNoteInput", {"goalId": goal["id"], "text": "Godt"}, "PlanGoal"),
        (
            "createAction",
            "CreateActionInput",
            {"goalId": goal["id"], "expectedVersion": 2, "department": "BIF", "kind": "Mentor"},
            "PlanAction",
        ),
        (
            "scheduleMeeting",
            "ScheduleMeetingInput",
            {"familyId": "F1", "scheduledAt": "2026-10-30T13:00:00+00:00"},
            "PlanMeeting",
        ),
        (
            "recordMeasurement",
            "RecordMeasurementInput",
            {"memberId": "P-MOR", "instrument": "WHO5", "score": 64, "measuredOn": "2026-10-01"},
            "WellbeingMeasurement",
        ),
        (
            "assignTeamMember",
            "AssignTeamMemberInput",
            {"familyId": "F1", "userId": "U-kff", "teamRole": "CORE_TEAM"},
            "CoreTeamMember",
        ),
        ("unassignTeamMember", "UnassignTeamMemberInput", {"assignmentId": "nope"}, "PlanNotFoundError"),
        (
            "addFamilyMember",
            "AddFamilyMemberInput",
            {
                "familyId": "F1",
                "memberRole": "CHILD",
                "cpr": "0101201234",
                "firstName": "Nour",
                "lastName": "T",
            },
            "FamilyMembership",
        ),
        (
            "removeFamilyMember",
            "RemoveFamilyMemberInput",
            {"familyId": "F1", "memberId": "P-FAR", "reason": "Flyttet"},
            "FamilyMembership",
        ),
    ]
    for name, input_type, variables, typename in calls:
        query = (
            f"mutation($input: {input_type}!) {{ {name}(input: $input) "
            "{ __typename ... on PlanMutationError { code message } } }"
        )
        data = await run(services, "coord", query, input=variables)
        assert data[name]["__typename"] == typename, (name, data)
    meetings = await run(
        services, "coord", 'query { familyPlan(familyId: "F1") { version meetings { id } } }'
    )
    plan = meetings["familyPlan"]
    minutes = """mutation($input: RecordMeetingMinutesInput!) { recordMeetingMinutes(input: $input) {
      __typename ... on PlanMeeting { status nextMeetingAt } } }"""
    data = await run(
        services,
        "coord",
        minutes,
        input={
            "meetingId": plan["meetings"][0]["id"],
            "expectedVersion": plan["version"],
            "minutes": "Referat",
            "decisions": ["Videre"],
            "nextMeetingAt": "2026-12-01T13:00:00+00:00",
        },
    )
    assert data["recordMeetingMinutes"] == {
        "__typename": "PlanMeeting",
        "status": "HELD",
        "nextMeetingAt": "2026-12-01T13:00:00+00:00",
    }


async def test_the_family_reads_its_plan_filtered(services: Services) -> None:
    for extra in (
        {},
        {"memberId": "P-MOR", "expectedVersion": 1},
        {"memberId": "P-FAR", "expectedVersion": 2},
        {"memberId": "P-BARN", "expectedVersion": 3},
    ):
        assert (await run(services, "coord", CREATE_GOAL, input=goal_input(**extra)))["createGoal"][
            "__typename"
        ] == "PlanGoal"
    team_view = (await run(services, "coord", PLAN, id="F1"))["familyPlan"]
    assert len(team_view["goals"]) == 4
    assert team_view["coreTeam"]["coordinator"]["worker"]["id"] == "U-coord"
    assert team_view["coreTeam"]["makkerparSpansDepartments"] is True
    mother = (await run(services, "mor", PLAN, id="F1"))["familyPlan"]
    # Family goals, her own and her child's; not the other adult's.
    assert sorted((g["member"] or {}).get("id", "family") for g in mother["goals"]) == [
        "P-BARN",
        "P-MOR",
        "family",
    ]
    assert all(h["memberId"] in (None, "P-MOR", "P-BARN") for h in mother["history"])
    assert len(mother["history"]) == 3
    for outsider, code in (("kff", "NOT_FOUND"), ("anden", "NOT_FOUND"), ("buf-cw", "FORBIDDEN")):
        assert (await run(services, outsider, PLAN, id="F1"))["errors"][0]["code"] == code


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("tovholder2", "NOT_FOUND"),  # a coordinator not assigned to the family
        ("kff", "NOT_FOUND"),  # a core-team worker on no team
        ("bif-cw", "NOT_FOUND"),  # a caseworker without the family on the caseload
        ("styregruppe", "NOT_FOUND"),
        ("admin", "NOT_FOUND"),
        ("sof-system", "NOT_FOUND"),
        ("barn", "NOT_FOUND"),  # a citizen under 15
        ("buf-cw", "FORBIDDEN"),  # knows the family from the caseload, may not read its plan
        ("mor", None),
        ("teen", None),  # a member from 15 reads the family plan
    ],
)
async def test_who_reads_the_plan(services: Services, username: str, code: str | None) -> None:
    data = await run(services, username, PLAN, id="F1")
    if code is None:
        assert data["familyPlan"]["version"] == 0
    else:
        assert [e["code"] for e in data["errors"]] == [code]
    # The same answer as for a family that does not exist, so existence never leaks.
    missing = await run(services, username, PLAN, id="F404")
    assert [e["code"] for e in missing["errors"]] == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("username", "typename"),
    [
        ("tovholder2", "PlanNotFoundError"),
        ("bif-cw", "PlanNotFoundError"),
        ("sof-system", "PlanNotFoundError"),
        ("barn", "PlanNotFoundError"),
        ("teen", "PlanForbiddenError"),
        ("buf-cw", "PlanForbiddenError"),
    ],
)
async def test_who_may_not_change_the_plan(services: Services, username: str, typename: str) -> None:
    result = (await run(services, username, CREATE_GOAL, input=goal_input()))["createGoal"]
    assert result["__typename"] == typename
