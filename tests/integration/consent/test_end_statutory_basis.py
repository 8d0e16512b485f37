"""A statutory basis ended early (#19.5): who, when and why are recorded and audited; from that moment it allows
nothing (the department is not asked again on its strength), and only the family's team may end it. Through the
real hub and the mock departments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.audit.events import AuditAction, AuditKind
from hub.audit.models import AuditEntry
from hub.domain import Department, FamilyStatus
from hub.persistence.models import User
from tests.support.stack import Stack, running_stack

STATES = """query($id: ID!) { familyConsents(familyId: $id) {
  members { personId departments { department state } }
  statutoryBases { id subjectId inForce endedAt endedBy endReason } } }"""
RECORD = (
    """mutation($input: RecordStatutoryBasisInput!) { recordStatutoryBasis(input: $input) { id inForce } }"""
)
END = """mutation($input: EndStatutoryBasisInput!) { endStatutoryBasis(input: $input) {
  id inForce endedAt endedBy endReason } }"""
SOCIAL = "query($id: ID!) { familyMember(id: $id) { social { status } } }"


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=8, seed=7) as st:
        yield st


async def _sof_calls(stack: Stack) -> int:
    return int((await stack.stats())[Department.SOF]["total_requests"])


async def _uncovered_member(stack: Stack, token: str) -> tuple[str, str]:
    """An enrolled family's member SOF knows, whose SOF data no consent or statute covers."""
    ids = stack.seeded.person_ids
    registered = {ids[c] for c in stack.world.department_records[Department.SOF] if c in ids}
    for family in stack.world.families:
        if family.status is not FamilyStatus.ACTIVE:
            continue
        body = await stack.graphql(STATES, {"id": family.key}, token=token)
        for member in body["data"]["familyConsents"]["members"]:
            states = {d["department"]: d["state"] for d in member["departments"]}
            if member["personId"] in registered and states.get("SOF") not in ("ACTIVE", "STATUTORY"):
                return family.key, member["personId"]
    raise AssertionError("no uncovered SOF member in the demo world")


async def test_ending_a_statutory_basis_stops_it_at_once(stack: Stack) -> None:
    token = stack.token("tovholder")
    family_id, member_id = await _uncovered_member(stack, token)
    body = await stack.graphql(SOCIAL, {"id": member_id}, token=token)
    assert body["data"]["familyMember"]["social"]["status"] == "CONSENT_REQUIRED"

    recorded = await stack.graphql(
        RECORD,
        {
            "input": {
                "subjectId": member_id,
                "statuteReference": "Barnets lov § 133",
                "caseReference": "SOF-2026-77",
                "departments": ["SOF"],
            }
        },
        token=token,
    )
    basis_id = recorded["data"]["recordStatutoryBasis"]["id"]
    await stack.reset_stats()
    body = await stack.graphql(SOCIAL, {"id": member_id}, token=token)
    assert body["data"]["familyMember"]["social"]["status"] == "OK", body
    assert await _sof_calls(stack) == 1

    # Only the family's team ends it: a citizen is refused before anything is looked up, another worker
    # is told it does not exist.
    citizen = await stack.graphql(
        END, {"input": {"id": basis_id, "reason": "Slut"}}, token=stack.token("borger-F00002-1")
    )
    assert citizen["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    blank = await stack.graphql(END, {"input": {"id": basis_id, "reason": "  "}}, token=token)
    assert blank["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "reason"}

    ended = await stack.graphql(END, {"input": {"id": basis_id, "reason": "Sagen er afsluttet"}}, token=token)
    view = ended["data"]["endStatutoryBasis"]
    async with stack.services.sessions() as s:
        coordinator = (await s.scalars(select(User).where(User.username == "tovholder"))).one()
    assert view["inForce"] is False
    assert (view["endedBy"], view["endReason"]) == (coordinator.id, "Sagen er afsluttet")
    assert view["endedAt"]

    # From now on it allows nothing: SOF is not asked for the member, and the list says so.
    await stack.reset_stats()
    body = await stack.graphql(SOCIAL, {"id": member_id}, token=token)
    assert body["data"]["familyMember"]["social"]["status"] == "CONSENT_REQUIRED"
    assert await _sof_calls(stack) == 0
    listed = await stack.graphql(STATES, {"id": family_id}, token=token)
    (basis,) = [b for b in listed["data"]["familyConsents"]["statutoryBases"] if b["id"] == basis_id]
    assert basis == {
        "id": basis_id,
        "subjectId": member_id,
        "inForce": False,
        "endedAt": view["endedAt"],
        "endedBy": coordinator.id,
        "endReason": "Sagen er afsluttet",
    }

    again = await stack.graphql(END, {"input": {"id": basis_id, "reason": "Igen"}}, token=token)
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"

    async with stack.services.sessions() as s:
        entries = list(
            await s.scalars(select(AuditEntry).where(AuditEntry.reason == "statutory_basis_ended"))
        )
    (entry,) = entries
    assert (entry.chain, entry.action, entry.basis) == (
        AuditKind.CHANGE,
        AuditAction.CONSENT_CHANGE,
        basis_id,
    )
    assert (entry.actor_user_id, entry.subject_person_id, entry.family_id) == (
        coordinator.id,
        member_id,
        family_id,
    )
    assert "Sagen" not in repr(_columns(entry))  # the reason stays in the register, not in the log


def _columns(entry: AuditEntry) -> dict[str, Any]:
    return {c.key: getattr(entry, c.key) for c in AuditEntry.__table__.columns}
