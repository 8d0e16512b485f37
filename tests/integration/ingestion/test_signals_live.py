"""`familyUpdated { signals }`: a follower sees the family's signals change as they change (issue 23).

The coordinator follows the family with the demo's overdue meeting (hub/plan/seed.py; not imported here:
importing a seeder registers it out of order), selecting the signals on each update; acknowledging
the signal is delivered as a plan edit whose signals show it acknowledged, decided afresh at delivery.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from test_subscription_delivery import _wait_subscribed
from websockets.asyncio.client import connect
from ws_support import Subscriber, receive_text, serving

from hub.world.generator import DEMO_SEED
from tests.support.stack import Stack, running_stack
from tests.support.waits import IT_HAPPENS_S

FOLLOW = """subscription($familyId: ID!) { familyUpdated(familyId: $familyId) { kind summary
  signals { key kind acknowledged } } }"""
ACK = """mutation($f: ID!, $k: String!) { acknowledgeSignal(familyId: $f, signalKey: $k, note: "Ringet op") {
  __typename } }"""


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=12, seed=DEMO_SEED) as s:
        anchor = datetime.combine(s.world.today, time(10), UTC)
        s.services.clock = lambda: anchor
        yield s


async def test_acknowledging_reaches_a_follower_with_the_new_signals(demo: Stack) -> None:
    token = demo.token("tovholder")
    mine = await demo.graphql("""{ mySignals { key kind familyId acknowledged } }""", token=token)
    overdue = next(s for s in mine["data"]["mySignals"] if s["kind"] == "MEETING_OVERDUE")
    family_id = overdue["familyId"]
    assert overdue["acknowledged"] is False
    async with serving(demo.app) as url:
        ws_url = url.replace("http://", "ws://") + "/graphql"
        async with connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=IT_HAPPENS_S) as ws:  # type: ignore[list-item]
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
            )
            assert (await receive_text(ws, 5))["type"] == "connection_ack"
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": FOLLOW, "variables": {"familyId": family_id}},
                    }
                )
            )
            await _wait_subscribed(demo, family_id)
            done = await demo.graphql(ACK, {"f": family_id, "k": overdue["key"]}, token=token)
            assert done["data"]["acknowledgeSignal"]["__typename"] == "Signal"
            update = await Subscriber(ws).next()
    assert update["kind"] == "PLAN_EDIT"
    live = {s["key"]: s for s in update["signals"]}
    assert live[overdue["key"]]["acknowledged"] is True
