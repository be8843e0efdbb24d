"""The console's web app: server-rendered pages (Jinja2, plain HTML forms that work without
JavaScript), its own login sessions, and `/healthz`, `/readyz`. It has no JSON API of its
own and no event consumer: every read and action goes to the services' HTTP APIs through
`services/console/platform_apis.py`."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.console.api.dashboard import dashboard_router
from services.console.api.home import home_router
from services.console.api.login import login_router
from services.console.api.member_actions import member_actions_router
from services.console.api.members import members_router
from services.console.api.pages import install_page_handlers
from services.console.api.reports import reports_router
from services.console.api.reviews import reviews_router
from services.console.api.setup_offers import setup_offers_router
from services.console.api.setup_programs import setup_programs_router
from services.console.api.setup_renewal_prices import renewal_prices_router
from services.console.api.setup_templates import setup_templates_router
from services.console.platform_apis import PlatformApis
from services.console.rules.login_attempts import LoginAttempts
from services.console.settings import ConsoleSettings
from shared.http.health import health_router
from shared.service import ServiceContext


def create_app(context: ServiceContext[ConsoleSettings]) -> FastAPI:
    settings = context.settings
    app = FastAPI(title="Patronage console", version="1.0.0", docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.context = context
    app.state.apis = PlatformApis(
        settings.service_urls(), context.platform.jwt_secret, context.clock,
        timedelta(seconds=settings.token_seconds), settings.api_timeout_seconds)
    app.state.login_attempts = LoginAttempts(
        settings.login_failures_allowed, timedelta(seconds=settings.login_lockout_seconds))
    install_page_handlers(app)
    app.include_router(health_router(context.readiness))
    for router in (login_router(context), home_router(context), reviews_router(context),
                   members_router(context), member_actions_router(context),
                   # program setup and the dashboard (docs/console.md)
                   setup_offers_router(context), setup_programs_router(context),
                   setup_templates_router(context), dashboard_router(context),
                   renewal_prices_router(context),
                   reports_router(context)):  # the scheduled reports (docs/console.md)
        app.include_router(router)
    return app
