"""Referral intake: a re-referred family goes the usual way (statutory basis, eligibility assessment, enrolment)."""

from __future__ import annotations

from datetime import timedelta

from hub.cpr import age_on
from hub.days import local_day
from hub.domain import Department, FamilyStatus, MemberRole
from hub.world import WorldFamily, WorldPerson
from tests.integration.enrolment.intake_support import (
    ASSESS,
    ENROL,
    REMOVE,
    STATUTORY,
    _now,
    member,
    refer,
    referral,
)
from tests.support.stack import Stack


async def _eligible_family(stack: Stack) -> WorldFamily:
    for world_family in stack.world.families:
        if world_family.status is not FamilyStatus.ACTIVE:
            continue
        body = await stack.graphql(ASSESS, {"id": world_family.key}, token=stack.token("tovholder"))
        if body["data"]["assessEligibility"]["outcome"] == "ELIGIBLE":
            return world_family
    raise AssertionError("the seeded world has no eligible active family")


async def test_a_re_referred_family_is_assessed_and_enrolled_as_before(stack: Stack) -> None:
    old = await _eligible_family(stack)
    token = stack.token("tovholder")
    for person in old.members:
        removed = await stack.graphql(
            REMOVE,
            {
                "input": {
                    "familyId": old.key,
                    "memberId": stack.seeded.person_ids[person.cpr],
                    "reason": "Ny henvisning",
                }
            },
            token=token,
        )
        assert removed["data"]["removeFamilyMember"]["__typename"] == "FamilyMembership", removed
    # Referred before any waiting family, so the free place is this family's (referral order).
    waiting = [f.referred_on for f in stack.world.families if f.status is FamilyStatus.WAITLISTED]
    referred_on = min([*waiting, local_day(_now())]) - timedelta(days=1)
    minor = {p.cpr for p in old.members if age_on(p.birth_date, referred_on) < 18}
    roles = {p.cpr: MemberRole.CHILD if p.cpr in minor else p.member_role for p in old.members}
    adults = [i for i, p in enumerate(old.members) if roles[p.cpr] is not MemberRole.CHILD]
    cpr_index = {p.cpr: i for i, p in enumerate(old.members)}

    def holders(p: WorldPerson) -> list[int]:
        if p.cpr not in minor:
            return []
        named = [cpr_index[c] for c in p.custody_holders if c in cpr_index and c not in minor]
        return named or adults[:1]

    members = [member(p.cpr, p.first_name, p.last_name, roles[p.cpr].value, holders(p)) for p in old.members]
    body = await refer(
        stack,
        referral(
            district=old.district.value,
            housingArea=old.housing_area,
            members=members,
            referredOn=referred_on.isoformat(),
        ),
    )
    assert "errors" not in body, body
    fid = body["data"]["referFamily"]["id"]
    assert sorted(m["id"] for m in body["data"]["referFamily"]["members"]) == sorted(
        stack.seeded.person_ids[p.cpr] for p in old.members
    )
    for m in body["data"]["referFamily"]["members"]:
        basis = await stack.graphql(
            STATUTORY,
            {
                "input": {
                    "subjectId": m["id"],
                    "statuteReference": "Barnets lov § 133",
                    "caseReference": "J-2024-001",
                    "departments": [d.value for d in Department],
                }
            },
            token=token,
        )
        assert "errors" not in basis, basis
    assessed = await stack.graphql(ASSESS, {"id": fid}, token=token)
    assert assessed["data"]["assessEligibility"]["outcome"] == "ELIGIBLE", assessed
    stack.services.settings.capacity = stack.services.settings.capacity_first_year = 1_000
    enrolled = await stack.graphql(ENROL, {"id": fid}, token=token)
    assert "errors" not in enrolled, enrolled
    assert enrolled["data"]["enrolFamily"]["family"]["status"] == "ACTIVE"
    assert enrolled["data"]["enrolFamily"]["snapshotMembers"] == len(old.members)
