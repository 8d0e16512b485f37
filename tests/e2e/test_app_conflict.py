"""Two people edit the same goal in two browsers: the second is told someone else changed the plan and keeps what
they typed; after the offered reload, saving again succeeds. And a withdrawn consent takes effect: the member's
section says CONSENT_REQUIRED after a reload."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.world.generator import DEMO_FAMILIES, DEMO_SEED
from tests.e2e.app_browser import WAIT_MS, browsing
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO_FAMILY = "F00002"


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=DEMO_FAMILIES, seed=DEMO_SEED) as s:  # `make run`'s world
        yield s


async def _open_family(page: object, base: str) -> None:
    await page.goto(f"{base}/app/familier/{DEMO_FAMILY}")  # type: ignore[attr-defined]
    await page.locator("li.goal").first.wait_for(timeout=WAIT_MS)  # type: ignore[attr-defined]


async def test_two_browsers_edit_the_same_goal_and_the_second_keeps_its_text(stack: Stack) -> None:
    async with browsing(stack) as browser:
        first = await browser.signed_in("tovholder")
        second = await browser.signed_in("bif-kerne")  # a makkerpar of the family
        await _open_family(first, browser.base)
        await _open_family(second, browser.base)

        # Both start editing the same goal, from the same plan version.
        goal_a = first.locator("li.goal").first
        goal_b = second.locator("li.goal").first
        await goal_a.get_by_role("button", name="Redigér").click()
        await goal_b.get_by_role("button", name="Redigér").click()

        editor_a = goal_a.get_by_role("form", name=re.compile("^Redigér målet"))
        editor_b = goal_b.get_by_role("form", name=re.compile("^Redigér målet"))
        await editor_a.get_by_label("Titel", exact=True).fill("Første persons titel")
        await editor_a.get_by_role("button", name="Gem mål").click()
        await first.get_by_role("heading", name="Første persons titel").wait_for(timeout=WAIT_MS)

        typed = "Anden persons titel, skrevet med omhu"
        await editor_b.get_by_label("Titel", exact=True).fill(typed)
        await editor_b.get_by_label("Beskrivelse", exact=True).fill("En beskrivelse der ikke må gå tabt")
        await editor_b.get_by_role("button", name="Gem mål").click()
        await second.get_by_text("Nogen har ændret planen, mens du skrev.").wait_for(timeout=WAIT_MS)
        assert await editor_b.get_by_label("Titel", exact=True).input_value() == typed

        await second.get_by_role("button", name="Genindlæs planen (behold min tekst)").click()
        await second.get_by_text("Planen er genindlæst.").wait_for(timeout=WAIT_MS)
        editor = second.get_by_role("form", name="Redigér målet Første persons titel")
        assert await editor.get_by_label("Titel", exact=True).input_value() == typed
        assert (
            await editor.get_by_label("Beskrivelse", exact=True).input_value()
            == "En beskrivelse der ikke må gå tabt"
        )

        await editor.get_by_role("button", name="Gem mål").click()
        await second.get_by_role("heading", name=typed).wait_for(timeout=WAIT_MS)


async def _goal_for(stack: Stack, member_id: str, title: str) -> str:
    """A goal written (through the API) while the member's consent is in force."""
    token = stack.token("tovholder")
    plan = await stack.graphql('query { familyPlan(familyId: "F00002") { version } }', token=token)
    body = await stack.graphql(
        "mutation($input: CreateGoalInput!) { createGoal(input: $input) { ... on PlanGoal { id } } }",
        {
            "input": {
                "familyId": "F00002",
                "memberId": member_id,
                "expectedVersion": plan["data"]["familyPlan"]["version"],
                "title": title,
            }
        },
        token=token,
    )
    return str(body["data"]["createGoal"]["id"])


async def test_a_withdrawn_consent_shows_as_consent_required_after_reload(stack: Stack) -> None:
    # Written into the plan while M3's consent is in force: it stays, marked once the consent is withdrawn.
    goal_id = await _goal_for(stack, "P-F00002-M3", "Mødestabilitet i skolen")
    async with browsing(stack) as browser:
        page = await browser.signed_in("tovholder")
        await _open_family(page, browser.base)
        # P-F00002-M3 (15) consented to all five departments; BUF and KFF show their data.
        member = page.locator("article.member", has=page.locator('[id="member-P-F00002-M3"]'))
        before = await member.locator("section.dept [data-status]").evaluate_all(
            "els => els.map(e => e.dataset.status)"
        )
        assert "OK" in before, before
        consent = page.locator('li[data-consent="C-F00002-M3-1"]')
        await consent.get_by_role("button", name="Træk samtykke tilbage").click()
        await consent.get_by_role("button", name="Bekræft tilbagetrækning").click()
        await consent.locator('[data-status="WITHDRAWN"]').wait_for(timeout=WAIT_MS)

        # Re-consent for the other child at review: the new consent replaces the old one.
        renewed = page.locator('li[data-consent="C-F00002-M4-1"]')
        await renewed.get_by_role("button", name="Forny samtykke").click()
        await renewed.get_by_label("Dokumentreference").fill("J.nr. 2026-4711")
        child_view = renewed.get_by_label("Barnets egen holdning (10-14 år)")
        await child_view.fill("")  # Rim is 14: the hub asks for the child's own view, next to that field
        await renewed.get_by_role("button", name="Gem fornyet samtykke").click()
        await renewed.locator('[id="supersede-C-F00002-M4-1-child-view-error"]').wait_for(timeout=WAIT_MS)
        assert await renewed.get_by_label("Dokumentreference").input_value() == "J.nr. 2026-4711"
        await child_view.fill("Rim vil gerne have, at skolen og fritidsklubben taler sammen.")
        await renewed.get_by_role("button", name="Gem fornyet samtykke").click()
        await renewed.locator('[data-status="SUPERSEDED"]').wait_for(timeout=WAIT_MS)
        assert await page.locator("li[data-consent]", has=page.locator('[data-status="ACTIVE"]')).count() >= 2

        await page.reload()
        await member.first.wait_for(timeout=WAIT_MS)
        after = await member.locator("section.dept [data-status]").evaluate_all(
            "els => els.map(e => e.dataset.status)"
        )
        assert "OK" not in after, after
        assert [a for a, b in zip(after, before, strict=True) if b == "OK"] == [
            "CONSENT_REQUIRED"
        ] * before.count("OK")
        mark = page.locator(f'li[data-goal="{goal_id}"] [data-withdrawn-consent="C-F00002-M3-1"]')
        await mark.wait_for(timeout=WAIT_MS)
        assert "tilbagekaldt" in await mark.inner_text()
