"""A familyUpdated event carries the same `summary` as its entry in Family.timeline (department and plan changes)."""

from __future__ import annotations

from test_subscription_delivery import _event, _push, _two_adults, _wait_subscribed
from ws_support import serving, subscribed

from tests.support.stack import Stack

TIMELINE = """query($id: ID!) { family(id: $id) { timeline(last: 20) { kind summary } } }"""


async def test_a_department_update_says_the_same_live_and_in_the_timeline(stack: Stack) -> None:
    family_id, me, department, _partner, _other = _two_adults(stack)
    token = stack.token(f"borger-{family_id}-1")
    async with serving(stack.app) as url, subscribed(url, token, family_id) as sub:
        await _wait_subscribed(stack, family_id)
        await _push(stack, department, _event(stack, department, me, 1))
        update = await sub.next()
    assert update["summary"], update
    body = await stack.graphql(TIMELINE, {"id": family_id}, token=token)
    timeline = body["data"]["family"]["timeline"]
    assert {"kind": "DEPARTMENT_UPDATE", "summary": update["summary"]} in timeline
