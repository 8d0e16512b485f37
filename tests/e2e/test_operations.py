"""Operations from day one: health, readiness, metrics, request ids, hardening and error masking."""

from __future__ import annotations

import json
import logging
import re

import pytest

from hub.settings import Environment, Settings
from schema import build_schema
from tests.support.stack import Stack


async def test_health_ready_and_metrics(stack: Stack) -> None:
    assert (await stack.client.get("/healthz")).json() == {"status": "ok"}
    ready = await stack.client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["database"] is True
    assert set(body["departments"]) == {"SOF", "BIF", "BUF", "KFF", "SUF"}
    assert all(d["breaker"] == "closed" for d in body["departments"].values())
    await stack.graphql(
        '{ family(id: "F00001") { members { social { status } } } }', token=stack.token("tovholder")
    )
    metrics = (await stack.client.get("/metrics")).text
    assert "familiehub_http_requests_total" in metrics
    assert 'familiehub_connector_requests_total{department="SOF"' in metrics
    names = {
        line.split("{")[0].split(" ")[0] for line in metrics.splitlines() if line and not line.startswith("#")
    }
    assert all(n.startswith("familiehub_") for n in names), names


async def test_request_id_is_returned_and_a_safe_incoming_one_is_kept(stack: Stack) -> None:
    response = await stack.client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    response = await stack.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    response = await stack.client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert response.headers["x-request-id"] != "<script>"


async def test_anonymous_and_bad_tokens(stack: Stack) -> None:
    anonymous = await stack.client.post("/graphql", json={"query": '{ family(id: "F00001") { id } }'})
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    response = await stack.client.post(
        "/graphql", json={"query": "{ me { username } }"}, headers={"Authorization": "Bearer not-a-jwt"}
    )
    assert response.status_code == 401
    assert response.json() == anonymous.json()  # one shape: a missing and a bad token read the same


async def test_query_limits_are_query_too_complex(stack: Stack) -> None:
    token = stack.token("tovholder")
    # Tokens: a query longer than the token limit is refused before it is even parsed fully.
    long_query = "{ me { " + " ".join(["username"] * 4000) + " } }"
    body = await stack.graphql(long_query, token=token)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX", body["errors"][0]
    # Aliases: more than the alias limit.
    aliases = "{ " + " ".join(f"a{i}: me {{ username }}" for i in range(40)) + " }"
    body = await stack.graphql(aliases, token=token)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    # An ordinary deep family query is well within the limits.
    ok = '{ family(id: "F00001") { members { social { record { caseworker { name } } } } } }'
    assert "data" in await stack.graphql(ok, token=token)


async def test_depth_limit_is_query_too_complex() -> None:
    schema = build_schema(Settings(max_query_depth=3))
    query = '{ family(id: "F00001") { members { social { record { caseId } } } } }'
    result = await schema.execute(query)
    assert result.errors
    assert result.errors[0].extensions == {"code": "QUERY_TOO_COMPLEX"}


async def test_unexpected_errors_are_masked_with_the_request_id(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from hub.family import repository

    async def boom(*args: object, **kwargs: object) -> object:
        raise RuntimeError("secret detail 0101801234")

    monkeypatch.setattr(repository, "get_families", boom)
    with caplog.at_level(logging.ERROR, logger="hub.graphql"):
        response = await stack.client.post(
            "/graphql",
            json={"query": '{ family(id: "F00001") { id } }'},
            headers={"Authorization": f"Bearer {stack.token('tovholder')}", "X-Request-ID": "req-42"},
        )
    error = response.json()["errors"][0]
    assert error["message"] == "Internal error"
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-42"}
    assert "secret detail" not in response.text
    # The log gets where it happened (type and frames) and the request id, never the exception's message.
    (record,) = [r for r in caplog.records if r.getMessage() == "unexpected error in resolver"]
    assert record.error_type == "RuntimeError"
    assert any("boom" in frame for frame in record.stack)
    assert record.request_id == "req-42"
    assert not record.exc_info
    assert "secret detail" not in json.dumps(record.__dict__, default=str)


async def test_no_personal_data_in_logs(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    family = stack.world.families[0]
    with caplog.at_level(logging.DEBUG):
        await stack.graphql(
            "query($id: ID!) { family(id: $id) { members { name cpr social { status } health { status } } } }",
            {"id": family.key},
            token=stack.token("tovholder"),
        )
        await stack.set_faults(
            __import__("hub.domain").domain.Department.SOF, error_rate=1.0, error_status=500
        )
        await stack.graphql(
            "query($id: ID!) { family(id: $id) { members { social { status } } } }",
            {"id": family.key},
            token=stack.token("tovholder"),
        )
    text = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records)
    for member in family.members:
        assert member.cpr not in text
        assert member.cpr[:6] + "-" + member.cpr[6:] not in text
        assert member.first_name + " " + member.last_name not in text


async def test_introspection_is_off_in_production() -> None:
    prod = build_schema(Settings(env=Environment.PRODUCTION))
    result = await prod.execute("{ __schema { queryType { name } } }")
    assert result.errors
    dev = build_schema(Settings())
    assert (await dev.execute("{ __schema { queryType { name } } }")).errors is None


async def test_a_wrongly_typed_variable_is_bad_user_input(stack: Stack) -> None:
    body = await stack.graphql(
        "query($id: ID!) { family(id: $id) { id } }", {"id": {"not": "an id"}}, token=stack.token("tovholder")
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
