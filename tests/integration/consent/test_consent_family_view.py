"""Consent through the whole hub: the mock department is never asked about a member without a basis.

Runs the real aiohttp mock departments and the hub's ASGI app (tests/support/stack.py) on the seeded demo
world, and counts on the mocks (`GET /_admin/stats`) what the hub asked for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select

from hub.domain import Department, FamilyStatus
from hub.ingestion.cache import SOURCE_PURGED
from hub.ingestion.models import CachedSection
from hub.persistence.engine import transaction
from tests.support.stack import Stack, running_stack

FIELDS = {
    Department.SOF: "social",
    Department.BIF: "employment",
    Department.BUF: "childAndYouth",
    Department.KFF: "leisure",
    Department.SUF: "health",
}
CONSENTS = """
query($id: ID!) { familyConsents(familyId: $id) {
  consents { id subjectId status departments }
  members { personId departments { department state consentId health } }
  statutoryBases { id subjectId }
} }
"""
SECTIONS = """
query($id: ID!) { family(id: $id) { members { id %s { status } } } }
"""
WITHDRAW = """
mutation($id: ID!) { withdrawConsent(id: $id, channel: VERBAL_JOURNALISED) { id status withdrawnAt } }
"""
RECORD = """
mutation($input: RecordConsentInput!) {
  recordConsent(input: $input) { id status grantors { personId capacity } }
}
"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=8, seed=7) as st:
        yield st


def _enrolled(stack: Stack) -> list[str]:
    return [f.key for f in stack.world.families if f.status is FamilyStatus.ACTIVE]


async def _states(stack: Stack, family_id: str, token: str) -> dict[tuple[str, str], dict[str, Any]]:
    body = await stack.graphql(CONSENTS, {"id": family_id}, token=token)
    assert "errors" not in body, body
    return {
        (m["personId"], d["department"]): d
        for m in body["data"]["familyConsents"]["members"]
        for d in m["departments"]
    }


async def _sections(stack: Stack, family_id: str, department: Department, token: str) -> dict[str, Any]:
    body = await stack.graphql(SECTIONS % FIELDS[department], {"id": family_id}, token=token)
    assert body["data"] is not None, body
    return body


async def test_no_request_for_a_member_without_consent(stack: Stack) -> None:
    token = stack.token("tovholder")
    family_id = _enrolled(stack)[0]
    states = await _states(stack, family_id, token)
    department = Department.SUF
    members = sorted({pid for pid, _d in states})
    lawful = {pid for pid in members if states[(pid, department.value)]["state"] in ("ACTIVE", "STATUTORY")}
    # The seeded first family shows the rarer states: at least one member has no basis for SUF.
    assert members
    assert set(members) - lawful, states

    await stack.reset_stats()
    body = await _sections(stack, family_id, department, token)
    stats = await stack.stats()
    assert stats[department]["persons_requested"] == len(lawful)
    statuses = {m["id"]: m[FIELDS[department]]["status"] for m in body["data"]["family"]["members"]}
    assert {pid for pid, s in statuses.items() if s == "CONSENT_REQUIRED"} == set(members) - lawful
    errors = [e for e in body.get("errors", []) if e["extensions"]["code"] == "CONSENT_REQUIRED"]
    assert {(e["extensions"]["memberId"], e["extensions"]["department"]) for e in errors} == {
        (pid, department.value) for pid in set(members) - lawful
    }
    # Departments the query did not select are not asked at all.
    assert all(stats[d]["total_requests"] == 0 for d in Department if d is not department)


async def test_withdrawal_stops_the_next_request_and_the_department_is_not_asked(stack: Stack) -> None:
    token = stack.token("tovholder")
    family_id = _enrolled(stack)[0]
    body = await stack.graphql(CONSENTS, {"id": family_id}, token=token)
    overview = body["data"]["familyConsents"]
    active = [c for c in overview["consents"] if c["status"] == "ACTIVE" and "BIF" in c["departments"]]
    assert active, overview
    target = active[0]
    subject = target["subjectId"]
    family_members = {m["personId"] for m in overview["members"]}

    await stack.reset_stats()
    before = await _sections(stack, family_id, Department.BIF, token)
    asked_before = (await stack.stats())[Department.BIF]["persons_requested"]
    statuses = {m["id"]: m["employment"]["status"] for m in before["data"]["family"]["members"]}
    assert statuses[subject] != "CONSENT_REQUIRED"

    # What the hub holds about the member from BIF (fetched or pushed earlier) must go with the consent.
    async with transaction(stack.services.sessions) as session:
        await session.execute(delete(CachedSection).where(CachedSection.person_id == subject))
        await session.execute(
            insert(CachedSection),
            [
                {
                    "person_id": subject,
                    "department": Department.BIF,
                    "record": None,
                    "not_registered": True,
                    "fetched_at": datetime.now(UTC),
                    "source": "FETCH",
                }
            ],
        )
    withdrawn = await stack.graphql(WITHDRAW, {"id": target["id"]}, token=token)
    assert withdrawn["data"]["withdrawConsent"]["status"] == "WITHDRAWN", withdrawn

    await stack.reset_stats()
    after = await _sections(stack, family_id, Department.BIF, token)
    statuses = {m["id"]: m["employment"]["status"] for m in after["data"]["family"]["members"]}
    assert statuses[subject] == "CONSENT_REQUIRED"
    # The others may be answered from the cache; the withdrawn member is not sent to BIF, and what the hub had
    # cached about them from BIF is gone.
    assert (await stack.stats())[Department.BIF]["persons_requested"] <= max(asked_before - 1, 0)
    assert subject in family_members
    async with stack.services.sessions() as session:
        cached = await session.scalar(
            select(func.count())
            .select_from(CachedSection)
            .where(
                CachedSection.person_id == subject,
                CachedSection.department == Department.BIF,
                CachedSection.source != SOURCE_PURGED,  # a purge leaves a tombstone, no data
            )
        )
    assert cached == 0


async def test_graphql_errors_name_the_field(stack: Stack) -> None:
    token = stack.token("tovholder")
    family = next(f for f in stack.world.families if f.status is FamilyStatus.ACTIVE)
    adult = family.members[0]
    body = await stack.graphql(
        RECORD,
        {
            "input": {
                "subjectId": f"P-{adult.key}",
                "grantorIds": [f"P-{adult.key}"],
                "departments": [],
                "categories": ["CASE"],
                "collectedVia": "PAPER",
                "evidenceRef": "J-1",
            }
        },
        token=token,
    )
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "departments"}
    citizen = await stack.graphql(CONSENTS, {"id": family.key}, token=stack.token("styregruppe"))
    assert citizen["errors"][0]["extensions"]["code"] == "NOT_FOUND"
