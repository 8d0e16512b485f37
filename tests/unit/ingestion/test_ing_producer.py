"""The mock change producer: edits the mock world, pushes signed events, retries with the same event id."""

from __future__ import annotations

import random

import httpx
import orjson

from connectors.mock.producer import ChangeProducer, ProducerConfig
from hub.domain import Department
from hub.ingestion.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from hub.ingestion.wire import connector_parsers, parse_wire
from hub.world import generate_world

SECRETS = {d: f"secret-{d.value}" for d in Department}


def _producer(handler, **config) -> tuple[ChangeProducer, list[float]]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    producer = ChangeProducer(
        generate_world(4, 9),
        ProducerConfig(hub_url="http://hub.test", secrets=SECRETS, **config),
        client=client,
        rng=random.Random(3),
        sleep=sleep,
    )
    return producer, waits


def test_a_change_edits_the_mock_world_and_still_fits_the_wire_format() -> None:
    producer, _ = _producer(lambda r: httpx.Response(200))
    parsers = connector_parsers()
    versions: dict[tuple[str, str], int] = {}
    for _ in range(60):
        change = producer.next_change()
        assert change is not None
        event = change.event
        served = producer.world.department_records[change.department][event["subjectCpr"]]
        assert served == event["record"]  # the department now serves the new state
        parse_wire(parsers, change.department, event["record"])
        key = (event["department"], event["recordId"])
        assert event["version"] > versions.get(key, -1)
        versions[key] = event["version"]


async def test_transient_failures_are_retried_with_the_same_event_id_and_fresh_signatures() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            raise httpx.ConnectError("refused")
        if len(seen) == 2:
            return httpx.Response(503)
        return httpx.Response(200, json={"results": []})

    producer, waits = _producer(handler)
    change = producer.next_change(Department.BIF)
    assert change is not None
    assert await producer.deliver(change)
    assert len(seen) == 3
    assert len(waits) == 2
    ids = {orjson.loads(r.content)["events"][0]["eventId"] for r in seen}
    assert ids == {change.event["eventId"]}
    for request in seen:
        assert request.url.path == "/webhooks/BIF"
        verify(
            SECRETS[Department.BIF],
            request.headers[TIMESTAMP_HEADER],
            request.headers[SIGNATURE_HEADER],
            request.content,
            now=float(request.headers[TIMESTAMP_HEADER]),
            tolerance_s=300,
        )
    assert (producer.stats.delivered, producer.stats.retries) == (1, 2)


async def test_a_refusal_is_not_retried_and_giving_up_is_bounded() -> None:
    producer, waits = _producer(lambda r: httpx.Response(401), max_attempts=3)
    change = producer.next_change()
    assert change is not None
    assert not await producer.deliver(change)
    assert waits == []
    down, waits = _producer(lambda r: httpx.Response(500), max_attempts=3)
    change = down.next_change()
    assert change is not None
    assert not await down.deliver(change)
    assert len(waits) == 2
    assert down.stats.failed == 1


async def test_off_by_default() -> None:
    producer, waits = _producer(lambda r: httpx.Response(200))
    await producer.run()  # rate 0: returns at once
    assert producer.stats.produced == 0
    assert waits == []
    assert ProducerConfig.from_env({}).rate_per_minute == 0
    assert ProducerConfig.from_env({"MOCK_PRODUCER_RATE": "6", "HUB_PORT": "9000"}).hub_url.endswith(":9000")
