"""Referral intake end to end: `referFamily` on a seeded hub with the five real mock departments.

The coordinator refers a family and is its coordinator from then on (need-to-know: other coordinators get
NOT_FOUND); every validation rule is BAD_USER_INPUT with its field and no CPR number in the message; a known
person is reused, a current member of another family is a CONFLICT; other roles are FORBIDDEN; each created
member is audited; and no error leaves a row behind. A re-referred family then goes the usual way: statutory
basis, eligibility assessment, enrolment.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.audit.models import entries_table
from hub.consent.policy import local_day
from hub.cpr import age_on, format_cpr, mask
from hub.domain import Department, FamilyStatus, MemberRole, Role
from hub.persistence.models import Custody, Family, Membership, Person, TeamAssignment, User
from hub.plan.models import HistoryEntry
from hub.world import WorldFamily, WorldPerson
from tests.support.backends import create_postgres_database, drop_postgres_database
from tests.support.stack import Stack, running_stack

REFER = """mutation($input: ReferFamilyInput!) { referFamily(input: $input) {
  id name status district housingArea referralSource referredOn
  members { id role firstName lastName birthDate cpr } } }"""
FAMILY = "query($id: ID!) { family(id: $id) { id name status members { id role cpr } } }"
TIMELINE = "query($id: ID!) { family(id: $id) { timeline(last: 10) { kind summary } } }"
ASSESS = """mutation($id: ID!) { assessEligibility(familyId: $id) { outcome
  criteria { criterion answer departmentsWithOpenCases departmentsWithoutBasis } } }"""
ENROL = (
    "mutation($id: ID!) { enrolFamily(familyId: $id) { family { id status enrolledOn } snapshotMembers } }"
)
ASSIGN = """mutation($input: AssignTeamMemberInput!) { assignTeamMember(input: $input) { __typename } }"""
REMOVE = """mutation($input: RemoveFamilyMemberInput!) { removeFamilyMember(input: $input) { __typename } }"""
STATUTORY = """mutation($input: RecordStatutoryBasisInput!) { recordStatutoryBasis(input: $input) { id } }"""

# Fictitious CPR numbers (DDMMYY-SSSS; 7th digit 0-3: 1900s, 4: 2000s for YY <= 36).
MOTHER = "120389-2014"
FATHER = "030786-1237"
CHILD = "210715-4118"  # born 2015: a child under 18 until 2033
GRANDMOTHER = "170456-2082"
TABLES = (Family, Person, Membership, Custody, TeamAssignment, HistoryEntry)


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=8, seed=11) as s:
        yield s


def member(cpr: str, first: str, last: str, role: str, holders: list[int] | None = None) -> dict[str, Any]:
    return {
        "cpr": cpr,
        "firstName": first,
        "lastName": last,
        "memberRole": role,
        "custodyHolders": holders or [],
    }


def referral(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "district": "NORREBRO",
        "housingArea": "Mjølnerparken",
        "referralSource": "Boligsocial helhedsplan",
        "members": [
            member(MOTHER, "Amina", "Haddad", "PARENT"),
            member(FATHER, "Omar", "Haddad", "PARENT"),
            member(CHILD, "Sara", "Haddad", "CHILD", [0, 1]),
        ],
    }
    base.update(overrides)
    return base


async def refer(stack: Stack, data: dict[str, Any], username: str = "tovholder") -> dict[str, Any]:
    return await stack.graphql(REFER, {"input": data}, token=stack.token(username))


async def counts(stack: Stack) -> dict[str, int]:
    async with stack.services.sessions() as session:
        out = {
            model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for model in TABLES
        }
        out["audit"] = int(await session.scalar(select(func.count()).select_from(entries_table)) or 0)
    return out


async def add_coordinator(stack: Stack, username: str) -> None:
    async with stack.services.sessions() as session, session.begin():
        session.add(
            User(
                id=f"U-{username}",
                username=username,
                subject=username,
                display_name="Tovholder 2",
                role=Role.COORDINATOR,
                unit="HFI-teamet",
            )
        )


def vault_cpr(stack: Stack, person: Person) -> str:
    return stack.services.vault.decrypt(person.cpr_encrypted)


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    error: dict[str, Any] = body["errors"][0]
    return error


def assert_no_cpr(error: dict[str, Any], *numbers: str) -> None:
    text = str(error)
    for number in numbers:
        digits = number.replace("-", "")
        assert digits not in text
        assert format_cpr(digits) not in text


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


def _now() -> datetime:
    return datetime.now(UTC)


def _ten_days_ago() -> str:
    return (local_day(_now()) - timedelta(days=10)).isoformat()


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("blank housing area", referral(housingArea="   "), "housingArea"),
    ("housing area too long", referral(housingArea="x" * 65), "housingArea"),
    ("blank referral source", referral(referralSource=""), "referralSource"),
    ("referred in the future", referral(referredOn="2999-01-01"), "referredOn"),
    ("no members", referral(members=[]), "members"),
    (
        "13 members",
        referral(members=[member(f"0101{80 + i:02d}-2{i:03d}", "A", "B", "PARENT") for i in range(13)]),
        "members",
    ),
    ("not a CPR number", referral(members=[member("120389-201", "A", "B", "PARENT")]), "members[0].cpr"),
    (
        "impossible birth date",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member("310289-2014", "C", "B", "PARENT")]),
        "members[1].cpr",
    ),
    ("blank first name", referral(members=[member(MOTHER, " ", "B", "PARENT")]), "members[0].firstName"),
    (
        "last name too long",
        referral(members=[member(MOTHER, "A", "B" * 81, "PARENT")]),
        "members[0].lastName",
    ),
    ("no adult", referral(members=[member(CHILD, "A", "B", "CHILD", [])]), "members"),
    (
        "a child as PARENT",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member(CHILD, "C", "B", "PARENT")]),
        "members[1].memberRole",
    ),
    (
        "duplicate CPR",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member("1203892014", "C", "B", "OTHER_ADULT")]),
        "members[1].cpr",
    ),
    (
        "child without custody",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member(CHILD, "C", "B", "CHILD")]),
        "members[1].custodyHolders",
    ),
    (
        "custody by a child",
        referral(
            members=[
                member(MOTHER, "A", "B", "PARENT"),
                member(CHILD, "C", "B", "CHILD", [2]),
                member("010120-4321", "D", "B", "CHILD", [0]),
            ]
        ),
        "members[1].custodyHolders",
    ),
    (
        "custody holder out of range",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member(CHILD, "C", "B", "CHILD", [5])]),
        "members[1].custodyHolders",
    ),
    (
        "custody listed twice",
        referral(members=[member(MOTHER, "A", "B", "PARENT"), member(CHILD, "C", "B", "CHILD", [0, 0])]),
        "members[1].custodyHolders",
    ),
    (
        "custody for an adult",
        referral(members=[member(MOTHER, "A", "B", "PARENT", [0]), member(FATHER, "C", "B", "PARENT")]),
        "members[0].custodyHolders",
    ),
    ("born after the referral", referral(referredOn="2014-01-01"), "members[2].cpr"),
]


async def test_each_invalid_referral_is_bad_user_input_naming_the_field_and_writes_nothing(
    stack: Stack,
) -> None:
    before = await counts(stack)
    for name, data, field in INVALID:
        error = error_of(await refer(stack, data))
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (name, error)
        assert error["extensions"]["field"] == field, (name, error)
        assert_no_cpr(error, MOTHER, FATHER, CHILD, "120389-201", "310289-2014", "010120-4321")
    assert await counts(stack) == before
    # A referral date in the past is fine, and the memberships start on it; housing outside the named
    # areas is accepted (eligibility judges it), as is a lone OTHER_ADULT holding custody.
    body = await refer(
        stack,
        referral(
            referredOn=_ten_days_ago(),
            housingArea="Nordvest",
            district="BISPEBJERG",
            members=[
                member(GRANDMOTHER, "Fatima", "Yousef", "OTHER_ADULT"),
                member(CHILD, "Sara", "Haddad", "CHILD", [0]),
            ],
        ),
    )
    assert body["data"]["referFamily"]["name"] == "Familien Yousef", body
    assert body["data"]["referFamily"]["referredOn"] == _ten_days_ago()


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
    assert await counts(stack) == before
    anonymous = await stack.client.post("/graphql", json={"query": REFER, "variables": {"input": referral()}})
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None: the stack's own SQLite file; else a fresh PostgreSQL database, dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


async def test_concurrent_referrals_of_one_person_leave_them_in_one_family(
    tmp_path: Path, database_url: str | None
) -> None:
    async with running_stack(tmp_path, families=4, seed=3, database_url=database_url) as stack:
        world_family = stack.world.families[0]
        parent = next(m for m in world_family.members if m.member_role is MemberRole.PARENT)
        removed = await stack.graphql(
            REMOVE,
            {
                "input": {
                    "familyId": world_family.key,
                    "memberId": stack.seeded.person_ids[parent.cpr],
                    "reason": "Flyttet",
                }
            },
            token=stack.token("tovholder"),
        )
        assert removed["data"]["removeFamilyMember"]["__typename"] == "FamilyMembership", removed
        for cpr in (MOTHER, parent.cpr):  # a new person, then a known one without a family
            before = await counts(stack)
            data = referral(members=[member(cpr, "Amina", "Haddad", "PARENT")])
            results = await asyncio.gather(*(refer(stack, data) for _ in range(3)))
            done = [r for r in results if "errors" not in r]
            refused = [error_of(r) for r in results if "errors" in r]
            assert len(done) == 1, results
            assert {e["extensions"]["code"] for e in refused} == {"CONFLICT"}
            for error in refused:
                assert_no_cpr(error, cpr)
            after = await counts(stack)
            assert after["families"] == before["families"] + 1
            assert after["memberships"] == before["memberships"] + 1
            assert after["persons"] == before["persons"] + (1 if cpr == MOTHER else 0)
