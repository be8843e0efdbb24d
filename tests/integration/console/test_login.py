"""Logging in to the console on real PostgreSQL: the session cookie's flags, a page behind
the login, CSRF on every POST, wrong passwords, the lockout, logout."""

from __future__ import annotations

import httpx
import pytest

from services.console.api.pages import SESSION_COOKIE
from tests.support.console import add_console_user, csrf_of, log_in
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


async def test_a_user_logs_in_sees_the_home_page_and_logs_out(console, browser: httpx.AsyncClient):
    await add_console_user(console, "alice", "reviewer")
    assert (await browser.get("/")).status_code == 303  # not signed in: to the login page

    answer = await log_in(browser, "alice", next_path="/")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = await browser.get("/")
    assert home.status_code == 200 and "alice" in home.text and "ops:review" in home.text
    # only the id's hash is stored: the cookie's value is nowhere in the table
    rows = await fetch_all(console.platform.database_url,
                           "SELECT session_hash FROM console.sessions")
    assert [r["session_hash"] for r in rows] != [browser.cookies[SESSION_COOKIE]] and len(rows) == 1

    out = await browser.post("/logout", data={"csrf_token": csrf_of(home)})
    assert out.status_code == 303
    assert (await browser.get("/")).status_code == 303


async def test_the_cookie_is_secure_off_localhost(console):
    await add_console_user(console, "bob", "viewer")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=console.app),
                                 base_url="https://console.example") as client:
        answer = await log_in(client, "bob")
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=console.app),
                                 base_url="http://console.example") as client:
        # over plain http off localhost the login form's Secure cookie never comes back
        assert (await log_in(client, "bob")).status_code == 403


async def test_a_post_without_the_csrf_token_is_403(console, browser: httpx.AsyncClient):
    await add_console_user(console, "carol", "admin")
    await log_in(browser, "carol")
    refused = await browser.post("/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert (await browser.get("/")).status_code == 200  # still signed in
    await browser.get("/login")  # sets the login form's cookie; the form field is missing
    login_refused = await browser.post("/login", data={"username": "carol", "password": "x"})
    assert login_refused.status_code == 403


async def test_wrong_passwords_are_refused_then_locked_out(console, browser: httpx.AsyncClient):
    await add_console_user(console, "dave", "viewer")
    for _ in range(console.settings.login_failures_allowed):
        assert (await log_in(browser, "dave", "wrong password!")).status_code == 401
    locked = await log_in(browser, "dave")  # the right password, but too late
    assert locked.status_code == 429 and "Too many failed logins" in locked.text
    assert (await browser.get("/")).status_code == 303


async def test_the_language_switch_and_accept_language(console, browser: httpx.AsyncClient):
    await add_console_user(console, "erin", "viewer")
    await log_in(browser, "erin")
    assert "Log out" in (await browser.get("/")).text
    assert "退出" in (await browser.get("/", headers={"Accept-Language": "zh-CN,zh"})).text
    switched = await browser.get("/locale/zh?back=//evil.example")
    assert switched.headers["location"] == "/"  # never an open redirect
    assert "退出" in (await browser.get("/")).text
