"""The family's own voice in the reference front-end, in a real browser (issue 23): a parent writes a goal in
their own words, a progress note and a WHO-5 they answered themselves; a young person (15-17) writes their own
view and decides that their parents may read it. Each is saved through the public API and marked as the
family's; the page passes an axe-core scan and the CSP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.persistence.models import Membership, User
from hub.world.generator import DEMO_FAMILIES, DEMO_SEED
from tests.e2e.app_browser import WAIT_MS, axe_violations, browsing, screenshots
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VOICE = """query($id: ID!) { familyPlan(familyId: $id) {
  goals { familyWording { text writtenByFamily } familyNotes { text writtenByFamily } }
  childViews { text writtenByFamily sharedWithParents member { id } }
  measurements { instrument score selfReported } } }"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=DEMO_FAMILIES, seed=DEMO_SEED) as s:  # `make run`'s world
        yield s


async def test_a_parent_writes_goals_notes_and_a_score_in_their_own_words(stack: Stack) -> None:
    async with browsing(stack) as browser:
        page = await browser.signed_in("borger-F00002-1")
        await page.get_by_role("link", name="Vores ord").click()
        await page.get_by_role("heading", name="Vores ord").wait_for(timeout=WAIT_MS)
        goal = page.locator("li.voice-goal").first
        await goal.wait_for(timeout=WAIT_MS)
        assert await page.get_by_label("Mine forældre må læse det").count() == 0  # a parent: no say to give

        await goal.get_by_label("Målet med dine egne ord").fill("Vi vil have rolige morgener før skole")
        await goal.get_by_role("button", name="Gem mine ord").click()
        await goal.get_by_text("Vi vil have rolige morgener før skole").wait_for(timeout=WAIT_MS)

        await goal.get_by_label("Din note om, hvordan det går").fill("Tre gode morgener i denne uge")
        await goal.get_by_role("button", name="Gem min note").click()
        await goal.get_by_text("Tre gode morgener i denne uge").wait_for(timeout=WAIT_MS)

        await page.get_by_label("Spørgeskema").select_option("WHO5")
        await page.get_by_label("Din score").fill("48")
        await page.get_by_role("button", name="Gem min score").click()
        await page.locator("ul.voice-scores li", has_text="WHO5: 48").wait_for(timeout=WAIT_MS)
        assert await axe_violations(page) == []
        await screenshots(page, "vores-ord")

    plan = (await stack.graphql(VOICE, {"id": "F00002"}, token=stack.token("tovholder")))["data"][
        "familyPlan"
    ]
    wording = [w for g in plan["goals"] for w in g["familyWording"]]
    notes = [n for g in plan["goals"] for n in g["familyNotes"]]
    assert {"text": "Vi vil have rolige morgener før skole", "writtenByFamily": True} in wording
    assert {"text": "Tre gode morgener i denne uge", "writtenByFamily": True} in notes
    assert {"instrument": "WHO5", "score": 48.0, "selfReported": True} in plan["measurements"]


async def test_a_young_person_writes_their_view_and_decides_who_reads_it(stack: Stack) -> None:
    async with stack.services.sessions() as session:
        young = await session.scalar(select(User).where(User.username.like("ung-%")))
        assert young is not None
        assert young.person_id is not None
        family_id = await session.scalar(
            select(Membership.family_id).where(Membership.person_id == young.person_id)
        )
    async with browsing(stack) as browser:
        page = await browser.signed_in(young.username)
        await page.get_by_role("link", name="Vores ord").click()
        section = page.locator("section", has=page.get_by_role("heading", name="Min mening"))
        await section.wait_for(timeout=WAIT_MS)
        await section.get_by_label("Min mening", exact=True).fill("Jeg vil selv vælge min fritidsaktivitet")
        await section.get_by_role("button", name="Gem min mening").click()
        entry = section.locator("ul.voice-words li", has_text="Jeg vil selv vælge min fritidsaktivitet")
        await entry.wait_for(timeout=WAIT_MS)
        assert "forældrene kan læse det" not in await entry.inner_text()  # not shared unless they say so
        await entry.get_by_role("button", name="Del med mine forældre").click()
        await entry.get_by_text("forældrene kan læse det").wait_for(timeout=WAIT_MS)
        assert await axe_violations(page) == []

    plan = (await stack.graphql(VOICE, {"id": family_id}, token=stack.token("tovholder")))["data"][
        "familyPlan"
    ]
    views = [v for v in plan["childViews"] if v["text"] == "Jeg vil selv vælge min fritidsaktivitet"]
    assert views == [
        {
            "text": "Jeg vil selv vælge min fritidsaktivitet",
            "writtenByFamily": True,
            "sharedWithParents": True,
            "member": {"id": young.person_id},
        }
    ]
