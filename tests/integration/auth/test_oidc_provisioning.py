"""Users from the identity provider (issue #26): the claim mapping decides the role; users are provisioned on
first sign-in, follow the provider's groups, and are refused once the provider or `hub users deactivate` takes
them out. Every change is on the SECURITY audit chain. SQLite and PostgreSQL, a test provider on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.app import build_services, create_app
from hub.audit.events import AuditKind
from hub.audit.models import AuditEntry
from hub.cli import main
from hub.crypto import CprVault
from hub.domain import Department, Role
from hub.persistence.engine import create_session_factory, transaction
from hub.persistence.models import User
from hub.seed import SeedContext, _seed_core
from hub.settings import Settings
from hub.world import generate_world
from tests.support.idp import TestIdp, running_idp

ME = "{ me { username role department } }"


@dataclass
class Hub:
    client: httpx.AsyncClient
    idp: TestIdp
    engine: AsyncEngine
    database_url: str

    async def me(self, token: str) -> httpx.Response:
        return await self.client.post(
            "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
        )

    async def users(self) -> list[User]:
        async with create_session_factory(self.engine)() as session:
            return list(await session.scalars(select(User)))

    async def security_reasons(self) -> list[tuple[str, str | None]]:
        async with create_session_factory(self.engine)() as session:
            rows = await session.execute(
                select(AuditEntry.reason, AuditEntry.basis)
                .where(AuditEntry.chain == AuditKind.SECURITY, AuditEntry.source == "HUB:users")
                .order_by(AuditEntry.seq)
            )
            return [(r, b) for r, b in rows]


@pytest.fixture
async def hub(migrated_engine: AsyncEngine, db_url: str, tmp_path: Path) -> AsyncIterator[Hub]:
    world = generate_world(3, 2026)
    ctx = SeedContext(world=world, vault=CprVault(os.urandom(32), os.urandom(32)), today=world.today)
    async with transaction(create_session_factory(migrated_engine)) as session:
        await _seed_core(session, ctx)  # families and persons, no users: the provider brings them
    async with running_idp() as idp:
        settings = Settings(database_url=db_url, var_dir=tmp_path / "var", **idp.settings())
        app = create_app(settings, services=build_services(settings))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client,
        ):
            yield Hub(client, idp, migrated_engine, db_url)


async def test_first_sign_in_provisions_the_user_with_the_role_from_the_groups(hub: Hub) -> None:
    token = hub.idp.token(
        "8d2f-anna", groups=["hfi-sof-sagsbehandler", "unrelated"], preferred_username="anna", name="Anna A"
    )
    response = await hub.me(token)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["me"] == {"username": "anna", "role": "CASEWORKER", "department": "SOF"}
    assert (await hub.me(hub.idp.token("8d2f-anna", groups=["hfi-sof-sagsbehandler"]))).status_code == 200
    [user] = await hub.users()
    assert (user.subject, user.role, user.department, user.active) == (
        "8d2f-anna",
        Role.CASEWORKER,
        Department.SOF,
        True,
    )
    assert await hub.security_reasons() == [("user_provisioned", f"user:{user.id}")]


async def test_a_changed_group_or_department_changes_the_role_at_the_next_request(hub: Hub) -> None:
    assert (await hub.me(hub.idp.token("s-1", groups=["hfi-sof-sagsbehandler"]))).status_code == 200
    response = await hub.me(hub.idp.token("s-1", groups=["hfi-kerneteam"], department="bif"))
    assert response.json()["data"]["me"]["role"] == "CORE_TEAM"
    assert response.json()["data"]["me"]["department"] == "BIF"
    assert [r for r, _ in await hub.security_reasons()] == ["user_provisioned", "user_role_changed"]


async def test_the_provider_taking_the_group_away_refuses_and_deactivates_the_user(hub: Hub) -> None:
    with_group = hub.idp.token("s-2", groups=["hfi-tovholder"])
    assert (await hub.me(with_group)).status_code == 200
    assert (await hub.me(hub.idp.token("s-2", groups=["somewhere-else"]))).status_code == 401
    # An older token that still names the group is refused too: the user is deactivated, not just this token.
    assert (await hub.me(with_group)).status_code == 401
    [user] = await hub.users()
    assert not user.active
    assert [r for r, _ in await hub.security_reasons()] == [
        "user_provisioned",
        "user_deactivated_by_provider",
    ]


async def test_a_token_without_any_groups_claim_is_refused_without_deactivating(hub: Hub) -> None:
    # A provider whose groups mapper went missing sends no groups claim at all: its configuration, not the
    # users' groups. Refused, but nobody is deactivated, so fixing the provider lets everyone in again.
    token = hub.idp.token("s-5", groups=["hfi-tovholder"])
    assert (await hub.me(token)).status_code == 200
    assert (await hub.me(hub.idp.token("s-5"))).status_code == 401
    assert (await hub.me(token)).status_code == 200
    [user] = await hub.users()
    assert user.active


@pytest.mark.parametrize(
    "claims",
    [
        {"groups": []},
        {"groups": ["hfi-tovholder", "hfi-admin"]},  # two roles: refused, never guessed
        {"groups": ["hfi-kerneteam"]},  # a core-team worker without a department
        {"groups": ["hfi-kerneteam"], "department": "XYZ"},
        {"groups": "hfi-tovholder", "sub": ""},
        {"role": "ADMIN"},  # a role claim means nothing
    ],
)
async def test_tokens_that_do_not_make_a_hub_user_are_refused_and_create_nobody(
    hub: Hub, claims: dict[str, object]
) -> None:
    claims = dict(claims)  # the parameter is shared by both backends' runs
    response = await hub.me(hub.idp.token(str(claims.pop("sub", "s-3")), **claims))
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await hub.users() == []


async def test_hub_users_deactivate_refuses_the_next_request(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = hub.idp.token("s-4", groups=["hfi-tovholder"], preferred_username="tove")
    assert (await hub.me(token)).status_code == 200
    monkeypatch.setenv("HUB_DATABASE_URL", hub.database_url)
    # Another process, as an operator would run it.
    assert await asyncio.to_thread(main, ["users", "deactivate", "tove"]) == 0
    assert (await hub.me(token)).status_code == 401  # the read model saw the moved epoch
    assert await asyncio.to_thread(main, ["users", "list", "--all"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].split()[1:] == ["tove", "COORDINATOR", "no"]
    assert await asyncio.to_thread(main, ["users", "activate", "tove"]) == 0
    assert (await hub.me(token)).status_code == 200
    reasons = [r for r, _ in await hub.security_reasons()]
    assert reasons == ["user_provisioned", "user_deactivated", "user_activated"]


async def test_a_username_from_the_provider_never_shadows_another_users_id(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        await hub.me(hub.idp.token("s-a", groups=["hfi-tovholder"], preferred_username="anne"))
    ).status_code == 200
    [anne] = await hub.users()
    # Another user picks anne's id, then anne's username, as their preferred_username.
    impostor = hub.idp.token("s-b", groups=["hfi-tovholder"], preferred_username=anne.id)
    assert (await hub.me(impostor)).status_code == 200
    twin = hub.idp.token("s-c", groups=["hfi-tovholder"], preferred_username="anne")
    assert (await hub.me(twin)).json()["data"]["me"]["username"] != "anne"  # kept apart
    monkeypatch.setenv("HUB_DATABASE_URL", hub.database_url)
    assert await asyncio.to_thread(main, ["users", "deactivate", anne.id]) == 0
    active = {u.subject: u.active for u in await hub.users()}
    assert active == {"s-a": False, "s-b": True, "s-c": True}


async def test_concurrent_first_requests_make_one_user(hub: Hub) -> None:
    tokens = [hub.idp.token("s-many", groups=["hfi-tovholder"], jti=str(i)) for i in range(6)]
    responses = await asyncio.gather(*(hub.me(t) for t in tokens))
    assert [r.status_code for r in responses] == [200] * 6
    assert [u.subject for u in await hub.users()] == ["s-many"]
    assert [r for r, _ in await hub.security_reasons()] == ["user_provisioned"]


async def test_a_citizen_linked_by_the_hub_is_not_governed_by_groups(hub: Hub) -> None:
    async with transaction(create_session_factory(hub.engine)) as session:
        session.add(User(username="borger", subject="s-citizen", display_name="B", role=Role.CITIZEN))
    for claims in ({}, {"groups": []}, {"groups": ["hfi-admin"]}):
        response = await hub.me(hub.idp.token("s-citizen", **claims))
        assert response.json()["data"]["me"]["role"] == "CITIZEN"
    [user] = await hub.users()
    assert (user.role, user.active) == (Role.CITIZEN, True)
    assert await hub.security_reasons() == []
