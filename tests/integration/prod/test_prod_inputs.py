"""Inputs that crashed the hub: a NUL character in an id or a string (INTERNAL on PostgreSQL) and a 400-digit
webhook timestamp (OverflowError, 500). Both are the client's mistake: BAD_USER_INPUT / 400, on SQLite and
PostgreSQL alike, refused where they enter (the GraphQL request, the webhook body), not per resolver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from hub.domain import Department
from hub.ingestion.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from tests.support.backends import create_postgres_database, drop_postgres_database
from tests.support.stack import Stack, running_stack

NUL = "\x00"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None: the stack's own SQLite file; else a fresh PostgreSQL database, dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture
async def stack(tmp_path: Path, database_url: str | None) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=2, seed=7, database_url=database_url) as s:
        yield s


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


# (document, variables): NUL in an ID variable, an ID literal, a nested input's string, a list, _entities.
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "id variable": ("query($id: ID!) { family(id: $id) { id } }", {"id": f"fam{NUL}1"}),
    "id literal": ('{ familyMember(id: "p\\u0000") { id } }', {}),
    "string literal in a nested input": (
        '{ families(filter: {search: "a\\u0000"}) { totalCount } }',
        {},
    ),
    "only NUL": ("query($id: ID!) { familyPlan(familyId: $id) { version } }", {"id": NUL}),
    "entities": (
        "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
        {"r": [{"__typename": "Family", "id": f"x{NUL}"}]},
    ),
    "mutation input": (
        "mutation($i: AddProgressNoteInput!) { addProgressNote(input: $i) { __typename } }",
        {"i": {"goalId": "g1", "text": f"note{NUL}"}},
    ),
    "unused variable": ("query($x: String) { me { username } }", {"x": NUL}),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_nul_in_graphql_input_is_bad_user_input(stack: Stack, case: str) -> None:
    document, variables = CASES[case]
    response = await stack.client.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"Authorization": f"Bearer {stack.token('tovholder')}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(_codes(body)) == {"BAD_USER_INPUT"}, body
    assert body.get("data") is None


async def test_the_same_requests_without_nul_still_work(stack: Stack) -> None:
    family_id = next(iter(stack.seeded.family_ids.values()))
    body = await stack.graphql(
        "query($id: ID!) { family(id: $id) { id } }", {"id": family_id}, token=stack.token("tovholder")
    )
    assert body["data"]["family"]["id"] == family_id
    body = await stack.graphql(
        '{ families(filter: {search: "a\\u00e6"}) { totalCount } }', token=stack.token("tovholder")
    )
    assert "errors" not in body


def _event(stack: Stack, **overrides: Any) -> dict[str, Any]:
    cpr, record = sorted(stack.world.department_records[Department.SOF].items())[0]
    return {
        "eventId": "nul-test-1",
        "department": "SOF",
        "subjectCpr": cpr,
        "recordKind": "person",
        "recordId": "SOF-1",
        "version": 1,
        "occurredAt": "2026-11-01T10:00:00+00:00",
        "record": record,
        **overrides,
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"eventId": f"e{NUL}"},
        {"recordId": NUL},
        {"subjectCpr": f"0101{NUL}"},
        {"record": {"note": f"x{NUL}y"}},
    ],
)
async def test_nul_in_a_webhook_event_is_400(stack: Stack, overrides: dict[str, Any]) -> None:
    body = orjson.dumps({"events": [_event(stack, **overrides)]})
    headers = signed_headers(stack.settings.webhook_secret(Department.SOF), body)
    response = await stack.client.post("/webhooks/SOF", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("timestamp", ["9" * 400, "1" * 13, "-1", "1e9", "0x10", "1767225600.5", "soon"])
async def test_a_malformed_webhook_timestamp_is_400_before_signature_work(
    stack: Stack, timestamp: str
) -> None:
    body = b'{"events": []}'
    headers = signed_headers(stack.settings.webhook_secret(Department.SOF), body)
    headers[TIMESTAMP_HEADER] = timestamp
    response = await stack.client.post("/webhooks/SOF", content=body, headers=headers)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "BAD_USER_INPUT"
    assert TIMESTAMP_HEADER in error["message"]
    assert timestamp not in error["message"]


async def test_a_good_signature_still_passes(stack: Stack) -> None:
    body = b'{"events": []}'
    headers = signed_headers(stack.settings.webhook_secret(Department.SOF), body)
    assert SIGNATURE_HEADER in headers
    response = await stack.client.post("/webhooks/SOF", content=body, headers=headers)
    assert response.status_code == 200, response.text
