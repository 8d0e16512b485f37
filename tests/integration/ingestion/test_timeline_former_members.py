"""Family.timeline covers former members for the period they were members (#19.5): what a department pushed
about a member while they belonged to the family stays in its timeline after they leave; what it pushed before
they joined or after they left does not. Through the real hub and the mock departments; the timeline asks no
department."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from hub.days import LOCAL_TZ
from hub.domain import Department
from hub.ingestion.webhook import signed_headers
from hub.persistence.models import Membership
from tests.support.stack import Stack, running_stack

FAMILY = "F00002"
SOCIAL = 'query { family(id: "F00002") { members { id age } } }'
RECORD = "mutation($input: RecordStatutoryBasisInput!) { recordStatutoryBasis(input: $input) { id inForce } }"
TIMELINE = 'query { family(id: "F00002") { timeline(last: 100) { kind summary memberId } } }'
REMOVE = """mutation($input: RemoveFamilyMemberInput!) { removeFamilyMember(input: $input) {
  __typename ... on PlanMutationError { code message } } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=6, seed=7) as st:
        yield st


async def _push(stack: Stack, cpr: str, record_id: str, version: int, at: datetime) -> str:
    event = {
        "eventId": f"t-{uuid.uuid4().hex}",
        "department": "SOF",
        "subjectCpr": cpr,
        "recordKind": "person",
        "recordId": record_id,
        "version": version,
        "occurredAt": at.isoformat(),
        "record": stack.world.department_records[Department.SOF][cpr],
    }
    body = orjson.dumps({"events": [event]})
    response = await stack.client.post(
        "/webhooks/SOF",
        content=body,
        headers=signed_headers(stack.settings.webhook_secret(Department.SOF), body),
    )
    return str(response.json()["results"][0]["status"])


def _summary(record_id: str, version: int) -> str:
    return f"SOF updated person {record_id} (version {version})"


async def test_a_former_members_updates_stay_for_the_period_they_were_a_member(stack: Stack) -> None:
    token = stack.token("tovholder")
    members = (await stack.graphql(SOCIAL, token=token))["data"]["family"]["members"]
    cprs = {pid: cpr for cpr, pid in stack.seeded.person_ids.items()}
    member_id = next(
        m["id"] for m in members if cprs.get(m["id"]) in stack.world.department_records[Department.SOF]
    )
    cpr = cprs[member_id]
    basis = {
        "subjectId": member_id,
        "statuteReference": "Barnets lov § 133",
        "caseReference": "SOF-2026-19",
        "departments": ["SOF"],
    }
    recorded = await stack.graphql(RECORD, {"input": basis}, token=token)
    assert recorded["data"]["recordStatutoryBasis"]["inForce"], recorded
    async with stack.services.sessions() as s:
        joined = await s.scalar(
            select(Membership.joined_on).where(
                Membership.person_id == member_id, Membership.left_on.is_(None)
            )
        )
    assert joined is not None
    now = datetime.now(UTC)
    left_on = (now.astimezone(LOCAL_TZ) - timedelta(days=3)).date()
    before_joining = datetime.combine(joined, time(12), tzinfo=LOCAL_TZ) - timedelta(days=2)
    while_member = datetime.combine(left_on, time(12), tzinfo=LOCAL_TZ) - timedelta(days=2)
    assert joined < while_member.date()
    record_id = f"SOF-T-{uuid.uuid4().hex[:8]}"
    assert await _push(stack, cpr, record_id, 1, before_joining) == "APPLIED"
    assert await _push(stack, cpr, record_id, 2, while_member) == "APPLIED"

    shown = {e["summary"] for e in (await stack.graphql(TIMELINE, token=token))["data"]["family"]["timeline"]}
    assert _summary(record_id, 2) in shown

    body = await stack.graphql(
        REMOVE,
        {
            "input": {
                "familyId": FAMILY,
                "memberId": member_id,
                "reason": "Flyttet",
                "leftOn": left_on.isoformat(),
            }
        },
        token=token,
    )
    assert body["data"]["removeFamilyMember"]["__typename"] == "FamilyMembership", body
    after_leaving = await _push(stack, cpr, record_id, 3, now - timedelta(seconds=5))

    await stack.reset_stats()
    timeline = (await stack.graphql(TIMELINE, token=token))["data"]["family"]["timeline"]
    stats = await stack.stats()
    assert sum(int(stats[d]["total_requests"]) for d in Department) == 0  # the timeline asks no department
    shown = {e["summary"]: e for e in timeline}
    assert shown[_summary(record_id, 2)]["memberId"] == member_id  # kept: pushed while a member
    assert _summary(record_id, 1) not in shown  # before they joined
    if after_leaving == "APPLIED":
        assert _summary(record_id, 3) not in shown  # after they left
