"""Break-the-glass end to end: GraphQL -> gate -> the real mock departments, the live stream, the audit log.

A BUF caseworker outside a family's caseload is refused; asks for emergency access with a reason and a
justification; then sees the BUF sections (one call to the BUF mock, none to the others) with health details
withheld, while the health (SUF) and other departments' sections stay refused; the coordinator hears of it on
`familyUpdated`; the citizen's access log marks the reads as emergency access (no staff name); an administrator
reviews it; and once the grant has expired (the hub's clock moved, not waited for) the family is refused again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from hub.audit.models import AuditEntry
from hub.cpr import age_on
from hub.domain import Department
from hub.ingestion.feed import family_channel
from hub.persistence.engine import transaction
from hub.persistence.models import CaseloadEntry
from hub.world import WorldFamily, WorldPerson
from tests.integration.ingestion.ws_support import serving, subscribed
from tests.support.backends import create_postgres_database, drop_postgres_database
from tests.support.stack import Stack, running_stack
from tests.support.waits import listening

CASEWORKER = "buf-sagsbehandler"
JUSTIFICATION = "Politiet ringer kl. 02: barnet er fundet alene hjemme, skolen skal kontaktes i nat."
VIEW = """
query($id: ID!) { family(id: $id) { id members { id
  childAndYouth { status healthWithheld record { childId } }
  social { status } employment { status } leisure { status } health { status healthWithheld }
} } }
"""
REQUEST = """
mutation($id: ID!, $why: String!) {
  requestEmergencyAccess(familyId: $id, reasonCode: CHILD_SAFETY, justification: $why) {
    id familyId reasonCode departments grantedAt expiresAt revokedAt
  }
}
"""
REVIEWS = """
query { breakGlassReviews { access { id familyId reasonCode } justification workerRole workerDepartment
  workerUnit verdict note } }
"""
REVIEW = """
mutation($id: ID!, $verdict: BreakGlassVerdict!) {
  reviewBreakGlass(id: $id, verdict: $verdict, note: "Checked with the night duty log.") {
    access { id revokedAt } verdict note reviewedAt
  }
}
"""
CONSENT = """
mutation($subject: ID!, $categories: [DataCategory!]!) {
  recordConsent(input: {subjectId: $subject, grantorIds: [$subject], departments: [SUF], categories: $categories,
                        collectedVia: DIGITAL, evidenceRef: "J-2026-1"}) { id }
}
"""
LOG = """
query { myAccessLog(first: 100) { edges { node { source purpose emergency administration role unit
  categories subjectPersonId } } } }
"""


@pytest.fixture(params=["sqlite", "postgresql"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """The whole hub on both backends (PostgreSQL skips where HUB_TEST_POSTGRES_URL is not set)."""
    database = await asyncio.to_thread(create_postgres_database) if request.param == "postgresql" else None
    try:
        async with running_stack(tmp_path, families=6, seed=7, database_url=database) as s:
            yield s
    finally:
        if database is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(drop_postgres_database, database)


def _codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


def _pick(stack: Stack) -> tuple[WorldFamily, WorldPerson, str]:
    """A family with a citizen login whose child under 15 is registered at BUF (the citizen's log shows it)."""
    today = stack.world.today
    buf = stack.world.department_records[Department.BUF]
    for family in stack.world.families[:3]:
        adults = [m for m in family.members if age_on(m.birth_date, today) >= 18]
        for child in family.members:
            if child.cpr not in buf or age_on(child.birth_date, today) >= 15:
                continue
            for index, adult in enumerate(adults, start=1):
                if adult.cpr in child.custody_holders:
                    return family, child, f"borger-{family.key}-{index}"
    raise AssertionError("the test world has no citizen family with a young BUF child")


async def _out_of_caseload(stack: Stack, family: WorldFamily) -> None:
    """Setup: the caseworker holds no case in the family (so only emergency access can open it)."""
    persons = [stack.seeded.person_ids[m.cpr] for m in family.members]
    async with transaction(stack.services.sessions) as session:
        await session.execute(
            delete(CaseloadEntry).where(
                CaseloadEntry.user_id == stack.seeded.users[CASEWORKER], CaseloadEntry.person_id.in_(persons)
            )
        )


async def _wait_subscribed(stack: Stack, family_id: str) -> None:
    await listening(stack.services.extras["pubsub"], family_channel(family_id))


async def test_break_the_glass_end_to_end(stack: Stack) -> None:
    family, child, citizen = _pick(stack)
    family_id = stack.seeded.family_ids[family.key]
    child_id = stack.seeded.person_ids[child.cpr]
    await _out_of_caseload(stack, family)
    worker = stack.token(CASEWORKER)
    start = stack.services.clock()
    stack.services.clock = lambda: start  # the hub's clock, moved by the test (never waited for)

    # 1. Not in the caseload, no grant: the family does not exist for this caseworker.
    refused = await stack.graphql(VIEW, {"id": family_id}, token=worker)
    assert _codes(refused) == ["NOT_FOUND"]

    # Only workers may ask; a justification is required and bounded.
    citizen_token = stack.token(citizen)
    denied = await stack.graphql(REQUEST, {"id": family_id, "why": JUSTIFICATION}, token=citizen_token)
    assert _codes(denied) == ["FORBIDDEN"]
    # ... whether the family exists or not (no existence oracle for those who may not break glass).
    nowhere = await stack.graphql(
        REQUEST, {"id": "no-such-family", "why": JUSTIFICATION}, token=citizen_token
    )
    assert nowhere["errors"][0]["message"] == denied["errors"][0]["message"]
    assert _codes(nowhere) == ["FORBIDDEN"]
    short = await stack.graphql(REQUEST, {"id": family_id, "why": "because"}, token=worker)
    assert _codes(short) == ["BAD_USER_INPUT"]
    assert short["errors"][0]["extensions"].get("field") == "justification"

    # 2. Emergency access, while the coordinator follows the family live.
    async with serving(stack.app) as url, subscribed(url, stack.token("tovholder"), family_id) as coordinator:
        await _wait_subscribed(stack, family_id)
        body = await stack.graphql(REQUEST, {"id": family_id, "why": JUSTIFICATION}, token=worker)
        assert "errors" not in body, body
        grant = body["data"]["requestEmergencyAccess"]
        update = await coordinator.next(wait_s=10)
    assert grant["familyId"] == family_id
    assert grant["departments"] == ["BUF"]  # a caseworker's role covers their own administration only
    assert grant["reasonCode"] == "CHILD_SAFETY"
    assert update["kind"] == "EMERGENCY_ACCESS"
    assert "CHILD_SAFETY" in update["summary"]
    assert "BUF" in update["summary"]
    assert "Sagsbehandler" not in update["summary"]
    assert CASEWORKER not in update["summary"]
    again = await stack.graphql(REQUEST, {"id": family_id, "why": JUSTIFICATION}, token=worker)
    assert _codes(again) == ["CONFLICT"]

    # 3. The family's BUF sections, from the BUF mock only; never health details, never another department.
    await stack.reset_stats()
    body = await stack.graphql(VIEW, {"id": family_id}, token=worker)
    assert "errors" not in body, body
    members = {m["id"]: m for m in body["data"]["family"]["members"]}
    assert members[child_id]["childAndYouth"]["status"] == "OK"
    assert members[child_id]["childAndYouth"]["record"]["childId"]
    assert members[child_id]["childAndYouth"]["healthWithheld"] is True  # no health basis
    for member in members.values():
        for field in ("social", "employment", "leisure", "health"):
            assert member[field]["status"] == "FORBIDDEN", (field, member[field])
    stats = await stack.stats()
    assert stats[Department.BUF]["total_requests"] >= 1
    for department in (Department.SOF, Department.BIF, Department.KFF, Department.SUF):
        assert stats[department]["total_requests"] == 0, department

    # 4. Every read under it is audited with the grant id and reason code; the justification is in no log.
    async with stack.services.sessions() as session:
        entries = (await session.scalars(select(AuditEntry))).all()
    under = [e for e in entries if e.purpose == f"EMERGENCY_ACCESS:{grant['id']}"]
    granted_reads = [e for e in under if e.decision == "GRANTED" and e.source == "BUF"]
    assert any(e.subject_person_id == child_id for e in granted_reads)
    assert all(e.reason == "break_glass:CHILD_SAFETY" for e in granted_reads)
    assert any(e.source == "SUF" and e.decision == "DENIED" for e in under)  # refused, and logged as such
    assert any(e.chain == "SECURITY" and e.reason == "break_glass_granted:CHILD_SAFETY" for e in entries)
    assert any(
        e.chain == "SECURITY"
        and e.reason == "break_glass_refused:role_may_not_break_glass"
        and e.actor_role == "CITIZEN"
        for e in entries
    )
    assert all(JUSTIFICATION not in json.dumps([str(v) for v in vars(e).values()]) for e in entries)

    # 5. The citizen's log shows it as emergency access: administration, unit and role, never a name.
    log = await stack.graphql(LOG, token=citizen_token)
    assert "errors" not in log, log
    nodes = [edge["node"] for edge in log["data"]["myAccessLog"]["edges"]]
    emergency = [n for n in nodes if n["emergency"]]
    assert emergency, nodes
    assert {(n["source"], n["purpose"], n["administration"], n["role"]) for n in emergency} == {
        ("BUF", "EMERGENCY_ACCESS", "BUF", "CASEWORKER")
    }
    assert any(n["subjectPersonId"] == child_id for n in emergency)
    assert CASEWORKER not in json.dumps(log)
    assert "Sagsbehandler" not in json.dumps(log)
    assert grant["id"] not in json.dumps(log)

    # 6. An administrator's review queue; nobody else's.
    assert _codes(await stack.graphql(REVIEWS, token=worker)) == ["FORBIDDEN"]
    admin = stack.token("admin")
    queue = (await stack.graphql(REVIEWS, token=admin))["data"]["breakGlassReviews"]
    (item,) = [q for q in queue if q["access"]["id"] == grant["id"]]
    assert item["justification"] == JUSTIFICATION
    assert (item["workerRole"], item["workerDepartment"], item["verdict"]) == ("CASEWORKER", "BUF", None)
    reviewed = await stack.graphql(REVIEW, {"id": grant["id"], "verdict": "JUSTIFIED"}, token=admin)
    assert reviewed["data"]["reviewBreakGlass"]["verdict"] == "JUSTIFIED"
    assert reviewed["data"]["reviewBreakGlass"]["access"]["revokedAt"] is None
    twice = await stack.graphql(REVIEW, {"id": grant["id"], "verdict": "JUSTIFIED"}, token=admin)
    assert _codes(twice) == ["CONFLICT"]
    queue = (await stack.graphql(REVIEWS, token=admin))["data"]["breakGlassReviews"]
    assert grant["id"] not in {q["access"]["id"] for q in queue}
    async with stack.services.sessions() as session:
        security = (await session.scalars(select(AuditEntry).where(AuditEntry.chain == "SECURITY"))).all()
    assert any(e.reason == "break_glass_review:JUSTIFIED" and e.basis == grant["id"] for e in security)
    assert all("night duty" not in json.dumps([str(v) for v in vars(e).values()]) for e in security)

    # 7. Still in force one second before it ends; refused again from the moment it expires.
    ttl = timedelta(seconds=stack.settings.break_glass_ttl_s)
    stack.services.clock = lambda: start + ttl - timedelta(seconds=1)
    assert "errors" not in await stack.graphql(VIEW, {"id": family_id}, token=worker)
    stack.services.clock = lambda: start + ttl
    assert _codes(await stack.graphql(VIEW, {"id": family_id}, token=worker)) == ["NOT_FOUND"]


async def test_a_not_justified_verdict_revokes_the_grant_at_once(stack: Stack) -> None:
    family, _child, _citizen = _pick(stack)
    family_id = stack.seeded.family_ids[family.key]
    await _out_of_caseload(stack, family)
    worker = stack.token(CASEWORKER)
    body = await stack.graphql(REQUEST, {"id": family_id, "why": JUSTIFICATION}, token=worker)
    grant = body["data"]["requestEmergencyAccess"]
    assert "errors" not in await stack.graphql(
        VIEW, {"id": family_id}, token=worker
    )  # the read model holds it
    reviewed = await stack.graphql(
        REVIEW, {"id": grant["id"], "verdict": "NOT_JUSTIFIED"}, token=stack.token("admin")
    )
    assert reviewed["data"]["reviewBreakGlass"]["access"]["revokedAt"] is not None
    # The revocation is an access fact: the read model dropped the grant at commit, so the very next request
    # is refused without waiting for any expiry.
    assert _codes(await stack.graphql(VIEW, {"id": family_id}, token=worker)) == ["NOT_FOUND"]


async def test_a_team_role_under_a_grant_sees_what_consent_allows_the_team_and_no_health(
    stack: Stack,
) -> None:
    """Emergency access replaces the assignment, not consent: a core-team worker under a grant is decided as the
    family's team is (compared with the assigned coordinator, section by section), except that health details and
    the health (SUF) section need an explicit health basis."""
    family_id = stack.seeded.family_ids[stack.world.families[1].key]  # KFF's core team is not on it
    worker, coordinator = stack.token("kff-kerne"), stack.token("tovholder")
    assert _codes(await stack.graphql(VIEW, {"id": family_id}, token=worker)) == ["NOT_FOUND"]
    body = await stack.graphql(REQUEST, {"id": family_id, "why": JUSTIFICATION}, token=worker)
    assert body["data"]["requestEmergencyAccess"]["departments"] == ["BIF", "BUF", "KFF", "SOF", "SUF"]

    team = (await stack.graphql(VIEW, {"id": family_id}, token=coordinator))["data"]["family"]["members"]
    emergency = (await stack.graphql(VIEW, {"id": family_id}, token=worker))["data"]["family"]["members"]
    fresh = {"STALE": "OK"}
    compared = 0
    for assigned, under in zip(team, emergency, strict=True):
        assert assigned["id"] == under["id"]
        for field in ("social", "employment", "leisure"):
            assert fresh.get(under[field]["status"], under[field]["status"]) == fresh.get(
                assigned[field]["status"], assigned[field]["status"]
            ), (field, assigned[field], under[field])
            compared += 1
        buf_team, buf_under = assigned["childAndYouth"], under["childAndYouth"]
        assert fresh.get(buf_under["status"], buf_under["status"]) == fresh.get(
            buf_team["status"], buf_team["status"]
        )
        if buf_under["status"] in ("OK", "STALE"):
            assert buf_under["healthWithheld"] or not buf_team["healthWithheld"]
        # Health (SUF): only where the team's own view has a health basis (health details not withheld).
        if assigned["health"]["status"] in ("CONSENT_REQUIRED", "NOT_REGISTERED"):
            assert under["health"]["status"] == assigned["health"]["status"]
    assert compared

    # Health: a consent for SUF's CASE data is not a health basis (the SUF section stays FORBIDDEN under the
    # grant, while the assigned team sees it with health details withheld); one naming HEALTH is.
    adult = next(m for m in stack.world.families[1].members if age_on(m.birth_date, stack.world.today) >= 18)
    adult_id = stack.seeded.person_ids[adult.cpr]
    for categories, shown in ((["CASE"], False), (["CASE", "HEALTH"], True)):
        recorded = await stack.graphql(
            CONSENT, {"subject": adult_id, "categories": categories}, token=coordinator
        )
        assert "errors" not in recorded, recorded
        team = (await stack.graphql(VIEW, {"id": family_id}, token=coordinator))["data"]["family"]["members"]
        emergency = (await stack.graphql(VIEW, {"id": family_id}, token=worker))["data"]["family"]["members"]
        (assigned,) = [m["health"] for m in team if m["id"] == adult_id]
        (under,) = [m["health"] for m in emergency if m["id"] == adult_id]
        assert assigned["status"] in ("OK", "STALE", "NOT_REGISTERED")
        if shown:
            assert under["status"] == assigned["status"]
            assert under["healthWithheld"] is assigned["healthWithheld"] is False
        else:
            assert under["status"] == "FORBIDDEN"
