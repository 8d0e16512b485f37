"""Nothing sensitive reaches a log line: not a failing document's inline CPR or names, not a SQL parameter when
the database fails during a push or a read.

Every captured record is checked as a whole (message and attributes) and as the JSON line the hub writes.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import event

from hub.audit.threaded import writer_engine
from hub.auth.seed import system_username
from hub.domain import Department
from hub.ingestion.webhook import signed_headers
from hub.logging import MaskedJsonFormatter
from tests.support.stack import Stack, running_stack

CPR = "120389-2014"
NAMES = ("Amina", "Haddad")
FORMATTER = MaskedJsonFormatter("%(levelname)s %(name)s %(message)s")


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=3, seed=5) as s:
        yield s


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        r.getMessage() + json.dumps(r.__dict__, default=str) + FORMATTER.format(r) for r in caplog.records
    )


def member(**overrides: Any) -> str:
    fields = {
        "cpr": f'"{CPR}"',
        "firstName": f'"{NAMES[0]}"',
        "lastName": f'"{NAMES[1]}"',
        "memberRole": "PARENT",
        "custodyHolders": "[]",
        **overrides,
    }
    return "{" + ", ".join(f"{k}: {v}" for k, v in fields.items()) + "}"


def refer(members: str) -> str:
    return (
        'mutation { referFamily(input: {district: NORREBRO, housingArea: "Mjølnerparken", '
        f'referralSource: "Skolen", members: [{members}]}}) {{ id }} }}'
    )


FAILING_DOCUMENTS = {
    # Validation: a CPR as a number where a string belongs (graphql-core quotes the literal in its message).
    "cpr as a number": refer(member(cpr=CPR.replace("-", ""))),
    # Validation: the whole input as a string holding a CPR and a name.
    "input as a string": f'mutation {{ referFamily(input: "{CPR} {NAMES[0]} {NAMES[1]}") {{ id }} }}',
    # Validation: a misspelt field next to the values.
    "unknown input field": refer(member(nickname=f'"{NAMES[0]}"')),
    # Execution: a well-formed referral the hub refuses (a child of 10 cannot be the only parent).
    "refused by the resolver": refer(member(cpr='"210715-4118"', memberRole="CHILD")),
    # Syntax: cut off after the CPR.
    "syntax error": refer(member())[:-12],
}


@pytest.mark.parametrize("name", list(FAILING_DOCUMENTS))
async def test_failing_documents_with_inline_cprs_and_names_are_not_logged(
    stack: Stack, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    token = stack.token("tovholder")
    with caplog.at_level(logging.DEBUG):
        body = await stack.graphql(FAILING_DOCUMENTS[name], token=token)
    assert body["errors"], body
    text = logged(caplog)
    for secret in (CPR, CPR.replace("-", ""), *NAMES, "Mjølnerparken"):
        assert secret not in text, (name, secret)
    # What is logged instead: one INFO line with the count and the codes, nothing at ERROR.
    summaries = [r for r in caplog.records if r.getMessage() == "graphql errors"]
    assert len(summaries) == 1
    assert summaries[0].levelno == logging.INFO
    assert summaries[0].count == len(body["errors"])
    assert set(summaries[0].codes) == {e["extensions"]["code"] for e in body["errors"]}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if r.name.startswith("strawberry")]


@contextmanager
def failing_database(stack: Stack, when: str) -> Iterator[list[str]]:
    """Every statement starting with `when` fails as a dropped connection would (the driver's error)."""
    failed: list[str] = []

    def fail(conn: Any, cursor: Any, statement: str, parameters: Any, *_context: Any) -> None:
        if statement.lstrip().upper().startswith(when) and parameters:
            failed.append(statement)
            raise sqlite3.OperationalError("disk I/O error")

    # The audit appends run on an engine of their own on SQLite (hub/audit/threaded.py): fail them there too.
    engines = [stack.services.engine.sync_engine]
    audit_engine = writer_engine(stack.services.engine)
    if audit_engine is not None:
        engines.append(audit_engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", fail)
    try:
        yield failed
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", fail)


def push_event(stack: Stack, event_id: str) -> dict[str, Any]:
    cpr, record = sorted(stack.world.department_records[Department.SOF].items())[0]
    return {
        "eventId": event_id,
        "department": "SOF",
        "subjectCpr": cpr,
        "recordKind": "person",
        "recordId": "SOF-1",
        "version": 7,
        "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        "record": record,
    }


PUSH = """mutation($events: [DepartmentEventInput!]!) {
  pushDepartmentUpdates(events: $events) { results { eventId status } } }"""


async def test_a_database_error_during_a_push_logs_no_parameter(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    event_id = f"evt-sentinel-{uuid.uuid4().hex}"
    pushed = push_event(stack, event_id)
    body = orjson.dumps({"events": [pushed]})
    secret = stack.settings.webhook_secret(Department.SOF)
    with caplog.at_level(logging.DEBUG), failing_database(stack, "INSERT") as failed:
        response = await stack.client.post(
            "/webhooks/SOF", content=body, headers=signed_headers(secret, body)
        )
        graphql = await stack.graphql(
            PUSH, {"events": [pushed]}, token=stack.token(system_username(Department.SOF))
        )
    assert failed, "the injected failure never fired"
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "INTERNAL"
    assert graphql["errors"][0]["extensions"]["code"] == "INTERNAL"
    text = logged(caplog)
    assert "disk I/O error" not in text  # a driver's message is never logged (it may quote values)
    for secret_value in (event_id, pushed["subjectCpr"], *_strings(pushed["record"])):
        assert secret_value not in text, secret_value
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    assert all("sqlite3.OperationalError" in r.error_type for r in errors)


@pytest.mark.parametrize("failing", ["SELECT", "INSERT"])  # the read itself, or its audit entries
async def test_a_database_error_during_a_read_logs_no_parameter(
    stack: Stack, caplog: pytest.LogCaptureFixture, failing: str
) -> None:
    family = stack.world.families[1]
    token = stack.token("tovholder")
    query = "query($id: ID!) { family(id: $id) { name members { name cpr } } }"
    await stack.graphql("{ me { username } }", token=token)  # the user look-up is cached before the failure
    with caplog.at_level(logging.DEBUG), failing_database(stack, failing) as failed:
        response = await stack.client.post(
            "/graphql",
            json={"query": query, "variables": {"id": family.key}},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert failed
    # The read model's per-request epoch read fails before the operation runs (500); later reads fail inside it.
    assert response.status_code in (200, 500)
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    text = logged(caplog)
    assert "disk I/O error" not in text
    assert family.key not in text
    for person in family.members:
        assert person.cpr not in text
        assert person.first_name + " " + person.last_name not in text
    assert all(not r.exc_info for r in caplog.records)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if len(value) >= 8 else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
