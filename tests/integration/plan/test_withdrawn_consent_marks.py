"""Plan entries written while a consent was in force are marked once it is withdrawn (DOMAIN §4, #19.5): goals
of the consent's subject and of the whole family, their progress notes and the meeting minutes, shown as
`withdrawnConsents` on each entry; entries written after the withdrawal, and another member's goals, are not.
Through the real hub and the mock departments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.stack import Stack, running_stack

FAMILY = "F00002"
MEMBERS = 'query { family(id: "F00002") { members { id age } } }'
RECORD = """mutation($input: RecordConsentInput!) { recordConsent(input: $input) {
  id subjectId status departments } }"""
PLAN = """query { familyPlan(familyId: "F00002") { version
  goals { id title member { id } withdrawnConsents { consentId memberId departments withdrawnAt }
          progressNotes { id text withdrawnConsents { consentId } } }
  meetings { id status minutes withdrawnConsents { consentId memberId } } } }"""
CREATE_GOAL = """mutation($input: CreateGoalInput!) { createGoal(input: $input) {
  __typename ... on PlanGoal { id planVersion } ... on PlanMutationError { code message } } }"""
NOTE = """mutation($input: AddProgressNoteInput!) { addProgressNote(input: $input) {
  __typename ... on PlanMutationError { code message } } }"""
MINUTES = """mutation($input: RecordMeetingMinutesInput!) { recordMeetingMinutes(input: $input) {
  __typename ... on PlanMutationError { code message } } }"""
SCHEDULE = """mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) {
  __typename ... on PlanMeeting { id } ... on PlanMutationError { code message } } }"""
WITHDRAW = "mutation($id: ID!) { withdrawConsent(id: $id, channel: PAPER) { id status withdrawnAt } }"


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=6, seed=7) as st:
        yield st


async def _plan(stack: Stack, token: str) -> dict[str, Any]:
    body = await stack.graphql(PLAN, token=token)
    assert body.get("errors") is None, body
    plan: dict[str, Any] = body["data"]["familyPlan"]
    return plan


async def _goal(stack: Stack, token: str, title: str, member_id: str | None) -> str:
    version = (await _plan(stack, token))["version"]
    spec: dict[str, Any] = {"familyId": FAMILY, "expectedVersion": version, "title": title}
    if member_id is not None:
        spec["memberId"] = member_id
    body = await stack.graphql(CREATE_GOAL, {"input": spec}, token=token)
    goal = body["data"]["createGoal"]
    assert goal["__typename"] == "PlanGoal", body
    return str(goal["id"])


async def test_entries_written_under_a_withdrawn_consent_are_marked(stack: Stack) -> None:
    token = stack.token("tovholder")
    members = (await stack.graphql(MEMBERS, token=token))["data"]["family"]["members"]
    subject = next(m["id"] for m in members if m["age"] >= 18)
    other = next(m["id"] for m in members if m["id"] != subject)
    recorded = await stack.graphql(
        RECORD,
        {
            "input": {
                "subjectId": subject,
                "grantorIds": [subject],
                "departments": ["BIF", "SOF"],
                "categories": ["CASE"],
                "collectedVia": "PAPER",
                "evidenceRef": "J-19-5",
            }
        },
        token=token,
    )
    consent = recorded["data"]["recordConsent"]
    assert consent["status"] == "ACTIVE", recorded

    theirs = await _goal(stack, token, "Stabil hverdag", subject)
    family = await _goal(stack, token, "Ro om morgenen", None)
    someone_else = await _goal(stack, token, "Fritidsjob", other)
    body = await stack.graphql(NOTE, {"input": {"goalId": theirs, "text": "Godt i gang"}}, token=token)
    assert body["data"]["addProgressNote"]["__typename"] == "PlanGoal", body
    body = await stack.graphql(
        SCHEDULE, {"input": {"familyId": FAMILY, "scheduledAt": "2026-11-20T09:00:00+00:00"}}, token=token
    )
    meeting = body["data"]["scheduleMeeting"]
    assert meeting["__typename"] == "PlanMeeting", body
    plan = await _plan(stack, token)
    body = await stack.graphql(
        MINUTES,
        {"input": {"meetingId": meeting["id"], "expectedVersion": plan["version"], "minutes": "Referat"}},
        token=token,
    )
    assert body["data"]["recordMeetingMinutes"]["__typename"] != "PlanConflictError", body
    assert "code" not in body["data"]["recordMeetingMinutes"], body

    # Nothing is marked while the consent is in force.
    plan = await _plan(stack, token)
    assert all(not g["withdrawnConsents"] for g in plan["goals"])

    withdrawn = (await stack.graphql(WITHDRAW, {"id": consent["id"]}, token=token))["data"]["withdrawConsent"]
    after = await _goal(stack, token, "Skrevet bagefter", subject)

    plan = await _plan(stack, token)
    goals = {g["id"]: g for g in plan["goals"]}
    mark = {
        "consentId": consent["id"],
        "memberId": subject,
        "departments": sorted(consent["departments"]),
        "withdrawnAt": withdrawn["withdrawnAt"],
    }
    assert goals[theirs]["withdrawnConsents"] == [mark]
    assert goals[family]["withdrawnConsents"] == [mark]
    assert goals[someone_else]["withdrawnConsents"] == []
    assert goals[after]["withdrawnConsents"] == []
    (note,) = [n for n in goals[theirs]["progressNotes"] if n["text"] == "Godt i gang"]
    assert note["withdrawnConsents"] == [{"consentId": consent["id"]}]
    minutes = next(m for m in plan["meetings"] if m["id"] == meeting["id"])
    assert minutes["withdrawnConsents"] == [{"consentId": consent["id"], "memberId": subject}]
    # The entries themselves stay as written.
    assert goals[theirs]["title"] == "Stabil hverdag"
    assert minutes["minutes"] == "Referat"
