"""`familyUpdated` over graphql-transport-ws on a real port: delivery and per-viewer filtering."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from ws_support import serving, subscribed

from hub.cpr import age_on
from hub.domain import Department
from hub.ingestion.feed import family_channel
from hub.ingestion.webhook import signed_headers
from hub.world.model import WorldPerson
from tests.support.stack import Stack
from tests.support.waits import listening


def _event(stack: Stack, department: Department, person: WorldPerson, version: int) -> dict[str, Any]:
    return {
        "eventId": f"ws-{uuid.uuid4().hex}",
        "department": department.value,
        "subjectCpr": person.cpr,
        "recordKind": "person",
        "recordId": f"{department.value}-{person.key}",
        "version": version,
        "occurredAt": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(),
        "record": stack.world.department_records[department][person.cpr],
    }


async def _push(stack: Stack, department: Department, event: dict[str, Any]) -> None:
    body = orjson.dumps({"events": [event]})
    headers = signed_headers(stack.settings.webhook_secret(department), body)
    response = await stack.client.post(f"/webhooks/{department.value}", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "APPLIED"


def _two_adults(stack: Stack) -> tuple[str, WorldPerson, Department, WorldPerson, Department]:
    """A family with citizen logins whose first adult and second adult are each known to some department."""
    records = stack.world.department_records
    for family in stack.world.families[
        :3
    ]:  # the families whose adults have citizen logins (hub/auth/seed.py)
        adults = [m for m in family.members if age_on(m.birth_date, stack.world.today) >= 18]
        if len(adults) < 2:
            continue
        own = next((d for d in Department if adults[0].cpr in records[d]), None)
        other = next((d for d in Department if adults[1].cpr in records[d]), None)
        if own is not None and other is not None:
            return family.key, adults[0], own, adults[1], other
    raise AssertionError("the test world has no family with two registered adults")


async def _wait_subscribed(stack: Stack, family_id: str) -> None:
    await listening(stack.services.extras["pubsub"], family_channel(family_id))


async def test_a_citizen_gets_updates_about_themself_and_not_about_another_adult(stack: Stack) -> None:
    family_id, me, my_department, partner, partner_department = _two_adults(stack)
    async with (
        serving(stack.app) as url,
        subscribed(url, stack.token(f"borger-{family_id}-1"), family_id) as sub,
    ):
        await _wait_subscribed(stack, family_id)
        await _push(stack, partner_department, _event(stack, partner_department, partner, 1))
        await _push(stack, my_department, _event(stack, my_department, me, 1))
        update = await sub.next()
        # The partner's update came first but is not the citizen's to see: the first delivery is their own.
        assert update["memberId"] == stack.seeded.person_ids[me.cpr]
        assert (update["department"], update["kind"], update["version"]) == (
            my_department.value,
            "DEPARTMENT_UPDATE",
            1,
        )
        assert me.cpr not in str(update)


async def test_subscribing_to_a_family_the_viewer_may_not_see_is_not_found(stack: Stack) -> None:
    family_id, *_ = _two_adults(stack)
    other = next(f.key for f in stack.world.families if f.key != family_id)
    async with serving(stack.app) as url, subscribed(url, stack.token(f"borger-{family_id}-1"), other) as sub:
        message = await sub.first_message()
        assert message["type"] in ("error", "next"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"


async def test_the_team_is_told_at_once_when_a_consent_is_withdrawn(stack: Stack) -> None:
    token = stack.token("tovholder")
    query = (
        "query($id: ID!) { familyConsents(familyId: $id) { consents { id subjectId status departments } } }"
    )
    found = None
    for family in stack.world.families:
        overview = await stack.graphql(query, {"id": family.key}, token=token)
        consents = overview["data"]["familyConsents"]["consents"]
        active = [c for c in consents if c["status"] == "ACTIVE"]
        if active:
            found = family.key, active[0]
            break
    assert found is not None, "the seeded world has no active consent"
    family_id, consent = found
    async with serving(stack.app) as url, subscribed(url, token, family_id) as sub:
        await _wait_subscribed(stack, family_id)
        body = await stack.graphql(
            "mutation($id: ID!) { withdrawConsent(id: $id, channel: VERBAL_JOURNALISED) { status } }",
            {"id": consent["id"]},
            token=token,
        )
        assert body["data"]["withdrawConsent"]["status"] == "WITHDRAWN", body
        update = await sub.next()
        assert update["kind"] == "CONSENT_CHANGE"
        assert update["memberId"] == consent["subjectId"]
        assert update["summary"].startswith("Consent withdrawn (")
