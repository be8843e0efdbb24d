"""The console's first page: who is signed in, with which role and scopes."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from services.console.api.pages import Page, signed_in
from services.console.settings import ConsoleSettings
from shared.service import ServiceContext


def home_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def home(page: Page = Depends(signed_in)) -> HTMLResponse:
        return page.render("home.html", scopes=sorted(page.session.user.scopes))

    return router
