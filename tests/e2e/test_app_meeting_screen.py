"""The follow-up meeting on the big screen (/app/moede/:id) in two browsers: the coordinator opens it and types the
minutes, the makkerpar's screen shows them as they are typed; the makkerpar cannot write without the pen, gets it
handed over, writes, and closes the meeting, which records the minutes in the family's plan."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.persistence.models import User
from hub.world.generator import DEMO_FAMILIES, DEMO_SEED
from tests.e2e.app_browser import WAIT_MS, axe_violations, browsing, screenshots
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO_FAMILY = "F00002"
SCHEDULE = """mutation($input: ScheduleMeetingInput!) {
  scheduleMeeting(input: $input) { __typename ... on PlanMeeting { id } ... on PlanMutationError { message } }
}"""
PLAN = "query($id: ID!) { familyPlan(familyId: $id) { version meetings { id status minutes decisions } } }"


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=DEMO_FAMILIES, seed=DEMO_SEED) as s:  # `make run`'s world
        yield s


async def _user_id(stack: Stack, username: str) -> str:
    async with stack.services.sessions() as session:
        user_id = await session.scalar(select(User.id).where(User.username == username))
    assert user_id is not None
    return str(user_id)


async def test_two_screens_follow_the_meeting_and_the_pen_passes(stack: Stack) -> None:
    token = stack.token("tovholder")
    started = stack.services.clock() - timedelta(hours=1)
    body = await stack.graphql(
        SCHEDULE,
        {
            "input": {
                "familyId": DEMO_FAMILY,
                "scheduledAt": started.isoformat(),
                "agenda": ["Siden sidst", "Skolen"],
            }
        },
        token=token,
    )
    scheduled = body["data"]["scheduleMeeting"]
    assert scheduled["__typename"] == "PlanMeeting", body
    meeting_id = scheduled["id"]
    makkerpar = await _user_id(stack, "bif-kerne")
    before = (await stack.graphql(PLAN, {"id": DEMO_FAMILY}, token=token))["data"]["familyPlan"]["version"]

    async with browsing(stack) as browser:
        writer = await browser.signed_in("tovholder")
        watcher = await browser.signed_in("bif-kerne")  # a makkerpar of the family
        for page in (writer, watcher):
            await page.goto(f"{browser.base}/app/moede/{meeting_id}")
            await page.get_by_role("heading", name="Dagsorden").wait_for(timeout=WAIT_MS)
        await writer.get_by_text("Skolen", exact=True).wait_for(timeout=WAIT_MS)  # the meeting's agenda

        await writer.get_by_role("button", name="Åbn mødet på storskærm").click()
        await writer.get_by_text("Du har pennen.").wait_for(timeout=WAIT_MS)
        await (
            watcher.get_by_test_id("pen").get_by_text(re.compile(r"har pennen\.$")).wait_for(timeout=WAIT_MS)
        )

        # Typed on one screen, it appears on the other.
        minutes = writer.get_by_role("textbox", name="Referat")
        await minutes.press_sequentially("Familien fortæller om skolen.", delay=15)
        await (
            watcher.get_by_test_id("minutes")
            .get_by_text("Familien fortæller om skolen.")
            .wait_for(timeout=WAIT_MS)
        )
        await writer.get_by_role("textbox", name="Ny beslutning").fill("Mentor fra BIF")
        await writer.get_by_role("button", name="Tilføj beslutning").click()
        await watcher.get_by_test_id("decisions").get_by_text("Mentor fra BIF").wait_for(timeout=WAIT_MS)

        # Without the pen the makkerpar cannot write; it is handed over, and then they can.
        await watcher.get_by_role("button", name="Tag pennen").click()
        await watcher.get_by_text("En anden har pennen.").wait_for(timeout=WAIT_MS)
        assert await watcher.get_by_role("textbox", name="Referat").count() == 0
        await writer.get_by_role("combobox", name="Giv pennen til").select_option(makkerpar)
        await writer.get_by_role("button", name="Giv pennen videre").click()
        await watcher.get_by_text("Du har pennen.").wait_for(timeout=WAIT_MS)
        assert await writer.get_by_role("textbox", name="Referat").count() == 0
        added = watcher.get_by_role("textbox", name="Referat")
        await added.press_sequentially(" Aftalt: mentor.", delay=15)
        full = "Familien fortæller om skolen. Aftalt: mentor."
        await writer.get_by_test_id("minutes").get_by_text(full).wait_for(timeout=WAIT_MS)

        assert await axe_violations(watcher) == []
        await screenshots(watcher, "moede-storskaerm")

        # Closing records the minutes in the plan, one version up; both screens say so.
        await watcher.get_by_role("button", name="Afslut mødet og gem referatet").click()
        for page in (writer, watcher):
            await page.get_by_text("Mødet er afsluttet, og referatet er gemt i handleplanen.").wait_for(
                timeout=WAIT_MS
            )
        await writer.get_by_test_id("minutes").get_by_text(full).wait_for(timeout=WAIT_MS)

    plan = (await stack.graphql(PLAN, {"id": DEMO_FAMILY}, token=token))["data"]["familyPlan"]
    held = next(m for m in plan["meetings"] if m["id"] == meeting_id)
    assert (held["status"], held["minutes"], held["decisions"]) == ("HELD", full, ["Mentor fra BIF"])
    assert plan["version"] == before + 1
