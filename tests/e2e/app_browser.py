"""Shared pieces of the front-end's browser tests (tests/e2e/test_app_*.py): a real hub on 127.0.0.1 served by
uvicorn, Debian's chromium through Playwright with no network beyond 127.0.0.1, sign-in as a demo user, an
axe-core scan (tests/e2e/vendor/axe.min.js, axe-core 4.14.1, MPL-2.0) and screenshots as test artefacts
(desktop and a 390 px phone) under $HUB_TEST_ARTEFACTS (default test-artefacts/) /app/.

With CI=true a missing chromium or Playwright fails (tests.support.backends.unavailable); elsewhere they skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvicorn

from tests.support.backends import unavailable
from tests.support.stack import Stack
from tests.support.waits import IT_HAPPENS_S

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTEFACTS = Path(os.environ.get("HUB_TEST_ARTEFACTS", "test-artefacts")) / "app"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 30_000


def chromium_path() -> str:
    path = os.environ.get("HUB_TEST_CHROMIUM") or next(
        (p for p in CHROMIUM_CANDIDATES if Path(p).exists()), shutil.which("chromium") or ""
    )
    if not path:
        unavailable("chromium", "no /usr/bin/chromium: `apt-get install -y chromium`, as .ci/run does")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        unavailable("Playwright for Python", "install the dev extra: `make test` or pip install -e '.[dev]'")
    return path


@contextlib.asynccontextmanager
async def serving(stack: Stack) -> AsyncIterator[str]:
    config = uvicorn.Config(
        stack.app, host="127.0.0.1", port=0, lifespan="off", ws="websockets-sansio", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        # "it happens": under load a server takes long to start (#21)
        deadline = asyncio.get_running_loop().time() + 120
        while asyncio.get_running_loop().time() < deadline:
            if server.started:
                break
            await asyncio.sleep(0.01)
        else:
            raise RuntimeError("uvicorn did not start")
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, IT_HAPPENS_S)


class Browser:
    """One chromium; `page()` opens a fresh context (its own sessionStorage) that reaches only 127.0.0.1."""

    def __init__(self, base: str, browser: Any) -> None:
        self.base = base
        self.browser = browser
        self.outside: list[str] = []
        self.console_errors: list[str] = []

    async def page(self, viewport: dict[str, int] = DESKTOP) -> Any:
        context = await self.browser.new_context(viewport=viewport, locale="da-DK")

        async def only_local(route: Any) -> None:
            url = route.request.url
            if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
                await route.continue_()
            else:
                self.outside.append(url)
                await route.abort()

        await context.route("**/*", only_local)
        page = await context.new_page()
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        return page

    async def signed_in(self, username: str, viewport: dict[str, int] = DESKTOP, page: Any = None) -> Any:
        """Sign in on the page's sign-in form (a new page unless one showing the form is given)."""
        if page is None:
            page = await self.page(viewport)
            await page.goto(f"{self.base}/app/")
        await page.get_by_label("Demobruger").select_option(username)
        await page.get_by_role("button", name="Log ind").click()
        await page.get_by_role("button", name="Log ud").wait_for(timeout=WAIT_MS)
        return page

    def csp_violations(self) -> list[str]:
        return [e for e in self.console_errors if "Content Security Policy" in e]


@contextlib.asynccontextmanager
async def browsing(stack: Stack) -> AsyncIterator[Browser]:
    chromium = chromium_path()
    from playwright.async_api import async_playwright

    async with serving(stack) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        session = Browser(base, browser)
        try:
            yield session
        finally:
            await browser.close()
        assert session.outside == [], f"the app tried to reach beyond 127.0.0.1: {session.outside}"
        assert session.csp_violations() == [], session.csp_violations()


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core findings (WCAG 2.0/2.1 A and AA rules) on the page as it is now."""
    # page.evaluate runs through the DevTools protocol, outside the page's CSP (no inline <script> is added).
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text())
    result = await page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


async def screenshots(page: Any, name: str) -> list[Path]:
    """`name`-desktop.png and `name`-phone.png (390 px wide), full page, and `-top.png` of what the first screen
    shows, under ARTEFACTS."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    original = page.viewport_size
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(viewport)
        await page.wait_for_timeout(200)  # layout settles (charts size to their container)
        path = ARTEFACTS / f"{name}-{label}.png"
        await page.screenshot(path=str(path), full_page=True)
        top = ARTEFACTS / f"{name}-{label}-top.png"
        await page.screenshot(path=str(top))
        written += [path, top]
    await page.set_viewport_size(original)
    return written
