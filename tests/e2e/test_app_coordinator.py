"""The reference front-end in a real browser, as the family's coordinator (tovholder): sign in, the family list,
the demo family's page with five department sections per member, one department down, a goal edited, and a
department's push shown without a reload. Each page passes an axe-core scan and is photographed."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.auth.seed import system_username
from hub.domain import Department
from hub.ingestion.feed import family_channel
from hub.world.generator import DEMO_FAMILIES, DEMO_SEED
from tests.e2e.app_browser import WAIT_MS, axe_violations, browsing, screenshots
from tests.support.stack import Stack, running_stack
from tests.support.waits import listening

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO_FAMILY = "F00002"  # the README's demo family: SOF, BIF, BUF, KFF and SUF each show someone's data
OVERDUE_FAMILY = "F00008"  # a scheduled meeting in the past, still without minutes (README: early signals)
DOWN = "BUF"
PUSH = """mutation($events: [DepartmentEventInput!]!) {
  pushDepartmentUpdates(events: $events) { results { eventId status } } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    # `make run`'s world; cache TTL 0, so what the cache holds is last known data (STALE when a department fails).
    async with running_stack(tmp_path, families=DEMO_FAMILIES, seed=DEMO_SEED, cache_ttl_s=0) as s:
        yield s


async def _wait_subscribed(stack: Stack, family_id: str) -> None:
    """The page's familyUpdated subscription has reached the hub's pub/sub (an event, not a pause)."""
    await listening(
        stack.services.extras["pubsub"],
        family_channel(family_id),
        what="the page's subscription never reached the hub",
    )


def _push_for(stack: Stack, member_key: str) -> dict[str, Any]:
    """A SOF change to a member (one whose SOF data the team may see), as the department's system sends it."""
    family = next(f for f in stack.world.families if f.key == member_key.split("-", maxsplit=1)[0])
    records = stack.world.department_records[Department.SOF]
    cpr = next(m.cpr for m in family.members if m.key == member_key)
    return {
        "eventId": f"evt-{uuid.uuid4().hex}",
        "department": "SOF",
        "subjectCpr": cpr,
        "recordKind": "person",
        "recordId": f"SOF-{cpr[-4:]}",
        "version": 9_000,
        "occurredAt": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(),
        "record": records[cpr],
    }


async def test_coordinator_signs_in_sees_the_family_edits_a_goal_and_gets_live_updates(stack: Stack) -> None:
    await stack.set_faults(Department(DOWN), error_rate=1.0, error_status=503)  # down before any fetch
    async with browsing(stack) as browser:
        # The sign-in page: scanned, and usable from the keyboard with a visible focus.
        page = await browser.page()
        await page.goto(f"{browser.base}/app/")
        await page.get_by_label("Demobruger").wait_for(timeout=WAIT_MS)
        assert await axe_violations(page) == []
        # The page moves focus to its heading; the next Tab is the form's first control, then its button.
        assert await page.evaluate("document.activeElement.tagName") == "H1"
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.id") == "demo-user"
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Log ind"
        outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid", "focus is visible"
        await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("Shift+Tab")  # back past the select: the skip link is the first stop
        assert await page.evaluate("document.activeElement.className") == "skip-link"
        await screenshots(page, "log-ind")
        await browser.signed_in("tovholder", page=page)

        # Mine familier: the list, then the demo family by its link.
        await page.get_by_role("heading", name="Mine familier").wait_for(timeout=WAIT_MS)
        await page.locator(f'a[href="/app/familier/{DEMO_FAMILY}"]').wait_for(timeout=WAIT_MS)
        assert await axe_violations(page) == []
        await screenshots(page, "mine-familier")
        await page.get_by_role("button", name="Næste side").click()
        await page.get_by_text("Side 2", exact=True).wait_for(timeout=WAIT_MS)
        await page.get_by_label("Søg på navn").fill("Nasser")
        await page.get_by_role("button", name="Søg").click()
        await page.get_by_text("3 familier", exact=True).wait_for(timeout=WAIT_MS)  # a name or a member's
        assert await page.locator("table.families tbody tr").count() == 3
        assert await page.get_by_text("Side 1", exact=True).is_visible()
        await page.locator(f'a[href="/app/familier/{DEMO_FAMILY}"]').click()

        members = page.locator("article.member")
        await members.first.wait_for(timeout=WAIT_MS)
        count = await members.count()
        assert count >= 2
        for i in range(count):
            sections = members.nth(i).locator("section.dept")
            assert await sections.count() == 5
        badges = {
            dept: await page.locator(f'section.dept[data-department="{dept}"] [data-status]').evaluate_all(
                "els => els.map(e => e.dataset.status)"
            )
            for dept in ("SOF", "BIF", "BUF", "KFF", "SUF")
        }
        assert "UNAVAILABLE" in badges[DOWN], badges
        assert "OK" not in badges[DOWN], badges
        for dept in {"SOF", "BIF", "BUF", "KFF", "SUF"} - {DOWN}:
            assert "UNAVAILABLE" not in badges[dept], badges
            assert "OK" in badges[dept], badges  # the other four show data
        assert await axe_violations(page) == []
        await screenshots(page, "familien")
        await stack.clear_faults()

        # Edit a goal: the new title is saved and shown.
        goal = page.locator("li.goal").first
        await goal.get_by_role("button", name="Redigér").click()
        title = f"Mål fra browseren {uuid.uuid4().hex[:6]}"
        editor = goal.get_by_role("form", name=re.compile("^Redigér målet"))
        await editor.get_by_label("Titel", exact=True).fill(title)
        await editor.get_by_role("button", name="Gem mål").click()
        await page.get_by_role("heading", name=title).wait_for(timeout=WAIT_MS)

        # A progress note on the same goal.
        note = f"Note fra browseren {uuid.uuid4().hex[:6]}"
        await goal.get_by_label("Ny fremskridtsnote").fill(note)
        await goal.get_by_role("button", name="Tilføj note").click()
        await goal.get_by_text("Fremskridtsnoter").click()
        await goal.get_by_text(note).wait_for(timeout=WAIT_MS)

        # A measurement the hub refuses shows its message next to the field it names; a valid one is saved.
        form = page.get_by_role("form", name="Registrér måling")
        await form.get_by_label("Score").fill("3")  # WHO-5 is the raw score times 4
        await form.get_by_role("button", name="Registrér").click()
        error = form.locator(".field-error #measure-score")
        await error.wait_for(timeout=WAIT_MS)
        assert await form.locator("#measure-score-error").inner_text()
        assert await form.get_by_label("Score").input_value() == "3"
        await form.get_by_label("Score").fill("64")
        await form.get_by_role("button", name="Registrér").click()
        await form.get_by_text("Målingen er registreret.").wait_for(timeout=WAIT_MS)

        # A follow-up meeting is scheduled and shown as the next meeting.
        meeting = page.get_by_role("form", name="Planlæg opfølgningsmøde")
        await meeting.get_by_label("Tidspunkt").fill("2030-03-04T10:00")
        await meeting.get_by_label("Sted").fill("Familiens hjem")
        await meeting.get_by_role("button", name="Planlæg møde").click()
        await meeting.get_by_text("Mødet er planlagt.").wait_for(timeout=WAIT_MS)

        # Minutes of a meeting that has not started yet: the hub's refusal is shown, what was typed is kept.
        minutes = page.get_by_role("form", name="Referat af mødet")
        await minutes.get_by_label("Referat", exact=True).fill("Familien og teamet gennemgik planen.")
        await minutes.get_by_role("button", name="Gem referat").click()
        await minutes.get_by_text("once the meeting has started").wait_for(timeout=WAIT_MS)
        assert (
            await minutes.get_by_label("Referat", exact=True).input_value()
            == "Familien og teamet gennemgik planen."
        )

        # A department's push reaches the open page without a reload.
        await page.evaluate("window.__sameDocument = true")
        await _wait_subscribed(stack, DEMO_FAMILY)
        answer = await stack.graphql(
            PUSH,
            {"events": [_push_for(stack, f"{DEMO_FAMILY}-M4")]},
            token=stack.token(system_username(Department.SOF)),
        )
        assert answer["data"]["pushDepartmentUpdates"]["results"][0]["status"] in ("APPLIED", "ACCEPTED"), (
            answer
        )
        await page.locator("[data-testid=live]").get_by_text("Live:").wait_for(timeout=WAIT_MS)
        assert await page.evaluate("window.__sameDocument === true"), "the page was reloaded"

        # BIF fails after it answered once: its sections show the last known data as STALE, with their age.
        await stack.set_faults(Department.BIF, error_rate=1.0, error_status=503)
        await page.reload()
        stale = page.locator('section.dept[data-department="BIF"] [data-status="STALE"]')
        await stale.first.wait_for(timeout=WAIT_MS)
        assert "gammel" in await stale.first.inner_text()
        assert await page.locator('section.dept[data-department="SOF"] [data-status="OK"]').count() >= 1

        # Minutes of a meeting that is overdue (the demo's F00008 has one), with a decision: it becomes the latest.
        await page.goto(f"{browser.base}/app/familier/{OVERDUE_FAMILY}")
        minutes = page.get_by_role("form", name="Referat af mødet")
        await minutes.get_by_label("Referat", exact=True).fill("Familien og teamet gennemgik planen.")
        await minutes.get_by_label("Beslutninger (én pr. linje)").fill("Rim starter i fritidsklub")
        await minutes.get_by_role("button", name="Gem referat").click()
        await page.get_by_text("Rim starter i fritidsklub").first.wait_for(timeout=WAIT_MS)
