"""Log amplification: a request cannot make the log much bigger than itself, a burst of identical bad requests
writes a bounded number of lines, and no request text (documents, aliases, variables, bodies) is logged."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.logging import (
    MAX_LINE_CHARS,
    SAMPLE_BURST,
    ClientErrorSampler,
    MaskedJsonFormatter,
    configure_logging,
)
from tests.support.stack import Stack, running_stack

MARKER = "Zq9MarkerCpr0101801234"


class FrozenClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def log() -> Iterator[tuple[io.StringIO, FrozenClock]]:
    """The hub's own logging configuration, writing into a buffer; the sampler on a clock the test moves."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("INFO")
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    handler.setStream(buffer)
    clock = FrozenClock()
    sampler = next(f for f in handler.filters if isinstance(f, ClientErrorSampler))
    sampler.clock = clock
    yield buffer, clock
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    logging.getLogger("uvicorn.access").disabled = False


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=2, seed=7) as s:
        yield s


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def _big_document(size: int) -> str:
    fields = " ".join(f"{MARKER}{i}: me {{ username }}" for i in range(size // 40))
    return "{ " + fields + " " + "x" * max(0, size - len(fields)) + " }"


async def test_a_42_kb_anonymous_request_writes_a_bounded_log(
    stack: Stack, log: tuple[io.StringIO, Any]
) -> None:
    buffer, _ = log
    document = _big_document(42_000)
    response = await stack.client.post("/graphql", json={"query": document, "variables": {"v": MARKER * 100}})
    assert response.status_code == 401
    assert len(buffer.getvalue()) < 2_000
    assert MARKER not in buffer.getvalue()


@pytest.mark.parametrize(
    "document",
    [
        _big_document(42_000),  # aliases galore, over the alias limit
        "{ " + " ".join(f"{MARKER}{i}" for i in range(1500)) + " }",  # unknown fields named by the client
        "{ me { username } " + MARKER * 1000,  # a syntax error at the end
        "query " + MARKER * 1000 + " { me { username } }",  # a long operation name
    ],
)
async def test_a_42_kb_bad_request_writes_a_bounded_log_without_its_text(
    stack: Stack, log: tuple[io.StringIO, Any], document: str
) -> None:
    buffer, _ = log
    token = stack.token("tovholder")
    response = await stack.client.post(
        "/graphql",
        json={"query": document, "variables": {"v": MARKER * 100}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (200, 400, 413), response.status_code
    text = buffer.getvalue()
    assert len(text) < 4_000, text[:500]
    assert MARKER not in text


async def test_aliases_and_variables_of_failing_fields_stay_out_of_the_log(
    stack: Stack, log: tuple[io.StringIO, Any]
) -> None:
    buffer, _ = log
    body = await stack.graphql(
        f"query($id: ID!) {{ {MARKER}: family(id: $id) {{ id }} }}",
        {"id": MARKER},
        token=stack.token("tovholder"),
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    records = _lines(buffer)
    assert MARKER not in buffer.getvalue()
    graphql = next(r for r in records if r["message"] == "graphql errors")
    assert graphql["fields"] == ["family"]  # the schema's field, not the client's alias


async def test_a_burst_of_identical_bad_requests_writes_a_bounded_number_of_lines(
    stack: Stack, log: tuple[io.StringIO, FrozenClock]
) -> None:
    buffer, clock = log
    token = stack.token("tovholder")
    for _ in range(1000):
        response = await stack.client.post(
            "/graphql", json={"query": "{ nope }"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        await stack.client.get("/no-such-page")  # 404s: another client error, its own key
    lines = _lines(buffer)
    # Per key (the GraphQL client error, the 404 request line): the burst, and nothing more on a frozen clock.
    assert len(lines) <= 3 * SAMPLE_BURST + 5, len(lines)
    assert sum(1 for r in lines if r["message"] == "graphql errors") == SAMPLE_BURST
    # Time passes: the next one gets through and says how many were dropped.
    clock.now += 10
    await stack.client.post(
        "/graphql", json={"query": "{ nope }"}, headers={"Authorization": f"Bearer {token}"}
    )
    last = [r for r in _lines(buffer) if r["message"] == "graphql errors"][-1]
    assert last["suppressed"] == 1000 - SAMPLE_BURST


async def test_ordinary_requests_are_not_sampled(stack: Stack, log: tuple[io.StringIO, Any]) -> None:
    buffer, _ = log
    for _ in range(SAMPLE_BURST * 2):
        assert (await stack.client.get("/healthz")).status_code == 200
    assert sum(1 for r in _lines(buffer) if r["message"] == "request") == SAMPLE_BURST * 2


def test_a_line_is_bounded_and_stays_valid_json() -> None:
    formatter = MaskedJsonFormatter("%(levelname)s %(name)s %(message)s")
    record = logging.LogRecord("hub.x", logging.INFO, __file__, 1, "m" * 50_000, None, None)
    record.field = "f" * 1_000_000
    record.items = list(range(100_000))
    record.nested = {str(i): {"a": ["x"] * 50} for i in range(100)}
    line = formatter.format(record)
    assert len(line) <= MAX_LINE_CHARS
    data = json.loads(line)
    assert "…[truncated" in data["field"]
    assert "…[truncated" in data["message"]
    assert data["items"][-1] == "…[truncated 99980 items]"
    assert len(data["nested"]) == 21  # 20 keys and the marker
    many = logging.LogRecord("hub.x", logging.INFO, __file__, 1, "many", None, None)
    for i in range(200):
        setattr(many, f"f{i}", "y" * 1000)
    replaced = json.loads(formatter.format(many))
    assert replaced["truncated"] is True
    assert replaced["message"] == "many"


def test_the_sampler_forgets_old_keys_and_lets_keyless_records_pass() -> None:
    clock = FrozenClock()
    sampler = ClientErrorSampler(burst=2, per_second=1.0, max_keys=10, clock=clock)

    def record(key: object | None) -> logging.LogRecord:
        r = logging.LogRecord("hub.x", logging.INFO, __file__, 1, "x", None, None)
        if key is not None:
            r.rate_key = key
        return r

    assert [sampler.filter(record("a")) for _ in range(4)] == [True, True, False, False]
    assert all(sampler.filter(record(None)) for _ in range(100))
    for i in range(1000):
        sampler.filter(record(("k", i)))
    assert len(sampler._buckets) == 10
    clock.now += 1
    passed = record("a")
    assert sampler.filter(passed)  # "a" was forgotten: a fresh bucket
    uvicorn = logging.LogRecord(
        "uvicorn.error", logging.WARNING, __file__, 1, "Invalid HTTP request received.", None, None
    )
    assert [sampler.filter(uvicorn) for _ in range(3)] == [True, True, False]
