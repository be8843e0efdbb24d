"""Driving the console from tests: adding its users, logging in, reading a form's CSRF
token out of a page."""

from __future__ import annotations

import re

import httpx

from services.console.store.users import add_user
from shared.runtime import ServiceRuntime

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def add_console_user(console: ServiceRuntime, username: str, role: str,
                           password: str = PASSWORD) -> None:
    async with console.context.uow() as uow:
        await add_user(uow.connection, username, password, role, uow.clock.now())


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, f"no CSRF token on the page: {page.text[:300]}"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD,
                 next_path: str = "/") -> httpx.Response:
    form = await client.get("/login")
    return await client.post("/login", data={
        "csrf_token": csrf_of(form), "username": username, "password": password,
        "next": next_path})
