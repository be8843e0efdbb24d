"""Notification wordings saved from the console as versions, against the real notifier on
real PostgreSQL: Save appears only after both locales were previewed; a saved draft is a
version in the notifier's history with who and when; a wording that is not a template is
refused next to its field with its line; going back to the release's wording is a version
too."""

from __future__ import annotations

import re

import pytest

from tests.integration.console.service_stack import services_behind
from tests.support.console import add_console_user, csrf_of, log_in
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration
DRAFTS = {"draft_en": "Up to {{ to_tier }}!\n<p>Welcome.</p>",
          "draft_zh-CN": "升级到 {{ to_tier }}\n<p>欢迎</p>"}


async def test_drafts_saved_as_versions_refused_with_their_line_and_reverted(
        console, browser, bus_platform):
    await add_console_user(console, "mei", "config")
    async with services_behind(console, bus_platform, ("notifier",)):
        await log_in(browser, "mei")
        empty = await browser.get("/setup/templates?kind=tier_upgraded")
        token = csrf_of(empty)
        previewed = await browser.post("/setup/templates", data={
            "kind": "tier_upgraded", "action": "preview", **DRAFTS, "csrf_token": token})
        saved = await browser.post("/setup/templates", data={
            "kind": "tier_upgraded", "action": "save", **DRAFTS, "csrf_token": token})
        after_save = await browser.get(saved.headers["location"])
        broken = await browser.post("/setup/templates", data={
            "kind": "tier_upgraded", "action": "save", "csrf_token": token,
            "draft_en": "Fine\n<p>one</p>\n<p>{{ member_name }}</p>"})
        reverted = await browser.post("/setup/templates", data={
            "kind": "tier_upgraded", "action": "revert:en", "csrf_token": token})
        after_revert = await browser.get(reverted.headers["location"])
        stored = await fetch_all(bus_platform.database_url,
                                 "SELECT locale, wording, created_by FROM notifier.template_versions "
                                 "ORDER BY version_id")

    assert "data-template-version" not in empty.text and 'value="save"' not in empty.text
    assert previewed.status_code == 200 and 'value="save"' in previewed.text
    assert saved.status_code == 303, saved.text
    rows = re.findall(r'data-template-version="\d+" data-locale="([^"]+)">.*?<td>([^<]*)</td>'
                      r'<td>(ops:mei)</td><td>\d{4}-\d\d-\d\d \d\d:\d\d', after_save.text)
    assert sorted(rows) == [("en", "Up to {{ to_tier }}!", "ops:mei"),
                            ("zh-CN", "升级到 {{ to_tier }}", "ops:mei")]
    assert broken.status_code == 422
    assert re.search(r'id="draft_en-error" role="alert">The wording is not a template \(line 3\)',
                     broken.text)
    assert reverted.status_code == 303
    assert re.search(r'data-locale="en"><td>[0-9a-f]{12}</td><td>en</td><td><em>The release',
                     after_revert.text)
    assert [(r["locale"], r["wording"] is None, r["created_by"]) for r in stored] == [
        ("zh-CN", False, "ops:mei"), ("en", False, "ops:mei"), ("en", True, "ops:mei")]
