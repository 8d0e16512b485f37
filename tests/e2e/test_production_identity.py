"""Issue #26, "Done when": production from an empty PostgreSQL database, with users only from the identity
provider. No `hub seed`, no demo user: a test provider (an RSA key generated here, its JWKS served on 127.0.0.1)
signs tokens that carry only provider claims (sub, groups, department, preferred_username, name); the hub gives
each user their role from the groups, an administrator sets up the team and a caseload, a caseworker sees only
their caseload person of the family, a deactivated user is refused at once, and the federation fields and
/metrics stay closed to all of them."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.app import build_services, create_app
from hub.auth.jwks import JwksKeySource
from hub.domain import Department
from hub.persistence.engine import create_engine, create_session_factory
from hub.persistence.migrate import upgrade
from hub.persistence.models import Family, Person, User
from hub.settings import Settings
from tests.support.backends import create_postgres_database, drop_postgres_database
from tests.support.idp import TestIdp, running_idp

pytestmark = pytest.mark.postgres

ISSUER = "https://login.kommune.test/realms/hfi"  # what the tokens and the settings name; served on 127.0.0.1
ME = "{ me { username role department } }"
REFER = (
    """mutation($input: ReferFamilyInput!) { referFamily(input: $input) { id members { id firstName } } }"""
)
FAMILY = "query($id: ID!) { family(id: $id) { id summary { members } members { id firstName age cpr } } }"
ADD = "mutation($input: AdminCaseloadInput!) { adminAddToCaseload(input: $input) { personId department } }"
ASSIGN = """mutation($input: AdminAssignTeamMemberInput!) { adminAssignTeamMember(input: $input) { id } }"""
DEACTIVATE = "mutation($id: ID!) { adminSetUserActive(userId: $id, active: false) { active } }"
SDL = "{ _service { sdl } }"
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Family { id } } }"
# Fictitious CPR numbers (DDMMYY-SSSS).
MOTHER, FATHER, CHILD = "120389-2014", "030786-1237", "210715-4118"


def _key(byte: bytes) -> str:
    return base64.urlsafe_b64encode(byte * 32).decode()


def production_settings(database_url: str, var_dir: Path, idp: TestIdp) -> Settings:
    return Settings(
        env="production",
        # Who the users are is under test here, not the allow-list (tests/e2e/test_production_e2e.py): the
        # identity checks run on ad-hoc documents.
        trusted_documents="off",
        database_url=database_url,
        var_dir=var_dir,
        cpr_encryption_key=_key(b"e"),
        cpr_hash_key=_key(b"h"),
        mock_admin_token="not-the-development-one-0123456789",
        federation_secret="router-secret-0123456789abcdef-0123",
        **{f"{d.value.lower()}_credential": f"real-{d.value}-credential" for d in Department},
        **{
            f"{d.value.lower()}_webhook_secret": f"real-webhook-secret-{d.value}-0123456789"
            for d in Department
        },
        **{**idp.settings(), "oidc_issuer": ISSUER, "oidc_jwks_url": f"{ISSUER}/certs"},
    )


@dataclass
class Prod:
    client: httpx.AsyncClient
    idp: TestIdp
    database_url: str

    def token(self, subject: str, *groups: str, **claims: Any) -> str:
        return self.idp.token(subject, groups=list(groups), **claims)

    async def graphql(self, query: str, token: str | None, **variables: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    async def data(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        response = await self.graphql(query, token, **variables)
        body: dict[str, Any] = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        return body["data"]


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A PostgreSQL database of its own for this test: empty, then migrated, never seeded."""
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture
async def prod(empty_database: str, tmp_path: Path) -> AsyncIterator[Prod]:
    engine = create_engine(empty_database)
    await upgrade(engine)
    async with create_session_factory(engine)() as session:
        for model in (User, Family, Person):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
    await engine.dispose()
    async with running_idp() as idp:
        idp.issuer = ISSUER
        settings = production_settings(empty_database, tmp_path / "var", idp)
        services = build_services(settings)
        # The settings name the provider's https URLs; its keys are fetched from the test's 127.0.0.1.
        services.extras["authenticate"].verifier.keys = JwksKeySource(f"{idp.url}/certs", algorithm="RS256")
        app = create_app(settings, services=services)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client,
        ):
            yield Prod(client, idp, empty_database)


def _member(cpr: str, first: str, role: str, holders: list[int] | None = None) -> dict[str, Any]:
    return {
        "cpr": cpr,
        "firstName": first,
        "lastName": "Haddad",
        "memberRole": role,
        "custodyHolders": holders or [],
    }


async def test_production_users_come_from_the_identity_provider(prod: Prod) -> None:
    admin = prod.token("0b1e-ada", "hfi-admin", "all-staff", preferred_username="ada.admin", name="Ada")
    coordinator = prod.token("7c9d-tove", "hfi-tovholder", preferred_username="tove.t")
    caseworker = prod.token("3f6c-anna", "hfi-sof-sagsbehandler", preferred_username="anna.sb")
    outsider = prod.token("9a9a-olaf", "all-staff", preferred_username="olaf")

    # Roles come from the groups; a token without a hub group is no hub user.
    assert (await prod.data(ME, admin))["me"] == {
        "username": "ada.admin",
        "role": "ADMIN",
        "department": None,
    }
    assert (await prod.data(ME, coordinator))["me"]["role"] == "COORDINATOR"
    assert (await prod.data(ME, caseworker))["me"] == {
        "username": "anna.sb",
        "role": "CASEWORKER",
        "department": "SOF",
    }
    assert (await prod.graphql(ME, outsider)).status_code == 401

    # The coordinator refers a family; the administrator puts its child on the caseworker's caseload.
    referred = await prod.data(
        REFER,
        coordinator,
        input={
            "district": "NORREBRO",
            "housingArea": "Mjølnerparken",
            "referralSource": "Boligsocial helhedsplan",
            "members": [
                _member(MOTHER, "Amina", "PARENT"),
                _member(FATHER, "Omar", "PARENT"),
                _member(CHILD, "Sara", "CHILD", [0, 1]),
            ],
        },
    )
    family_id = referred["referFamily"]["id"]
    child = next(m["id"] for m in referred["referFamily"]["members"] if m["firstName"] == "Sara")
    caseload = {"userId": "anna.sb", "personId": child}
    refused = (await prod.graphql(ADD, coordinator, input=caseload)).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await prod.data(ADD, admin, input=caseload))["adminAddToCaseload"]["department"] == "SOF"
    duplicate = (await prod.graphql(ADD, admin, input=caseload)).json()
    assert duplicate["errors"][0]["extensions"]["code"] == "CONFLICT"

    # Need-to-know: the caseworker sees the family's size and their own caseload person, nobody else.
    family = (await prod.data(FAMILY, caseworker, id=family_id))["family"]
    assert family["summary"]["members"] == 3
    assert [m["id"] for m in family["members"]] == [child]
    assert family["members"][0]["cpr"] == CHILD
    everyone = (await prod.data(FAMILY, coordinator, id=family_id))["family"]["members"]
    assert len(everyone) == 3

    # A second coordinator joins through the administrator, and sees the family at once.
    second = prod.token("5e5e-carl", "hfi-kerneteam", department="BIF", preferred_username="carl.k")
    assert (await prod.data(ME, second))["me"]["department"] == "BIF"
    assign = {"familyId": family_id, "userId": "carl.k", "teamRole": "MAKKERPAR"}
    assert (await prod.data(ASSIGN, admin, input=assign))["adminAssignTeamMember"]["id"]
    assert (await prod.data(FAMILY, second, id=family_id))["family"]["summary"]["members"] == 3

    # Deactivated by an administrator: refused from the very next request.
    assert (await prod.data(DEACTIVATE, admin, id="anna.sb"))["adminSetUserActive"] == {"active": False}
    assert (await prod.graphql(ME, caseworker)).status_code == 401

    # No demo world, no demo user: only the four who signed in with a hub group.
    engine = create_engine(prod.database_url)
    async with create_session_factory(engine)() as session:
        usernames = set(await session.scalars(select(User.username)))
        families = await session.scalar(select(func.count()).select_from(Family))
    await engine.dispose()
    assert usernames == {"ada.admin", "tove.t", "anna.sb", "carl.k"}
    assert families == 1

    # The federation fields and the metrics are closed to every one of them (and to no token at all).
    reps = [{"__typename": "Family", "id": family_id}]
    for token in (admin, coordinator, second):
        for query, variables in ((SDL, {}), (ENTITIES, {"r": reps})):
            response = await prod.graphql(query, token, **variables)
            assert "type Query" not in response.text
            assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        metrics = await prod.client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert metrics.status_code in (401, 404)
        assert "hub_" not in metrics.text
    assert (await prod.graphql(SDL, None)).status_code == 401
    assert (await prod.client.get("/metrics")).status_code in (401, 404)
