"""Issue #17's production start, end to end: the hub in production mode on PostgreSQL, an external issuer (keys
generated here, its JWKS served by this test on 127.0.0.1), the five department systems with their own
credentials, and nothing of development. The README's operations, sent as trusted documents (by id), work;
ad-hoc documents, introspection, misspelt fields (suggestions), oversized bodies and over-limit rates are refused."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from connectors.mock.runner import running_departments
from hub.app import build_services, create_app
from hub.crypto import CprVault
from hub.documents.manifest import ROOT, document_id, load
from hub.domain import Department
from hub.ingestion.feed import family_channel
from hub.persistence.engine import create_engine, create_session_factory
from hub.pubsub import InProcessPubSub
from hub.seed import seed_world
from hub.settings import Environment, Settings
from hub.world import World, generate_world
from hub.world.generator import DEMO_FAMILIES, DEMO_SEED
from tests.e2e.test_production_edge import _fresh, _secret, _token, issuer

sys.path.insert(0, str(ROOT / "tests" / "integration" / "ingestion"))
from ws_support import receive_text, serving

from tests.support.waits import IT_HAPPENS_S, listening

__all__ = ["issuer"]  # the fixture, shared with test_production_edge.py

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

OPERATIONS = ROOT / "schema" / "operations"
README = {p.stem: p.read_text(encoding="utf-8") for p in (OPERATIONS / "readme").glob("*.graphql")}
ME = (OPERATIONS / "Me.graphql").read_text(encoding="utf-8")
PUSH_DEPARTMENT_UPDATES = (OPERATIONS / "PushDepartmentUpdates.graphql").read_text(encoding="utf-8")
QUERY_BUDGET = 12  # queries per hour per principal: the test spends it on purpose
METRICS_TOKEN = "prometheus-scrape-token-0123456789"


@pytest.fixture
async def hub_app(
    tmp_path: Path, postgres_database: str, issuer: tuple[str, RSAKey]
) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette, World]]:
    url, _ = issuer
    world = generate_world(DEMO_FAMILIES, DEMO_SEED)
    credentials = {d: _secret() for d in Department}
    admin = _secret()
    async with running_departments(
        world,
        dict.fromkeys(Department, "http://127.0.0.1:0"),
        credentials={d: [c] for d, c in credentials.items()},
        admin_token=admin,
    ) as departments:
        settings = Settings(
            env=Environment.PRODUCTION,
            database_url=postgres_database,
            var_dir=tmp_path / "var",
            dev_issuer=False,
            oidc_issuer=url,
            oidc_jwks_url=f"{url}/certs",
            oidc_algorithm="RS256",
            cpr_encryption_key=_secret(),
            cpr_hash_key=_secret(),
            mock_admin_token=admin,
            max_body_bytes=64 * 1024,
            metrics_token=METRICS_TOKEN,
            rate_limit_query=f"{QUERY_BUDGET}/hour",
            **{f"{d.value.lower()}_url": u for d, u in departments.urls.items()},
            **{f"{d.value.lower()}_credential": c for d, c in credentials.items()},
            **{f"{d.value.lower()}_webhook_secret": _secret() for d in Department},
        )
        assert settings.trusted_documents_required
        assert not settings.introspection_enabled
        engine = create_engine(settings.database_url)
        await _fresh(engine)
        await seed_world(create_session_factory(engine), world, CprVault.from_settings(settings))
        await engine.dispose()
        app = create_app(settings, services=build_services(settings))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as client,
        ):
            yield client, app, world


@contextlib.asynccontextmanager
async def following(base_url: str, token: str, pubsub: InProcessPubSub) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection following family F00002 with the README's subscription, by id."""
    url = base_url.replace("http", "ws", 1) + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=IT_HAPPENS_S) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert (await receive_text(ws, 5))["type"] == "connection_ack"
        ad_hoc = {"query": 'subscription { familyUpdated(familyId: "F00002") { kind } }'}
        await ws.send(json.dumps({"id": "ad-hoc", "type": "subscribe", "payload": ad_hoc}))
        refused = await receive_text(ws, 5)
        assert (refused["type"], refused["id"]) == ("error", "ad-hoc"), refused
        assert refused["payload"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
        trusted = {"documentId": document_id(README["FamilyUpdated"])}
        await ws.send(json.dumps({"id": "readme", "type": "subscribe", "payload": trusted}))
        await listening(pubsub, family_channel("F00002"))
        yield ws


SECTIONS = {"social": "SOF", "employment": "BIF", "childAndYouth": "BUF", "leisure": "KFF", "health": "SUF"}


def _push_event(world: World, members: list[dict[str, Any]]) -> tuple[Department, dict[str, Any]]:
    """A department's new version of a record the coordinator sees live (status OK in the README's view)."""
    family = next(f for f in world.families if f.key == "F00002")
    cprs = {f"{p.first_name} {p.last_name}": p.cpr for p in family.members}
    for member in members:
        cpr = cprs.get(member["name"], "")
        for section, code in SECTIONS.items():
            department = Department(code)
            record = world.department_records[department].get(cpr)
            if member[section]["status"] == "OK" and record is not None:
                event = {
                    "eventId": f"e2e-{department.value}-1",
                    "department": department.value,
                    "subjectCpr": cpr,
                    "recordKind": "person",
                    "recordId": f"{department.value}-e2e",
                    "version": 1,
                    "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
                    "record": record,
                }
                return department, event
    raise AssertionError("the README's family shows no live department section")


def errors(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors") or []}


async def test_production_runs_the_readme_operations_and_refuses_everything_else(
    hub_app: tuple[httpx.AsyncClient, Starlette, World], issuer: tuple[str, RSAKey]
) -> None:
    hub, app, world = hub_app
    token = _token(issuer, "tovholder")
    headers = {"Authorization": f"Bearer {token}"}
    manifest = load()

    async def by_id(body: str, **extra: Any) -> httpx.Response:
        assert document_id(body) in manifest
        return await hub.post(
            "/graphql", json={"documentId": f"sha256:{document_id(body)}", **extra}, headers=headers
        )

    # The README's reads, as trusted documents: live data from all five departments.
    view = (await by_id(README["FamilyView"])).json()
    assert errors(view) <= {"CONSENT_REQUIRED"}, view
    members = view["data"]["family"]["members"]
    sections = ("social", "employment", "childAndYouth", "leisure", "health")
    assert {s for m in members for s in sections if m[s]["status"] == "OK"} == set(sections)
    apollo = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": document_id(README["FamilyPlan"])}}
    }
    plan = (await hub.post("/graphql", json=apollo, headers=headers)).json()
    assert "errors" not in plan, plan
    assert plan["data"]["family"]["plan"]["goals"]
    # ... its subscription (over WebSocket, by id; an ad-hoc one is refused there too), hearing a department
    # system's push (the push operation, by id), and its writes: typed answers, never a failure.
    async with (
        serving(app) as base_url,
        following(base_url, token, app.state.services.extras["pubsub"]) as ws,
    ):
        department, event = _push_event(world, members)
        system = {"Authorization": f"Bearer {_token(issuer, f'{department.value.lower()}-system')}"}
        pushed = await hub.post(
            "/graphql",
            json={"documentId": document_id(PUSH_DEPARTMENT_UPDATES), "variables": {"events": [event]}},
            headers=system,
        )
        assert pushed.json()["data"]["pushDepartmentUpdates"]["applied"] == 1, pushed.text
        update = await receive_text(ws, 10)
        assert (update["type"], update["id"]) == ("next", "readme"), update
        assert update["payload"]["data"]["familyUpdated"]["department"] == department.value
        goal = (await by_id(README["UpdateGoal"])).json()
        assert "errors" not in goal, goal
        assert goal["data"]["updateGoal"]["__typename"] in {"PlanGoal", "PlanConflictError"}
        closed = (await by_id(README["CloseFamily"])).json()
        assert "errors" not in closed, closed
        assert closed["data"]["closeFamily"]["family"]["status"] == "CLOSED"

    # Anything not on the list is refused before it is parsed: ad hoc, introspection, misspelt (no suggestion).
    for document in (
        '{ family(id: "F00002") { name } }',
        "{ __schema { types { name } } }",
        "{ familys { id } }",
        ME + " ",  # one character off a trusted document is another document
    ):
        refused = await hub.post("/graphql", json={"query": document}, headers=headers)
        assert refused.status_code == 400, document
        assert errors(refused.json()) == {"OPERATION_NOT_ALLOWED"}
        assert "Did you mean" not in refused.text
        assert "__schema" not in refused.text
    unknown = await hub.post("/graphql", json={"documentId": document_id("{ me { role } }")}, headers=headers)
    assert errors(unknown.json()) == {"PERSISTED_QUERY_NOT_FOUND"}

    # An oversized body is refused while it is read.
    assert (await by_id(ME, variables={"pad": "x" * 70_000})).status_code == 413

    # The principal's query budget: spent, then 429 with Retry-After until the window moves.
    answers = [await by_id(ME) for _ in range(QUERY_BUDGET)]
    statuses = [a.status_code for a in answers]
    assert statuses.count(200) == QUERY_BUDGET - 2  # two queries were spent above (FamilyView, FamilyPlan)
    limited = answers[-1]
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert errors(limited.json()) == {"RATE_LIMITED"}
    metrics = (await hub.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})).text
    assert 'familiehub_rate_limited_total{kind="query"} 2.0' in metrics

    # No GraphiQL, no development issuer's keys.
    assert (await hub.get("/graphiql")).status_code == 404
    assert (await hub.get("/.well-known/jwks.json")).status_code == 404
