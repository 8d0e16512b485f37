"""Refused changes are security events (#19.5): a mutation answered NOT_FOUND, FORBIDDEN or CONSENT_REQUIRED,
raised or returned as a typed error, is written to the security chain with who tried what; an accepted change
or a BAD_USER_INPUT is not a refusal. Through the real hub (mock departments, SQLite)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import strawberry
from sqlalchemy import select

from hub.audit.buffer import read_buffer
from hub.audit.events import AuditAction, AuditDecision, AuditKind, kind_of
from hub.audit.models import AuditEntry
from hub.audit.verify import verify_chains
from hub.auth.principal import Principal
from hub.domain import Role
from hub.errors import ConsentRequired
from hub.persistence.models import User
from schema.refusals import install_refusal_audit
from tests.support.stack import Stack, running_stack

UPDATE_GOAL = """mutation($input: UpdateGoalInput!) { updateGoal(input: $input) {
  __typename ... on PlanMutationError { code message } } }"""
CREATE_GOAL = """mutation($input: CreateGoalInput!) { createGoal(input: $input) {
  __typename ... on PlanMutationError { code message } } }"""
WITHDRAW = "mutation($id: ID!) { withdrawConsent(id: $id, channel: PAPER) { id } }"
DEACTIVATE = "mutation($id: ID!) { adminSetUserActive(userId: $id, active: false) { username } }"
PLAN_VERSION = 'query { familyPlan(familyId: "F00002") { version } }'


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=6, seed=7) as st:
        yield st


async def _security(stack: Stack) -> list[AuditEntry]:
    async with stack.services.sessions() as s:
        rows = await s.scalars(
            select(AuditEntry)
            .where(AuditEntry.chain == AuditKind.SECURITY, AuditEntry.source == "HUB:mutation")
            .order_by(AuditEntry.seq)
        )
        return list(rows)


async def test_refused_mutations_are_in_the_security_chain(stack: Stack) -> None:
    token = stack.token("tovholder")
    async with stack.services.sessions() as s:
        coordinator = (await s.scalars(select(User).where(User.username == "tovholder"))).one()

    # NOT_FOUND returned as data (a typed plan error).
    body = await stack.graphql(
        UPDATE_GOAL, {"input": {"goalId": "G-missing", "expectedVersion": 1, "title": "x"}}, token=token
    )
    assert body["data"]["updateGoal"]["code"] == "NOT_FOUND", body
    # NOT_FOUND raised (a top-level error).
    body = await stack.graphql(WITHDRAW, {"id": "C-missing"}, token=token)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", body
    # FORBIDDEN raised: only administrators switch accounts.
    body = await stack.graphql(DEACTIVATE, {"id": "sof-kerne"}, token=token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body

    entries = await _security(stack)
    assert [e.reason for e in entries] == [
        "refused:NOT_FOUND:updateGoal",
        "refused:NOT_FOUND:withdrawConsent",
        "refused:FORBIDDEN:adminSetUserActive",
    ]
    for entry in entries:
        assert entry.decision is AuditDecision.DENIED
        assert entry.action is AuditAction.CHANGE
        assert (entry.actor_user_id, entry.actor_role) == (coordinator.id, Role.COORDINATOR)
        assert entry.request_id
        assert entry.subject_person_id is None
    assert len({e.request_id for e in entries}) == 3

    # Neither an accepted change nor a refusal of the input itself is a refused change.
    version = (await stack.graphql(PLAN_VERSION, token=token))["data"]["familyPlan"]["version"]
    body = await stack.graphql(
        CREATE_GOAL, {"input": {"familyId": "F00002", "expectedVersion": version, "title": "Ro"}}, token=token
    )
    assert body["data"]["createGoal"]["__typename"] == "PlanGoal", body
    body = await stack.graphql(
        CREATE_GOAL,
        {"input": {"familyId": "F00002", "expectedVersion": version + 1, "title": ""}},
        token=token,
    )
    assert body["data"]["createGoal"]["code"] == "BAD_USER_INPUT", body
    assert len(await _security(stack)) == 3

    # A family id the caller asked about is kept (the id asked, which may name nothing).
    other = stack.token("sof-kerne")
    body = await stack.graphql(
        CREATE_GOAL, {"input": {"familyId": "F-nobody", "expectedVersion": 1, "title": "Ro"}}, token=other
    )
    assert body["data"]["createGoal"]["code"] == "NOT_FOUND", body
    last = (await _security(stack))[-1]
    assert (last.reason, last.family_id) == ("refused:NOT_FOUND:createGoal", "F-nobody")
    async with stack.services.sessions() as s:
        assert (await verify_chains(s)).ok


class _Context:
    def __init__(self) -> None:
        self.principal = Principal(user_id="u1", username="w", role=Role.CORE_TEAM, department=None)
        self.request_id = "req-1"
        self.now = datetime(2026, 11, 1, tzinfo=UTC)
        self.state: dict[str, Any] = {}


async def test_a_consent_required_refusal_is_a_security_event() -> None:
    """No mutation of the schema answers CONSENT_REQUIRED today; the rule covers it all the same."""

    @strawberry.type
    class Query:
        ok: bool = True

    @strawberry.type
    class Mutation:
        @strawberry.mutation
        async def share(self, family_id: strawberry.ID) -> bool:
            raise ConsentRequired("no basis for this member and department")

    install_refusal_audit([Mutation])
    schema = strawberry.Schema(query=Query, mutation=Mutation)
    context = _Context()
    result = await schema.execute('mutation { share(familyId: "F1") }', context_value=context)
    assert result.errors
    (event,) = read_buffer(context).drain()
    assert event.reason == "refused:CONSENT_REQUIRED:share"
    assert event.family_id == "F1"
    assert kind_of(event) is AuditKind.SECURITY
