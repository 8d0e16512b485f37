"""Two hubs, each with its own read model, on one PostgreSQL and one Redis: a change through A (or straight in
the database) is honoured by B's very next request, whether B hears the `facts` message or not.

`delivered`: B listens on the channel (targeted invalidation). `dropped`: B's listener is stopped first, so
only B's per-request epoch guard can notice. The departments are counted on the mocks (`/_admin/stats`) with
the section cache off (TTL 0), so every allowed section is a department call.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.app import build_services, create_app
from hub.domain import Department, FamilyStatus, Role
from hub.persistence.engine import transaction
from hub.persistence.models import Custody, TeamAssignment, User
from hub.readmodel.model import ReadModel
from hub.readmodel.wiring import readmodel_of
from tests.support.backends import create_postgres_database, drop_postgres_database, redis_url
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

CONSENTS = """
query($id: ID!) { familyConsents(familyId: $id) { consents { id subjectId status departments } } }
"""
MEMBER_BIF = "query($id: ID!) { familyMember(id: $id) { id employment { status } } }"
FAMILY = "query($id: ID!) { family(id: $id) { id members { id social { status } } } }"
WITHDRAW = """
mutation($id: ID!) { withdrawConsent(id: $id, channel: VERBAL_JOURNALISED) { id status } }
"""
UNASSIGN = """
mutation($input: UnassignTeamMemberInput!) {
  unassignTeamMember(input: $input) { __typename ... on PlanMutationError { code message } }
}
"""


@dataclass
class Hub:
    client: httpx.AsyncClient
    model: ReadModel
    sessions: async_sessionmaker[AsyncSession]

    async def graphql(self, query: str, variables: dict[str, Any], token: str) -> httpx.Response:
        return await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )

    async def data(self, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        response = await self.graphql(query, variables, token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@dataclass
class Pair:
    stack: Stack
    a: Hub
    b: Hub
    mode: str

    async def settle(self, before_full_drops: int) -> None:
        """In `dropped` mode B's guard must have dropped its model; in `delivered` mode it may not have."""
        if self.mode == "dropped":
            assert self.b.model.full_drops > before_full_drops


@pytest.fixture(params=["delivered", "dropped"])
async def pair(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Pair]:
    redis = redis_url()
    database = await asyncio.to_thread(create_postgres_database)
    prefix = f"familiehub-test-{uuid.uuid4().hex[:12]}"
    try:
        async with running_stack(
            tmp_path,
            families=8,
            seed=7,
            database_url=database,
            redis_url=redis,
            pubsub_prefix=prefix,
            cache_ttl_s=0,
        ) as stack:
            services_b = build_services(stack.settings)
            app_b = create_app(stack.settings, services=services_b)
            async with (
                app_b.router.lifespan_context(app_b),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app_b), base_url="http://hub-b.test", timeout=30
                ) as client_b,
            ):
                model_a, model_b = readmodel_of(stack.services), readmodel_of(services_b)
                assert model_a is not None
                assert model_b is not None
                assert model_a is not model_b
                if request.param == "dropped":
                    await model_b.aclose()  # B never hears a `facts` message again
                yield Pair(
                    stack,
                    Hub(stack.client, model_a, stack.services.sessions),
                    Hub(client_b, model_b, services_b.sessions),
                    request.param,
                )
    finally:
        with contextlib.suppress(Exception):
            await asyncio.to_thread(drop_postgres_database, database)


async def _bif_asked(stack: Stack) -> int:
    return int((await stack.stats())[Department.BIF]["persons_requested"])


async def test_a_withdrawal_through_a_stops_the_next_view_through_b(pair: Pair) -> None:
    stack, token = pair.stack, pair.stack.token("tovholder")
    family_id = next(f.key for f in stack.world.families if f.status is FamilyStatus.ACTIVE)
    overview = (await pair.a.data(CONSENTS, {"id": family_id}, token))["data"]["familyConsents"]
    target = next(c for c in overview["consents"] if c["status"] == "ACTIVE" and "BIF" in c["departments"])
    subject = target["subjectId"]

    # B holds the consent facts (two views: the second is served by its read model) and asks BIF.
    for _ in range(2):
        await stack.reset_stats()
        seen = await pair.b.data(MEMBER_BIF, {"id": subject}, token)
        assert seen["data"]["familyMember"]["employment"]["status"] != "CONSENT_REQUIRED", seen
        assert await _bif_asked(stack) == 1
    drops = pair.b.model.full_drops

    withdrawn = await pair.a.data(WITHDRAW, {"id": target["id"]}, token)
    assert withdrawn["data"]["withdrawConsent"]["status"] == "WITHDRAWN", withdrawn

    await stack.reset_stats()
    after = await pair.b.data(MEMBER_BIF, {"id": subject}, token)
    assert after["data"]["familyMember"]["employment"]["status"] == "CONSENT_REQUIRED", after
    assert await _bif_asked(stack) == 0
    await pair.settle(drops)


async def _changed_in_the_database(pair: Pair, change: Callable[[AsyncSession], Awaitable[None]]) -> None:
    """A change straight in the database (an operator, another tool): with A's sessions in `delivered`
    mode (A publishes it), with sessions that publish nothing in `dropped` mode."""
    if pair.mode == "delivered":
        async with transaction(pair.a.sessions) as session:
            await change(session)
    else:
        from hub.persistence.engine import create_session_factory

        async with transaction(create_session_factory(pair.stack.services.engine)) as session:
            await change(session)


async def test_unassigning_a_worker_through_a_hides_the_family_on_b(pair: Pair) -> None:
    stack = pair.stack
    family_id = next(f.key for f in stack.world.families if f.status is FamilyStatus.ACTIVE)
    async with stack.services.sessions() as session:
        user_id, username = (
            await session.execute(
                select(User.id, User.username)
                .join(TeamAssignment, TeamAssignment.user_id == User.id)
                .where(
                    TeamAssignment.family_id == family_id,
                    TeamAssignment.until.is_(None),
                    User.role == Role.CORE_TEAM,
                )
                .limit(1)
            )
        ).one()
        assignment_id = await session.scalar(
            select(TeamAssignment.id).where(
                TeamAssignment.family_id == family_id,
                TeamAssignment.user_id == user_id,
                TeamAssignment.until.is_(None),
            )
        )
    worker = stack.token(username)
    for _ in range(2):
        await stack.reset_stats()
        seen = await pair.b.data(FAMILY, {"id": family_id}, worker)
        assert seen["data"]["family"]["id"] == family_id, seen
    drops = pair.b.model.full_drops

    result = await pair.a.data(UNASSIGN, {"input": {"assignmentId": assignment_id}}, stack.token("tovholder"))
    assert "errors" not in result, result
    assert result["data"]["unassignTeamMember"]["__typename"] != "PlanMutationError", result

    await stack.reset_stats()
    after = await pair.b.data(FAMILY, {"id": family_id}, worker)
    assert after["data"] is None
    assert after["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await stack.stats())[Department.SOF]["persons_requested"] == 0
    await pair.settle(drops)


async def test_ending_custody_hides_the_child_on_b(pair: Pair) -> None:
    stack = pair.stack
    async with stack.services.sessions() as session:
        custody = (
            await session.execute(
                select(Custody.id, Custody.child_id, User.username)
                .join(User, User.person_id == Custody.holder_id)
                .where(Custody.until.is_(None), User.role == Role.CITIZEN, User.active.is_(True))
                .limit(1)
            )
        ).one()
    custody_id, child_id, holder = custody
    token = stack.token(holder)
    for _ in range(2):  # the second from B's read model
        await stack.reset_stats()
        seen = await pair.b.data(MEMBER_BIF, {"id": child_id}, token)
        assert seen["data"]["familyMember"]["employment"]["status"] != "FORBIDDEN", seen
        assert await _bif_asked(stack) == 1
    drops = pair.b.model.full_drops

    async def end(session: AsyncSession) -> None:
        await session.execute(
            update(Custody).where(Custody.id == custody_id).values(until=stack.services.clock().date())
        )

    await _changed_in_the_database(pair, end)
    await stack.reset_stats()
    after = await pair.b.data(MEMBER_BIF, {"id": child_id}, token)
    # Still a member of the holder's family (a name on the family view), but no longer their child to see.
    member = after["data"]["familyMember"] if after["data"] else None
    assert member is None or member["employment"]["status"] == "FORBIDDEN", after
    assert await _bif_asked(stack) == 0
    await pair.settle(drops)


async def test_a_deactivated_user_is_refused_on_bs_next_request(pair: Pair) -> None:
    stack = pair.stack
    token = stack.token("sof-kerne")
    family_id = next(f.key for f in stack.world.families if f.status is FamilyStatus.ACTIVE)
    assert (await pair.b.graphql(FAMILY, {"id": family_id}, token)).status_code == 200
    assert (await pair.b.graphql(FAMILY, {"id": family_id}, token)).status_code == 200
    drops = pair.b.model.full_drops

    async def deactivate(session: AsyncSession) -> None:
        await session.execute(update(User).where(User.username == "sof-kerne").values(active=False))

    await _changed_in_the_database(pair, deactivate)
    await stack.reset_stats()
    refused = await pair.b.graphql(FAMILY, {"id": family_id}, token)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert all(s["total_requests"] == 0 for s in (await stack.stats()).values())
    await pair.settle(drops)


async def test_a_role_change_is_honoured_on_bs_next_request(pair: Pair) -> None:
    stack = pair.stack
    token = stack.token("sof-kerne")
    family_id = next(f.key for f in stack.world.families if f.status is FamilyStatus.ACTIVE)
    for _ in range(2):
        seen = await pair.b.data(FAMILY, {"id": family_id}, token)
        assert seen["data"]["family"]["id"] == family_id, seen
    drops = pair.b.model.full_drops

    async def demote(session: AsyncSession) -> None:
        await session.execute(
            update(User).where(User.username == "sof-kerne").values(role=Role.STEERING_GROUP)
        )

    await _changed_in_the_database(pair, demote)
    await stack.reset_stats()
    after = await pair.b.data(FAMILY, {"id": family_id}, token)
    assert after["data"] is None, after
    assert after["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert all(s["total_requests"] == 0 for s in (await stack.stats()).values())
    await pair.settle(drops)
