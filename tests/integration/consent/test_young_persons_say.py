"""A young person's own say from 15 (DOMAIN §4, issue 23), through the citizen view against the real mocks.

A father saw his 16-year-old daughter's school and leisure sections after she withdrew her consent. Now a
custody holder sees a 15-17-year-old's sections only on the young person's own consent: after she withdraws,
he no longer sees them, and the hub does not ask BUF or KFF about her on his behalf.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from hub.cpr import age_on
from hub.domain import Department, FamilyStatus, Role
from hub.persistence.models import User
from tests.support.stack import Stack, running_stack

VIEW = (
    """query($id: ID!) { family(id: $id) { members { id childAndYouth { status } leisure { status } } } }"""
)
RECORD = """mutation($input: RecordConsentInput!) { recordConsent(input: $input) { id status } }"""
WITHDRAW = """mutation($id: ID!) { withdrawConsent(id: $id, channel: DIGITAL) { id status } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=8, seed=2026) as s:
        yield s


async def _login(stack: Stack, username: str, person_id: str) -> str:
    async with stack.services.sessions() as session, session.begin():
        await session.execute(
            insert(User).values(
                id=f"U-{username}",
                username=username,
                subject=username,
                display_name=username,
                role=Role.CITIZEN,
                person_id=person_id,
            )
        )
    return stack.token(username)


def _sections(body: dict[str, Any], person_id: str) -> tuple[str, str]:
    member = next(m for m in body["data"]["family"]["members"] if m["id"] == person_id)
    return member["childAndYouth"]["status"], member["leisure"]["status"]


async def test_after_the_young_person_withdraws_the_father_no_longer_sees_school_and_leisure(
    stack: Stack,
) -> None:
    today = stack.seeded.today
    found = next(
        (family, person)
        for family in stack.world.families
        if family.status is FamilyStatus.ACTIVE
        for person in family.members
        if 15 <= age_on(person.birth_date, today) < 18 and person.custody_holders
    )
    family, young = found
    fid, pid = stack.seeded.family_ids[family.key], stack.seeded.person_ids[young.cpr]
    father = stack.seeded.person_ids[young.custody_holders[0]]
    father_token = await _login(stack, "far-test", father)
    young_token = await _login(stack, "ung-test", pid)
    # She consents herself to BUF and KFF (the coordinator records it).
    recorded = await stack.graphql(
        RECORD,
        {
            "input": {
                "subjectId": pid,
                "grantorIds": [pid],
                "departments": ["BUF", "KFF"],
                "categories": ["CASE"],
                "collectedVia": "DIGITAL",
                "evidenceRef": "J-ung-1",
            }
        },
        token=stack.token("tovholder"),
    )
    assert "errors" not in recorded, recorded
    consent_id = recorded["data"]["recordConsent"]["id"]
    before = _sections(await stack.graphql(VIEW, {"id": fid}, token=father_token), pid)
    assert "CONSENT_REQUIRED" not in before, before
    # She withdraws it herself, digitally; the very next request of her father no longer shows her sections.
    withdrawn = await stack.graphql(WITHDRAW, {"id": consent_id}, token=young_token)
    assert withdrawn["data"]["withdrawConsent"]["status"] == "WITHDRAWN", withdrawn
    await stack.reset_stats()
    after = _sections(await stack.graphql(VIEW, {"id": fid}, token=father_token), pid)
    assert after == ("CONSENT_REQUIRED", "CONSENT_REQUIRED")
    stats = await stack.stats()
    asked = stats[Department.BUF]["persons_requested"] + stats[Department.KFF]["persons_requested"]
    others = sum(1 for m in family.members if m.cpr != young.cpr and m.custody_holders)
    assert asked <= 2 * others  # her CPR is not among them: at most the father's other (younger) children
    # She still sees her own data.
    own = _sections(await stack.graphql(VIEW, {"id": fid}, token=young_token), pid)
    assert "CONSENT_REQUIRED" not in own
