"""A real browser against a real hub: Debian's chromium, driven by Playwright, with no network beyond 127.0.0.1.

GraphiQL must render from the hub's own assets, and a subscription started from GraphiQL's editor must receive a
change a department pushes afterwards (graphql-transport-ws text frames; binary frames reach a browser as a Blob
that GraphiQL cannot read). With CI=true a missing chromium or Playwright fails; elsewhere the test skips.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from hub.ingestion.feed import family_channel
from tests.e2e.app_browser import chromium_path, serving
from tests.support.stack import Stack, running_stack
from tests.support.waits import listening

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SUBSCRIPTION = """subscription Follow {
  familyUpdated(familyId: "%s") { familyId kind department recordId version summary }
}"""


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=4, seed=7) as s:
        yield s


async def _wait_subscribed(stack: Stack, family_id: str) -> None:
    await listening(
        stack.services.extras["pubsub"],
        family_channel(family_id),
        what="the subscription GraphiQL started never reached the hub's pub/sub",
    )


async def _family_with_a_goal(stack: Stack, token: str) -> tuple[str, str]:
    for family in stack.world.families:
        plan = await stack.graphql(
            "query($id: ID!) { family(id: $id) { plan { goals { id } } } }", {"id": family.key}, token=token
        )
        goals = ((plan["data"]["family"] or {}).get("plan") or {}).get("goals") or []
        if goals:
            return family.key, goals[0]["id"]
    raise AssertionError("no demo family with a plan goal")


async def _add_progress_note(stack: Stack, goal_id: str, token: str) -> None:
    """A plan edit by the tovholder: the hub publishes it on the family's live channel."""
    answer = await stack.graphql(
        "mutation($goal: ID!, $text: String!) { addProgressNote(input: {goalId: $goal, text: $text}) "
        "{ __typename } }",
        {"goal": goal_id, "text": f"browser check {uuid.uuid4().hex[:8]}"},
        token=token,
    )
    assert answer["data"]["addProgressNote"]["__typename"] == "PlanGoal", answer


async def test_graphiql_renders_offline_and_a_subscription_started_in_it_receives_a_change(
    stack: Stack,
) -> None:
    chromium = chromium_path()
    from playwright.async_api import Route, async_playwright

    token = stack.token("tovholder")
    family_id, goal_id = await _family_with_a_goal(stack, token)
    outside: list[str] = []
    console_errors: list[str] = []

    async def only_local(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1" or route.request.url.startswith("data:"):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    async with serving(stack) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium,
            # No DNS: any name but 127.0.0.1 fails to resolve, so nothing can leave the machine.
            args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            context = await browser.new_context()
            await context.route("**/*", only_local)
            page = await context.new_page()
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: console_errors.append(str(e)))
            query = urlencode(
                {
                    "query": SUBSCRIPTION % family_id,
                    "headers": json.dumps({"Authorization": f"Bearer {token}"}),
                }
            )
            await page.goto(f"{base}/graphiql?{query}")
            # GraphiQL rendered: its editor and its run button exist (the page text said "Loading" before).
            await page.wait_for_selector(".graphiql-container", timeout=20_000)
            await page.wait_for_selector(".graphiql-execute-button", timeout=20_000)
            await page.click(".graphiql-execute-button")
            await _wait_subscribed(stack, family_id)
            await _add_progress_note(stack, goal_id, token)
            await page.wait_for_function(
                """() => {
                    const result = document.querySelector('.result-window');
                    return result !== null && result.innerText.includes('PLAN_EDIT');
                }""",
                timeout=20_000,
            )
            shown = await page.inner_text(".result-window")
            assert "familyUpdated" in shown
            assert family_id in shown
        finally:
            await browser.close()

    assert outside == [], f"the page tried to reach beyond 127.0.0.1: {outside}"
    assert not [e for e in console_errors if "type" in e and "missing" in e], console_errors
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
