"""Shared by the referral intake tests (test_intake*.py): operations, CPR numbers, and helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from hub.audit.models import entries_table
from hub.cpr import format_cpr
from hub.days import local_day
from hub.domain import Role
from hub.persistence.models import Custody, Family, Membership, Person, TeamAssignment, User
from hub.plan.models import HistoryEntry
from tests.support.stack import Stack

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


def _now() -> datetime:
    return datetime.now(UTC)


def _ten_days_ago() -> str:
    return (local_day(_now()) - timedelta(days=10)).isoformat()
