"""Login, logout and the language switch.

The login form has no session yet, so its CSRF token is a double submit: a random value in
an HttpOnly cookie and in the form, which must match. Failed logins count per user name and
per address (rules/login_attempts.py): past the limit, 429 until the window passes."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api.pages import (
    LOCALE_COOKIE,
    SESSION_COOKIE,
    Page,
    PageForbidden,
    form_of,
    posted_form,
    render,
    set_cookie,
    signed_in,
)
from services.console.rules.locales import LOCALES, safe_return_path
from services.console.settings import ConsoleSettings
from services.console.store.sessions import end_session, open_session
from services.console.store.users import check_login
from shared.service import ServiceContext

LOGIN_CSRF_COOKIE = "console_login_csrf"


def login_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    lasts = timedelta(minutes=context.settings.session_minutes)

    def login_page(request: Request, next_path: str, status: int = 200,
                   error: str | None = None, username: str = "") -> Response:
        token = secrets.token_urlsafe(24)
        response = render(request, "login.html", status, csrf_token=token, error=error,
                          next_path=safe_return_path(next_path), username=username)
        set_cookie(request, response, LOGIN_CSRF_COOKIE, token)
        return response

    @router.get("/login")
    async def show_login(request: Request, next: str = "/") -> Response:
        return login_page(request, next)

    @router.post("/login")
    async def log_in(request: Request) -> Response:
        form = await form_of(request)
        if not hmac.compare_digest(form.get("csrf_token", ""),
                                   request.cookies.get(LOGIN_CSRF_COOKIE, "-")):
            raise PageForbidden("csrf_failed")
        username = form.get("username", "").strip()
        address = request.client.host if request.client else "unknown"
        keys = (f"user:{username}", f"address:{address}")
        attempts = request.app.state.login_attempts
        now = context.clock.now()
        if attempts.locked_out(now, *keys):
            return login_page(request, form.get("next", "/"), 429, "login_locked", username)
        async with context.uow() as uow:
            user = await check_login(uow.connection, username, form.get("password", ""))
            if user is not None:
                session_id, _ = await open_session(uow.connection, user, uow.clock.now(), lasts)
        if user is None:
            attempts.failed(now, *keys)
            return login_page(request, form.get("next", "/"), 401, "login_failed", username)
        attempts.succeeded(*keys)
        response = RedirectResponse(safe_return_path(form.get("next")), status_code=303)
        set_cookie(request, response, SESSION_COOKIE, session_id, int(lasts.total_seconds()))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    @router.post("/logout")
    async def log_out(page: Page = Depends(signed_in)) -> Response:
        await posted_form(page)
        async with context.uow() as uow:
            await end_session(uow.connection, page.request.cookies[SESSION_COOKIE],
                              uow.clock.now())
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/locale/{locale}")
    async def switch_locale(request: Request, locale: str, back: str = "/") -> Response:
        """A preference, not an action: a link that works without a form or a session."""
        response = RedirectResponse(safe_return_path(back), status_code=303)
        if locale in LOCALES:
            set_cookie(request, response, LOCALE_COOKIE, locale, 365 * 24 * 3600)
        return response

    return router
