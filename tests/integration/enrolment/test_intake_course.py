"""Intake end to end against the real mock departments (issue 23): a family the departments know, not yet
referred, walks from referral through consent and eligibility to enrolment; and a person registered through
the mocks' admin API makes a newly referred family eligible."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.cpr import age_on
from hub.domain import Department, MemberRole
from hub.world import WorldFamily, WorldPerson
from tests.support.stack import ADMIN, Stack, running_stack
from tests.support.waits import IT_HAPPENS_S

REFER = (
    """mutation($input: ReferFamilyInput!) { referFamily(input: $input) { id status members { id cpr } } }"""
)
CONSENT = "mutation($input: RecordConsentInput!) { recordConsent(input: $input) { id } }"
ASSESS = """mutation($id: ID!) { assessEligibility(familyId: $id) { outcome
  criteria { criterion answer departmentsWithOpenCases } } }"""
ENROL = "mutation($id: ID!) { enrolFamily(familyId: $id) { family { id status } snapshotMembers } }"


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=8, seed=7) as s:
        yield s


def _members(family: WorldFamily, cprs: dict[str, str], today: date) -> list[dict[str, Any]]:
    index = {p.cpr: i for i, p in enumerate(family.members)}
    adults = [i for i, p in enumerate(family.members) if age_on(p.birth_date, today) >= 18]

    def holders(p: WorldPerson) -> list[int]:
        if age_on(p.birth_date, today) >= 18:
            return []
        named = [index[c] for c in p.custody_holders if c in index and index[c] in adults]
        return named or adults[:1]

    return [
        {
            "cpr": cprs.get(p.cpr, p.cpr),
            "firstName": p.first_name,
            "lastName": p.last_name,
            "memberRole": (MemberRole.CHILD if age_on(p.birth_date, today) < 18 else p.member_role).value,
            "custodyHolders": holders(p),
        }
        for p in family.members
    ]


async def _walk(stack: Stack, family: WorldFamily, members: list[dict[str, Any]]) -> dict[str, Any]:
    """Refer, consent (every member: from 15 their own, else their custody holders'), assess, enrol."""
    token = stack.token("tovholder")
    referred = await stack.graphql(
        REFER,
        {
            "input": {
                "district": family.district.value,
                "housingArea": family.housing_area,
                "referralSource": family.referral_source,
                "members": members,
            }
        },
        token=token,
    )
    assert "errors" not in referred, referred
    fid = referred["data"]["referFamily"]["id"]
    by_cpr = {m["cpr"].replace("-", ""): m["id"] for m in referred["data"]["referFamily"]["members"]}
    assert len(by_cpr) == len(members)
    # Nothing may be asked before the family consents: the assessment is UNKNOWN, never "no".
    before = await stack.graphql(ASSESS, {"id": fid}, token=token)
    assert before["data"]["assessEligibility"]["outcome"] == "UNKNOWN", before
    today = stack.seeded.today
    births = {m["cpr"]: p.birth_date for m, p in zip(members, family.members, strict=True)}
    for m in members:
        person_id, born = by_cpr[m["cpr"]], births[m["cpr"]]
        own = age_on(born, today) >= 15
        grantors = [person_id] if own else [by_cpr[members[i]["cpr"]] for i in m["custodyHolders"]]
        body = await stack.graphql(
            CONSENT,
            {
                "input": {
                    "subjectId": person_id,
                    "grantorIds": grantors,
                    "departments": [d.value for d in Department],
                    "categories": ["CASE"],
                    "collectedVia": "PAPER",
                    "evidenceRef": "J-intake-1",
                    "childView": None if own or age_on(born, today) < 10 else "Barnet vil gerne være med",
                }
            },
            token=token,
        )
        assert "errors" not in body, body
    assessed = await stack.graphql(ASSESS, {"id": fid}, token=token)
    assert assessed["data"]["assessEligibility"]["outcome"] == "ELIGIBLE", assessed
    enrolled = await stack.graphql(ENROL, {"id": fid}, token=token)
    assert "errors" not in enrolled, enrolled
    return dict(enrolled["data"]["enrolFamily"])


async def test_a_family_known_to_the_departments_walks_from_referral_to_enrolment(stack: Stack) -> None:
    assert stack.world.candidates, "the world holds families the departments know, not yet referred"
    family = stack.world.candidates[0]
    # Known to the departments, unknown to the hub.
    assert all(p.cpr not in stack.seeded.person_ids for p in family.members)
    known = {d for d in Department for p in family.members if p.cpr in stack.world.department_records[d]}
    assert len(known) >= 2
    enrolled = await _walk(stack, family, _members(family, {}, stack.seeded.today))
    assert enrolled["family"]["status"] == "ACTIVE"
    assert enrolled["snapshotMembers"] == len(family.members)


def _new_cpr(cpr: str, taken: set[str]) -> str:
    """Another fictitious CPR number with the same birth date, century digit and sex."""
    for step in range(1, 50):
        candidate = f"{cpr[:7]}{(int(cpr[7:9]) + 2 * step) % 100:02d}{cpr[9]}"
        if candidate not in taken:
            return candidate
    raise AssertionError("no free serial")  # pragma: no cover


async def test_persons_registered_through_the_mock_admin_api_make_a_new_family_eligible(stack: Stack) -> None:
    template = stack.world.candidates[0]
    taken = {cpr for records in stack.world.department_records.values() for cpr in records}
    taken |= {p.cpr for f in stack.world.families for p in f.members}
    cprs = {p.cpr: _new_cpr(p.cpr, taken) for p in template.members}
    async with httpx.AsyncClient(headers=ADMIN, timeout=IT_HAPPENS_S) as admin:
        refused = await admin.post(
            f"{stack.urls[Department.SOF]}/_admin/persons", json={"cpr": "12", "record": {}}
        )
        assert refused.status_code == 400
        for department, url in stack.urls.items():
            for old, new in cprs.items():
                record = stack.world.department_records[department].get(old)
                if record is None:
                    continue
                # The same case history under the new person's number: that department now knows them.
                moved = json.loads(json.dumps(record).replace(old, new))
                answer = await admin.post(f"{url}/_admin/persons", json={"cpr": new, "record": moved})
                assert answer.status_code == 201, answer.text
                assert new not in answer.text  # the admin API never answers with personal data
    enrolled = await _walk(stack, template, _members(template, cprs, stack.seeded.today))
    assert enrolled["family"]["status"] == "ACTIVE"
