"""An administrator's assignments and caseloads (issue #26), through GraphQL and the CLI: admins only, clear
error codes, audited on the SECURITY chain, and seen by the worker's very next request (the read model)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from hub.audit.events import AuditKind
from hub.audit.models import AuditEntry
from hub.cli import main
from hub.domain import FamilyStatus
from hub.persistence.models import CaseloadEntry, Family, Membership, TeamAssignment, User
from tests.support.stack import Stack

ASSIGN = """mutation($input: AdminAssignTeamMemberInput!) {
  adminAssignTeamMember(input: $input) { id familyId userId teamRole until } }"""
END = "mutation($id: ID!) { adminEndTeamAssignment(assignmentId: $id) { id until } }"
ADD = """mutation($input: AdminCaseloadInput!) { adminAddToCaseload(input: $input) { userId personId department } }"""
REMOVE = """mutation($input: AdminCaseloadInput!) { adminRemoveFromCaseload(input: $input) { personId } }"""
FAMILY = "query($id: ID!) { family(id: $id) { id } }"
MEMBER = "query($id: ID!) { familyMember(id: $id) { id } }"


def code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


async def _user_id(stack: Stack, username: str) -> str:
    async with stack.services.sessions() as session:
        found = await session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


async def _unassigned_family(stack: Stack, user_id: str) -> str:
    async with stack.services.sessions() as session:
        mine = set(
            await session.scalars(select(TeamAssignment.family_id).where(TeamAssignment.user_id == user_id))
        )
        families = sorted(await session.scalars(select(Family.id)))
    return next(f for f in families if f not in mine)


async def _person_off_caseload(stack: Stack, user_id: str) -> str:
    async with stack.services.sessions() as session:
        mine = set(
            await session.scalars(select(CaseloadEntry.person_id).where(CaseloadEntry.user_id == user_id))
        )
        members = sorted(
            await session.scalars(select(Membership.person_id).where(Membership.left_on.is_(None)))
        )
    return next(p for p in members if p not in mine)


async def _security_reasons(stack: Stack) -> list[str]:
    async with stack.services.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry.reason)
            .where(AuditEntry.chain == AuditKind.SECURITY, AuditEntry.source == "HUB:users")
            .order_by(AuditEntry.seq)
        )
        return list(rows)


async def test_an_admin_assigns_a_worker_who_then_sees_the_family_at_once(stack: Stack) -> None:
    admin, worker = stack.token("admin"), stack.token("buf-kerne")
    worker_id = await _user_id(stack, "buf-kerne")
    family_id = await _unassigned_family(stack, worker_id)
    assert (
        code(await stack.graphql(FAMILY, {"id": family_id}, token=worker)) == "NOT_FOUND"
    )  # warms the model
    variables = {"input": {"familyId": family_id, "userId": "buf-kerne", "teamRole": "CORE_TEAM"}}
    assert code(await stack.graphql(ASSIGN, variables, token=stack.token("tovholder"))) == "FORBIDDEN"
    assert code(await stack.graphql(ASSIGN, variables, token=worker)) == "FORBIDDEN"
    body = await stack.graphql(ASSIGN, variables, token=admin)
    assert code(body) is None, body
    assignment = body["data"]["adminAssignTeamMember"]
    assert (assignment["familyId"], assignment["userId"], assignment["until"]) == (family_id, worker_id, None)
    assert (await stack.graphql(FAMILY, {"id": family_id}, token=worker))["data"]["family"]["id"] == family_id
    assert code(await stack.graphql(ASSIGN, variables, token=admin)) == "CONFLICT"
    ended = await stack.graphql(END, {"id": assignment["id"]}, token=admin)
    assert ended["data"]["adminEndTeamAssignment"]["until"] is not None
    assert code(await stack.graphql(FAMILY, {"id": family_id}, token=worker)) == "NOT_FOUND"
    assert code(await stack.graphql(END, {"id": assignment["id"]}, token=admin)) == "CONFLICT"
    assert await _security_reasons(stack) == ["team_assigned", "team_unassigned"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"familyId": "F-NONE"}, "NOT_FOUND"),
        ({"userId": "nobody"}, "NOT_FOUND"),
        ({"teamRole": "CAPTAIN"}, "BAD_USER_INPUT"),
        ({"userId": "bif-sagsbehandler"}, "BAD_USER_INPUT"),  # a caseworker is not on a core team
        ({"familyId": "x" * 500}, "BAD_USER_INPUT"),
    ],
)
async def test_assignment_errors_have_stable_codes(
    stack: Stack, change: dict[str, str], expected: str
) -> None:
    family_id = await _unassigned_family(stack, await _user_id(stack, "buf-kerne"))
    variables = {"input": {"familyId": family_id, "userId": "buf-kerne", "teamRole": "CORE_TEAM", **change}}
    body = await stack.graphql(ASSIGN, variables, token=stack.token("admin"))
    assert code(body) == expected
    assert await _security_reasons(stack) == []  # nothing changed, nothing audited


async def test_an_admin_manages_a_caseload_and_the_caseworker_sees_it_at_once(stack: Stack) -> None:
    admin, worker = stack.token("admin"), stack.token("bif-sagsbehandler")
    person = await _person_off_caseload(stack, await _user_id(stack, "bif-sagsbehandler"))
    assert code(await stack.graphql(MEMBER, {"id": person}, token=worker)) == "NOT_FOUND"
    variables = {"input": {"userId": "bif-sagsbehandler", "personId": person}}
    assert code(await stack.graphql(ADD, variables, token=worker)) == "FORBIDDEN"
    body = await stack.graphql(ADD, variables, token=admin)
    assert body["data"]["adminAddToCaseload"]["department"] == "BIF"
    assert (await stack.graphql(MEMBER, {"id": person}, token=worker))["data"]["familyMember"]["id"] == person
    assert code(await stack.graphql(ADD, variables, token=admin)) == "CONFLICT"
    bad = {"input": {"userId": "tovholder", "personId": person}}
    assert code(await stack.graphql(ADD, bad, token=admin)) == "BAD_USER_INPUT"  # not a caseworker
    missing = {"input": {"userId": "bif-sagsbehandler", "personId": "P-NONE"}}
    assert code(await stack.graphql(ADD, missing, token=admin)) == "NOT_FOUND"
    assert (await stack.graphql(REMOVE, variables, token=admin))["data"]["adminRemoveFromCaseload"][
        "personId"
    ] == person
    assert code(await stack.graphql(MEMBER, {"id": person}, token=worker)) == "NOT_FOUND"
    assert code(await stack.graphql(REMOVE, variables, token=admin)) == "NOT_FOUND"
    assert await _security_reasons(stack) == ["caseload_added", "caseload_removed"]


async def test_the_cli_manages_caseloads_and_running_hubs_see_it(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    worker = stack.token("bif-sagsbehandler")
    person = await _person_off_caseload(stack, await _user_id(stack, "bif-sagsbehandler"))
    assert code(await stack.graphql(MEMBER, {"id": person}, token=worker)) == "NOT_FOUND"
    monkeypatch.setenv("HUB_DATABASE_URL", stack.settings.database_url)
    assert await asyncio.to_thread(main, ["caseloads", "add", "bif-sagsbehandler", person]) == 0
    assert (await stack.graphql(MEMBER, {"id": person}, token=worker))["data"]["familyMember"]["id"] == person
    assert await asyncio.to_thread(main, ["caseloads", "add", "bif-sagsbehandler", person]) == 1
    assert "CONFLICT" in capsys.readouterr().err
    assert await asyncio.to_thread(main, ["assignments", "add", "F-NONE", "buf-kerne", "CORE_TEAM"]) == 1
    assert "NOT_FOUND" in capsys.readouterr().err
    assert await _security_reasons(stack) == ["caseload_added"]


async def test_a_closed_family_gets_no_new_team_member(stack: Stack) -> None:
    family_id = await _unassigned_family(stack, await _user_id(stack, "buf-kerne"))
    async with stack.services.sessions() as session, session.begin():
        family = await session.get(Family, family_id)
        assert family is not None
        family.status = FamilyStatus.CLOSED
    variables = {"input": {"familyId": family_id, "userId": "buf-kerne", "teamRole": "CORE_TEAM"}}
    assert code(await stack.graphql(ASSIGN, variables, token=stack.token("admin"))) == "CONFLICT"
