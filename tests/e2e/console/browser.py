"""What the console's browser tests share: Debian's chromium (never a downloaded browser),
the screenshots at both widths (checking nothing scrolls sideways) and logging in."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page, expect

from tests.support.console import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[3] / "test-artifacts" / "console"
WIDTHS = (1280, 768)


async def screenshots(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        # usable at this width: nothing wider than the window but scrollable tables
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width} px"
        await page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    await page.set_viewport_size({"width": WIDTHS[0], "height": 900})


async def log_in(page: Page, console: str, username: str) -> None:
    await page.goto(f"{console}/")
    await expect(page).to_have_url(re.compile(r"/login"))
    await page.get_by_label("User name").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_text(f"Welcome, {username}")).to_be_visible()
