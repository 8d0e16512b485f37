"""Referral intake end to end: `referFamily` on a seeded hub with the five real mock departments.

The coordinator refers a family and is its coordinator from then on (need-to-know: other coordinators get
NOT_FOUND); every validation rule is BAD_USER_INPUT with its field and no CPR number in the message; a known
person is reused, a current member of another family is a CONFLICT; other roles are FORBIDDEN; each created
member is audited; and no error leaves a row behind. A re-referred family then goes the usual way: statutory
basis, eligibility assessment, enrolment.

Validation, re-referral and concurrency live beside this file (test_intake_*.py).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.audit.models import entries_table
from hub.cpr import format_cpr, mask
from hub.days import local_day
from hub.domain import Department, MemberRole
from hub.persistence.models import Custody, Membership, Person, TeamAssignment
from tests.integration.enrolment.intake_support import (
    ASSESS,
    ASSIGN,
    CHILD,
    ENROL,
    FAMILY,
    FATHER,
    MOTHER,
    REFER,
    REMOVE,
    TIMELINE,
    _now,
    add_coordinator,
    assert_no_cpr,
    counts,
    error_of,
    member,
    refer,
    referral,
    vault_cpr,
)
from tests.support.stack import Stack


async def test_refer_family_makes_the_caller_its_coordinator(stack: Stack) -> None:
    await add_coordinator(stack, "tovholder-2")
    before = await counts(stack)
    body = await refer(stack, referral())
    assert "errors" not in body, body
    family = body["data"]["referFamily"]
    fid = family["id"]
    today = local_day(_now())
    assert (family["name"], family["status"], family["district"]) == (
        "Familien Haddad",
        "REFERRED",
        "NORREBRO",
    )
    assert family["referredOn"] == today.isoformat()
    assert family["referralSource"] == "Boligsocial helhedsplan"
    members = {m["firstName"]: m for m in family["members"]}
    assert set(members) == {"Amina", "Omar", "Sara"}
    assert members["Sara"]["role"] == "CHILD"
    assert members["Sara"]["birthDate"] == "2015-07-21"
    assert members["Amina"]["cpr"] == format_cpr(MOTHER)  # the coordinator sees the full number

    # The caller sees it through family(id); a coordinator not on its team, and the core team, do not.
    seen = await stack.graphql(FAMILY, {"id": fid}, token=stack.token("tovholder"))
    assert seen["data"]["family"]["name"] == "Familien Haddad"
    assert len(seen["data"]["family"]["members"]) == 3
    for username in ("tovholder-2", "sof-kerne"):
        hidden = await stack.graphql(FAMILY, {"id": fid}, token=stack.token(username))
        assert error_of(hidden)["extensions"]["code"] == "NOT_FOUND", username

    # Rows: one family, three new persons (CPR only encrypted), memberships from the referral date,
    # custody of the child by both parents, the caller as COORDINATOR.
    async with stack.services.sessions() as session:
        persons = {
            p.first_name: p for p in await session.scalars(select(Person).where(Person.last_name == "Haddad"))
        }
        assert {vault_cpr(stack, p) for p in persons.values()} == {
            c.replace("-", "") for c in (MOTHER, FATHER, CHILD)
        }
        assert all(
            p.cpr_hash == stack.services.vault.lookup_hash(vault_cpr(stack, p)) for p in persons.values()
        )
        joined = set(await session.scalars(select(Membership.joined_on).where(Membership.family_id == fid)))
        assert joined == {today}
        custody = set(
            (
                await session.execute(
                    select(Custody.child_id, Custody.holder_id).where(Custody.child_id == persons["Sara"].id)
                )
            ).all()
        )
        assert custody == {
            (persons["Sara"].id, persons["Amina"].id),
            (persons["Sara"].id, persons["Omar"].id),
        }
        team = (
            await session.execute(
                select(TeamAssignment.user_id, TeamAssignment.team_role, TeamAssignment.until).where(
                    TeamAssignment.family_id == fid
                )
            )
        ).all()
        assert [tuple(t) for t in team] == [("U-tovholder", "COORDINATOR", None)]
        audit = (
            await session.execute(
                select(
                    entries_table.c.action, entries_table.c.subject_person_id, entries_table.c.actor_user_id
                ).where(
                    entries_table.c.family_id == fid,
                    entries_table.c.source == "HUB:family",
                    entries_table.c.action == "CHANGE",
                )
            )
        ).all()
    assert sorted(a.subject_person_id for a in audit) == sorted(p.id for p in persons.values())
    assert {(a.action, a.actor_user_id) for a in audit} == {("CHANGE", "U-tovholder")}
    after = await counts(stack)
    assert after["families"] == before["families"] + 1
    assert after["persons"] == before["persons"] + 3
    assert after["custody"] == before["custody"] + 2

    # The timeline says so; the coordinator can now build the team (core team sees masked CPR numbers).
    timeline = await stack.graphql(TIMELINE, {"id": fid}, token=stack.token("tovholder"))
    assert any(
        "Referred to the programme with 3 members" in e["summary"]
        for e in timeline["data"]["family"]["timeline"]
    )
    assigned = await stack.graphql(
        ASSIGN,
        {"input": {"familyId": fid, "userId": "U-sof-kerne", "teamRole": "MAKKERPAR"}},
        token=stack.token("tovholder"),
    )
    assert assigned["data"]["assignTeamMember"]["__typename"] == "CoreTeamMember", assigned
    core = await stack.graphql(FAMILY, {"id": fid}, token=stack.token("sof-kerne"))
    assert {m["cpr"] for m in core["data"]["family"]["members"]} == {mask(c) for c in (MOTHER, FATHER, CHILD)}

    # Into the programme as before: no consent yet, so eligibility is UNKNOWN and enrolment waits for it.
    assessed = await stack.graphql(ASSESS, {"id": fid}, token=stack.token("tovholder"))
    assert assessed["data"]["assessEligibility"]["outcome"] == "UNKNOWN", assessed
    housing, open_cases = assessed["data"]["assessEligibility"]["criteria"]
    assert housing["answer"] == "YES"
    assert open_cases["departmentsWithoutBasis"] == [d.value for d in Department]
    refused = error_of(await stack.graphql(ENROL, {"id": fid}, token=stack.token("tovholder")))
    assert (refused["extensions"]["code"], refused["extensions"]["reason"]) == (
        "CONFLICT",
        "ELIGIBILITY_UNKNOWN",
    )


async def test_a_known_person_is_reused_and_a_current_member_elsewhere_is_a_conflict(stack: Stack) -> None:
    world_family = stack.world.families[0]
    parent = next(m for m in world_family.members if m.member_role is MemberRole.PARENT)
    pid = stack.seeded.person_ids[parent.cpr]
    before = await counts(stack)
    # Still a member of the seeded family: CONFLICT, nothing written, no CPR number in the answer.
    clash = error_of(
        await refer(
            stack,
            referral(
                members=[
                    member(MOTHER, "Amina", "Haddad", "PARENT"),
                    member(format_cpr(parent.cpr), "X", "Y", "PARENT"),
                ]
            ),
        )
    )
    assert (clash["extensions"]["code"], clash["extensions"]["field"]) == ("CONFLICT", "members[1].cpr")
    assert "current member of another family" in clash["message"]
    assert_no_cpr(clash, parent.cpr, MOTHER)
    assert world_family.key not in str(clash)
    assert await counts(stack) == before
    # Once they have left it, the same person is reused: same person id, stored names, no new person row.
    removed = await stack.graphql(
        REMOVE,
        {"input": {"familyId": world_family.key, "memberId": pid, "reason": "Flyttet"}},
        token=stack.token("tovholder"),
    )
    assert removed["data"]["removeFamilyMember"]["__typename"] == "FamilyMembership", removed
    persons_before = (await counts(stack))["persons"]
    body = await refer(stack, referral(members=[member(parent.cpr, "Other", "Spelling", "PARENT")]))
    family = body["data"]["referFamily"]
    assert [m["id"] for m in family["members"]] == [pid]
    assert family["members"][0]["lastName"] == parent.last_name
    assert family["name"] == f"Familien {parent.last_name}"
    assert (await counts(stack))["persons"] == persons_before
    async with stack.services.sessions() as session:
        audited = await session.scalar(
            select(func.count())
            .select_from(entries_table)
            .where(
                entries_table.c.family_id == family["id"],
                entries_table.c.source == "HUB:family",
                entries_table.c.subject_person_id == pid,
                entries_table.c.action == "CHANGE",
            )
        )
    assert audited == 1


@pytest.mark.parametrize(
    "username", ["sof-kerne", "sof-sagsbehandler", "borger-F00001-1", "styregruppe", "admin"]
)
async def test_only_a_coordinator_may_refer_a_family(stack: Stack, username: str) -> None:
    before = await counts(stack)
    error = error_of(await refer(stack, referral(), username))
    assert error["extensions"]["code"] == "FORBIDDEN"
    # FORBIDDEN before any check of the input: an invalid referral says the same.
    invalid = error_of(await refer(stack, referral(members=[]), username))
    assert invalid["extensions"]["code"] == "FORBIDDEN"
    # Nothing is written but the two refusals themselves, in the security audit chain (issue 19, part 5).
    assert await counts(stack) == {**before, "audit": before["audit"] + 2}
    anonymous = await stack.client.post("/graphql", json={"query": REFER, "variables": {"input": referral()}})
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
