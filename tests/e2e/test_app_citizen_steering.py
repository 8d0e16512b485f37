"""The reference front-end for the family itself and for the steering group, in a real browser: a citizen sees
their plan and who used their data (never a staff name), a hand-typed URL of another family is "not found", and
the steering report shows suppressed cells as such and downloads its CSV. Each page passes an axe-core scan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.world.generator import DEMO_FAMILIES, DEMO_SEED
from tests.e2e.app_browser import WAIT_MS, axe_violations, browsing, screenshots
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FAMILY = """query($id: ID!) { family(id: $id) { members { social { status } health { status } } } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=DEMO_FAMILIES, seed=DEMO_SEED) as s:  # `make run`'s world
        yield s


async def test_citizen_sees_their_plan_and_access_log_and_not_another_family(stack: Stack) -> None:
    # The team reads the family first: that use of the family's data is what the access log shows.
    answer = await stack.graphql(FAMILY, {"id": "F00002"}, token=stack.token("tovholder"))
    assert answer["data"]["family"]["members"]
    async with browsing(stack) as browser:
        page = await browser.signed_in("borger-F00002-1")
        await page.get_by_role("heading", name="Min plan").wait_for(timeout=WAIT_MS)
        await page.locator("li.goal").first.wait_for(timeout=WAIT_MS)
        log = page.locator("table.access-log")
        await log.wait_for(timeout=WAIT_MS)
        assert await log.locator("tbody tr").count() >= 1
        text = await log.inner_text()
        assert "Tovholder" in text or "Kerneteam" in text
        assert "Tovholder Hansen" not in text  # roles and units, not people
        assert await axe_violations(page) == []
        await screenshots(page, "min-plan")

        await page.goto(f"{browser.base}/app/familier/F00004")  # typed by hand: not theirs
        await page.get_by_role("heading", name="Familien blev ikke fundet").wait_for(timeout=WAIT_MS)
        assert await axe_violations(page) == []


async def test_steering_group_sees_suppressed_cells_and_downloads_the_csv(stack: Stack) -> None:
    async with browsing(stack) as browser:
        page = await browser.signed_in("styregruppe")
        await page.get_by_role("heading", name="Styregruppe: resultater").wait_for(timeout=WAIT_MS)
        await page.locator("table.outcomes").wait_for(timeout=WAIT_MS)
        suppressed = page.locator("td.suppressed")
        assert await suppressed.count() >= 1
        kinds = await suppressed.evaluate_all("els => els.map(e => e.dataset.suppression)")
        assert set(kinds) <= {"SMALL", "COMPLEMENTARY"}
        first = await suppressed.first.inner_text()
        assert not any(ch.isdigit() for ch in first.replace("<5", "").replace("< 5", "")), first
        # Contact points per family at enrolment and now: four cells, each a figure or marked suppressed.
        contact = page.locator("table.contact-points tbody td")
        await page.get_by_role("heading", name="Kontaktpunkter pr. familie: ved optag og nu").wait_for(
            timeout=WAIT_MS
        )
        assert await contact.count() == 4
        assert await axe_violations(page) == []
        await screenshots(page, "styregruppe")

        async with page.expect_download() as download_info:
            await page.get_by_role("button", name="Hent CSV").click()
        download = await download_info.value
        assert download.suggested_filename == "styregruppe.csv"
        csv = await asyncio.to_thread(Path(await download.path()).read_text)
        assert csv.strip()
        assert "contact_points" in csv
