"""The mock producer pushing into the real hub: applied, and a lost acknowledgement retried safely."""

from __future__ import annotations

import random

import httpx

from connectors.mock.producer import ChangeProducer, ProducerConfig
from hub.domain import Department
from tests.support.stack import Stack


async def test_producer_changes_land_in_the_hub_and_retries_are_deduplicated(stack: Stack) -> None:
    answers: list[dict[str, object]] = []
    lose_first_ack = True
    transport = httpx.ASGITransport(app=stack.app)

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal lose_first_ack
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as hub:
            response = await hub.post(
                request.url.path, content=request.content, headers=dict(request.headers)
            )
        answers.append(response.json())
        if lose_first_ack:
            lose_first_ack = False
            return httpx.Response(502)  # the hub committed, but the acknowledgement was lost on the way back
        return httpx.Response(response.status_code, content=response.content)

    async def no_wait(_seconds: float) -> None:
        return None

    secrets = {d: stack.settings.webhook_secret(d) for d in Department}
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        producer = ChangeProducer(
            stack.world,
            ProducerConfig(hub_url="http://hub.test", secrets=secrets),
            client=client,
            rng=random.Random(5),
            sleep=no_wait,
        )
        for _ in range(5):
            change = producer.next_change()
            assert change is not None
            assert await producer.deliver(change)
    statuses = [a["results"][0]["status"] for a in answers]  # type: ignore[index]
    assert statuses == ["APPLIED"] * 6  # the retried one answered as the first time, nothing applied twice
    assert answers[0] == answers[1]
    assert producer.stats.delivered == 5
