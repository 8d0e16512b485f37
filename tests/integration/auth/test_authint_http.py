"""Authentication at the edge: HTTP 401, closed WebSockets, the dev JWKS, lists that hide what they must."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from starlette.types import Message

from hub.access.facts import load_facts
from hub.access.policy import visible_family_ids
from hub.app import create_app
from hub.auth.authenticator import AUTHENTICATE, Authenticator
from hub.auth.dev_issuer import KEY_FILE, DevIssuer
from hub.settings import Environment, ProductionConfigError, Settings
from tests.support.stack import Stack

FAMILIES_QUERY = "{ families(first: 100) { totalCount edges { node { id name } } } }"


async def post(stack: Stack, query: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    response = await stack.client.post("/graphql", json={"query": query}, headers=headers or {})
    return response.status_code, response.json()


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-token",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0b3Zob2xkZXIifQ.",
        "Basic dG92aG9sZGVyOnB3",
        "Bearer",
    ],
)
async def test_a_bad_token_is_http_401_without_detail(stack: Stack, authorization: str) -> None:
    status, body = await post(stack, FAMILIES_QUERY, {"Authorization": authorization})
    assert status == 401
    assert body == {
        "errors": [{"message": "invalid or missing credentials", "extensions": {"code": "UNAUTHENTICATED"}}]
    }


async def test_expired_and_foreign_tokens_are_401(stack: Stack, tmp_path: Path) -> None:
    issuer = DevIssuer.from_settings(stack.settings)
    foreign = DevIssuer.from_settings(stack.settings.model_copy(update={"var_dir": tmp_path / "other"}))
    expired = DevIssuer(
        issuer._key,
        issuer=issuer.issuer,
        audience=issuer.audience,
        algorithm="ES256",
        clock=lambda: 1_000_000_000,
    ).mint("tovholder", ttl_s=60)
    for token in (expired, foreign.mint("tovholder"), issuer.mint("no-such-user")):
        status, body = await post(stack, FAMILIES_QUERY, {"Authorization": f"Bearer {token}"})
        assert status == 401
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_anonymous_requests_are_unauthenticated_in_graphql(stack: Stack) -> None:
    # Refused at the edge, before the document is parsed: the same 401 and body as a bad token.
    status, body = await post(stack, FAMILIES_QUERY)
    assert status == 401
    assert body == {
        "errors": [{"message": "invalid or missing credentials", "extensions": {"code": "UNAUTHENTICATED"}}]
    }


async def test_the_dev_jwks_verifies_the_dev_tokens(stack: Stack) -> None:
    response = await stack.client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kid"] == DevIssuer.from_settings(stack.settings).kid
    assert "d" not in key
    assert (stack.settings.var_dir / KEY_FILE).stat().st_mode & 0o077 == 0


async def test_lists_and_searches_hold_only_visible_families(stack: Stack) -> None:
    today = stack.services.clock().date()
    authenticator: Authenticator = stack.services.extras[AUTHENTICATE]
    all_ids = {f.key for f in stack.world.families}
    hidden_names = {}
    for username in (
        "tovholder",
        "sof-kerne",
        "bif-kerne-2",
        "sof-sagsbehandler",
        "borger-F00001-1",
        "admin",
    ):
        principal = await authenticator.users.principal_for(username)
        async with stack.services.sessions() as session:
            visible = visible_family_ids(principal, await load_facts(session, principal, today))
        status, body = await post(stack, FAMILIES_QUERY, {"Authorization": f"Bearer {stack.token(username)}"})
        assert status == 200, body
        got = {e["node"]["id"] for e in body["data"]["families"]["edges"]}
        assert got == visible, username
        assert body["data"]["families"]["totalCount"] == len(visible)
        hidden_names[username] = all_ids - visible
    assert hidden_names["tovholder"] == set()
    assert hidden_names["sof-kerne"]  # a subset: some families are not this worker's
    # A search for a hidden family's name finds nothing: it does not exist for this worker.
    hidden = sorted(hidden_names["sof-kerne"])[0]
    family = next(f for f in stack.world.families if f.key == hidden)
    for term in (family.members[0].last_name, family.members[0].first_name):
        query = (
            "{ families(filter: {search: " + json.dumps(term) + "}) { totalCount edges { node { id } } } }"
        )
        _status, body = await post(stack, query, {"Authorization": f"Bearer {stack.token('sof-kerne')}"})
        assert hidden not in {e["node"]["id"] for e in body["data"]["families"]["edges"]}


async def test_an_unassigned_family_is_indistinguishable_from_a_missing_one(stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {stack.token('admin')}"}
    answers = []
    for family_id in ("F00001", "F99999"):
        _status, body = await post(stack, '{ family(id: "' + family_id + '") { id name } }', headers)
        answers.append((body["data"], body["errors"][0]["message"], body["errors"][0]["extensions"]))
    assert answers[0] == answers[1]
    assert answers[0][2]["code"] == "NOT_FOUND"


def test_production_refuses_to_start_with_the_dev_issuer(tmp_path: Path) -> None:
    settings = Settings(
        env=Environment.PRODUCTION,
        dev_issuer=True,
        var_dir=tmp_path / "var",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
    )
    with pytest.raises(ProductionConfigError, match="HUB_DEV_ISSUER"):
        create_app(settings)
    assert not (tmp_path / "var" / KEY_FILE).exists()  # refused before any development key was made


# --- WebSockets -------------------------------------------------------------------------------------


async def websocket_session(
    stack: Stack, headers: dict[str, str], messages: list[dict[str, Any]]
) -> list[Message]:
    """Drive the app's /graphql WebSocket by hand: connect, send `messages`, collect what the hub sends."""
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    sent: list[Message] = []
    await inbox.put({"type": "websocket.connect"})
    for message in messages:
        await inbox.put({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive() -> Message:
        if inbox.empty() and any(m["type"] == "websocket.close" for m in sent):
            return {"type": "websocket.disconnect", "code": 1000}
        try:
            return await asyncio.wait_for(inbox.get(), timeout=1.0)
        except TimeoutError:
            return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "scheme": "ws",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"sec-websocket-protocol", b"graphql-transport-ws"), (b"host", b"hub.test")],
        "subprotocols": ["graphql-transport-ws"],
        "client": ("127.0.0.1", 1234),
        "server": ("hub.test", 80),
    }
    await asyncio.wait_for(stack.app(scope, receive, send), timeout=10)
    return sent


def _types(sent: list[Message]) -> list[str]:
    return [m["type"] for m in sent]


def _texts(sent: list[Message]) -> list[dict[str, Any]]:
    return [json.loads(m.get("text") or m["bytes"]) for m in sent if m["type"] == "websocket.send"]


async def test_a_websocket_with_a_bad_token_header_is_refused(stack: Stack) -> None:
    sent = await websocket_session(stack, {"Authorization": "Bearer junk"}, [{"type": "connection_init"}])
    assert _types(sent) == ["websocket.close"]  # closed before it was ever accepted
    assert sent[0]["code"] == 4401


async def test_a_websocket_with_a_bad_token_in_connection_init_is_closed(stack: Stack) -> None:
    sent = await websocket_session(
        stack, {}, [{"type": "connection_init", "payload": {"Authorization": "Bearer junk"}}]
    )
    assert "websocket.accept" in _types(sent)
    assert not [t for t in _texts(sent) if t.get("type") == "connection_ack"]
    close = next(m for m in sent if m["type"] == "websocket.close")
    assert close["code"] == 4401


async def test_a_websocket_without_any_token_is_closed_before_a_document_is_read(stack: Stack) -> None:
    sent = await websocket_session(
        stack,
        {},
        [
            {"type": "connection_init"},
            {"id": "1", "type": "subscribe", "payload": {"query": "{ familys { id } }"}},
        ],
    )
    assert not [t for t in _texts(sent) if t.get("type") in ("connection_ack", "error", "next")]
    close = next(m for m in sent if m["type"] == "websocket.close")
    assert close["code"] == 4401


async def test_a_websocket_with_a_good_token_in_connection_init_is_acknowledged(stack: Stack) -> None:
    token = stack.token("tovholder")
    sent = await websocket_session(
        stack,
        {},
        [
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}},
            {"id": "1", "type": "subscribe", "payload": {"query": "{ me { username role } }"}},
        ],
    )
    texts = _texts(sent)
    assert texts[0]["type"] == "connection_ack"
    data = next(t for t in texts if t.get("type") == "next")["payload"]["data"]
    assert data == {"me": {"username": "tovholder", "role": "COORDINATOR"}}
