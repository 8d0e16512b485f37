"""Fixtures for the mock department services: a small world, clients on port 0, and per-department adapters.

An adapter knows how to speak one department's dialect (paths, auth header, batch body, where found and
not-found live), so every contract test is written once and parametrised over all five departments.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft202012Validator

from connectors.mock import create_department_app
from connectors.mock.openapi import BUILDERS
from hub.domain import Department
from hub.world import World, generate_world

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
ADMIN = {"Authorization": "Bearer dev-admin"}
UNKNOWN_CPR = "0101011234"  # valid format; world serials are all 9xxx, so no world person has it


@dataclass(frozen=True)
class Adapter:
    department: Department
    record_schema: str
    error_schema: str
    auth: Callable[[str], dict[str, str]]
    single: Callable[[str], tuple[str, dict[str, str]]]  # cpr -> (path, query)
    batch: Callable[[list[str]], tuple[str, dict[str, Any]]]  # cprs -> (path, body)
    found: Callable[[dict[str, Any]], list[dict[str, Any]]]
    missing: Callable[[dict[str, Any]], list[str]]
    record_cpr: Callable[[dict[str, Any]], str]
    list_page: Callable[[int, Any], tuple[str, dict[str, str]]]  # (limit, cursor) -> (path, query)
    list_items: Callable[[dict[str, Any]], list[dict[str, Any]]]
    list_next: Callable[[dict[str, Any]], Any]  # the next cursor, or None on the last page

    @property
    def credential(self) -> str:
        return f"dev-{self.department.value.lower()}-hub"

    def headers(self, credential: str | None = None) -> dict[str, str]:
        return self.auth(credential or self.credential)

    def validator(self, schema: str) -> Draft202012Validator:
        doc = BUILDERS[self.department]()
        return Draft202012Validator(
            {"$ref": f"#/components/schemas/{schema}", "components": doc["components"]}
        )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _api_key(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def _suf_next(body: dict[str, Any]) -> str | None:
    for link in body["link"]:
        if link["relation"] == "next":
            return str(link["url"]).split("_page_token=")[1]
    return None


def _suf_missing(body: dict[str, Any]) -> list[str]:
    return [
        e["response"]["location"].rpartition("|")[2]
        for e in body["entry"]
        if e["response"]["status"].startswith("404")
    ]


ADAPTERS: dict[Department, Adapter] = {
    Department.SOF: Adapter(
        Department.SOF,
        "Borger",
        "Fejl",
        _bearer,
        single=lambda cpr: (f"/api/v1/borgere/{cpr}", {}),
        batch=lambda cprs: ("/api/v1/borgere/opslag", {"cprNumre": cprs}),
        found=lambda b: b["fundne"],
        missing=lambda b: b["ikkeFundne"],
        record_cpr=lambda r: r["cpr"],
        list_page=lambda n, c: ("/api/v1/sager", {"antal": str(n), **({"efter": c} if c else {})}),
        list_items=lambda b: b["sager"],
        list_next=lambda b: b["naesteSide"],
    ),
    Department.BIF: Adapter(
        Department.BIF,
        "Citizen",
        "ProblemDetails",
        _api_key,
        single=lambda cpr: (f"/api/v2/Citizens/{cpr}", {}),
        batch=lambda cprs: ("/api/v2/Citizens/Lookup", {"CprNumbers": cprs}),
        found=lambda b: b["Citizens"],
        missing=lambda b: b["NotFound"],
        record_cpr=lambda r: r["Cpr"],
        list_page=lambda n, c: ("/api/v2/Citizens", {"PageSize": str(n), **({"PageToken": c} if c else {})}),
        list_items=lambda b: b["Items"],
        list_next=lambda b: b["NextPageToken"],
    ),
    Department.BUF: Adapter(
        Department.BUF,
        "Child",
        "Error",
        _bearer,
        single=lambda cpr: (f"/v1/children/{cpr}", {}),
        batch=lambda cprs: ("/v1/children:batchGet", {"cprNumbers": cprs}),
        found=lambda b: b["children"],
        missing=lambda b: b["notFound"],
        record_cpr=lambda r: r["cpr"],
        list_page=lambda n, c: ("/v1/children", {"pageSize": str(n), **({"pageToken": c} if c else {})}),
        list_items=lambda b: b["children"],
        list_next=lambda b: b["nextPageToken"] or None,
    ),
    Department.KFF: Adapter(
        Department.KFF,
        "Member",
        "Error",
        _api_key,
        single=lambda cpr: (f"/v1/members/{cpr}", {}),
        batch=lambda cprs: ("/v1/members/lookup", {"cpr_numbers": cprs}),
        found=lambda b: b["members"],
        missing=lambda b: b["not_found"],
        record_cpr=lambda r: r["cpr"],
        list_page=lambda n, c: ("/v1/members", {"limit": str(n), "offset": str(c or 0)}),
        list_items=lambda b: b["members"],
        list_next=lambda b: b["next_offset"],
    ),
    Department.SUF: Adapter(
        Department.SUF,
        "PatientSummary",
        "OperationOutcome",
        _bearer,
        single=lambda cpr: ("/fhir/Patient/$summary", {"identifier": f"{CPR_SYSTEM}|{cpr}"}),
        batch=lambda cprs: (
            "/fhir/Patient/$batch-summary",
            {
                "resourceType": "Parameters",
                "parameter": [
                    {"name": "identifier", "valueIdentifier": {"system": CPR_SYSTEM, "value": c}}
                    for c in cprs
                ],
            },
        ),
        found=lambda b: [e["resource"] for e in b["entry"] if "resource" in e],
        missing=_suf_missing,
        record_cpr=lambda r: r["identifier"][0]["value"],
        list_page=lambda n, c: ("/fhir/Patient", {"_count": str(n), **({"_page_token": c} if c else {})}),
        list_items=lambda b: b["entry"],
        list_next=_suf_next,
    ),
}


@pytest.fixture(scope="session")
def world() -> World:
    return generate_world(30, seed=11)


@pytest.fixture(params=list(Department), ids=[d.value for d in Department])
def adapter(request: pytest.FixtureRequest) -> Adapter:
    return ADAPTERS[request.param]


MakeClient = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def make_client(world: World) -> AsyncIterator[MakeClient]:
    """Start a department app on 127.0.0.1, port 0; everything not given comes from an empty environment."""
    clients: list[TestClient[Any, Any]] = []

    async def make(department: Department, **kwargs: Any) -> TestClient[Any, Any]:
        kwargs.setdefault("environ", {})
        app = create_department_app(department, kwargs.pop("world", world), **kwargs)
        client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client: MakeClient, adapter: Adapter) -> TestClient[Any, Any]:
    return await make_client(adapter.department)
