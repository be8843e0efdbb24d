"""What every page shares: the templates, the signed-in session (a cookie naming a server-side
session), the locale, CSRF-checked forms, and the secure cookie settings.

Cookies are `HttpOnly`, `SameSite=Lax` and `Secure`; `Secure` is left off only in dev and
test over plain http to localhost, where a browser would otherwise drop it."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.console.api.navigation import NAVIGATION
from services.console.platform_apis import PlatformApis
from services.console.rules.amounts import format_amount
from services.console.rules.locales import choose_locale, translate
from services.console.settings import ConsoleSettings
from services.console.store.sessions import Session, find_session
from shared.service import ServiceContext

SESSION_COOKIE = "console_session"
LOCALE_COOKIE = "console_locale"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parents[1] / "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True,
                        lstrip_blocks=True)


class LoginRequired(Exception):
    def __init__(self, path: str) -> None:
        self.path = path


class PageForbidden(Exception):
    """403 in words: `reason` is a word key (`forbidden`, `csrf_failed`)."""

    def __init__(self, reason: str = "forbidden") -> None:
        self.reason = reason


def locale_of(request: Request) -> str:
    return choose_locale(request.cookies.get(LOCALE_COOKIE), request.headers.get("accept-language"))


def context_of(request: Request) -> ServiceContext[ConsoleSettings]:
    return request.app.state.context


def set_cookie(request: Request, response: Response, name: str, value: str,
               max_age: int | None = None) -> None:
    environment = context_of(request).platform.environment
    relaxed = (environment in ("dev", "test") and request.url.scheme == "http"
               and request.url.hostname in LOCAL_HOSTS)
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=not relaxed, path="/")


def render(request: Request, template: str, status: int = 200, session: Session | None = None,
           **values: Any) -> HTMLResponse:
    locale = locale_of(request)
    settings = context_of(request).settings
    scopes = session.user.scopes if session else frozenset()
    html = TEMPLATES.get_template(template).render(
        request=request, session=session, locale=locale, path=request.url.path,
        t=lambda key: translate(locale, key),
        money=lambda minor, currency=None: format_amount(int(minor), currency or settings.currency),
        can=lambda scope: scope in scopes,
        navigation=[(key, href) for key, href, scope in NAVIGATION
                    if session and (scope is None or scope in scopes)],
        **values)
    return HTMLResponse(html, status_code=status)


@dataclass(frozen=True)
class Page:
    """A signed-in request: the session, and the APIs called as its user."""

    request: Request
    session: Session
    apis: PlatformApis

    def can(self, scope: str) -> bool:
        return scope in self.session.user.scopes

    def require(self, scope: str) -> None:
        if not self.can(scope):
            raise PageForbidden()

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return render(self.request, template, status, self.session, **values)


async def signed_in(request: Request) -> Page:
    """The page's session; without a live one, off to the login page and back."""
    session_id = request.cookies.get(SESSION_COOKIE)
    context = context_of(request)
    session = None
    if session_id:
        async with context.uow() as uow:
            session = await find_session(uow.connection, session_id, uow.clock.now())
    if session is None:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(back)
    return Page(request, session, request.app.state.apis)


async def form_of(request: Request) -> dict[str, str]:
    """The posted form's fields (first value each); urlencoded forms only."""
    fields = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


async def posted_form(page: Page) -> dict[str, str]:
    """The form, once its CSRF token matches the session's; 403 otherwise."""
    form = await form_of(page.request)
    if not hmac.compare_digest(form.get("csrf_token", ""), page.session.csrf_token):
        raise PageForbidden("csrf_failed")
    return form


def install_page_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, error: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(error.path, safe='')}", status_code=303)

    @app.exception_handler(PageForbidden)
    async def forbidden(request: Request, error: PageForbidden) -> Response:
        return render(request, "forbidden.html", status=403, reason=error.reason)
