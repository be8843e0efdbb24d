"""The FastAPI application every service starts from: problem+json errors, health,
readiness and metrics, OpenAPI with the service's own title and version."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI

from shared.http.body_size import BodySizeLimit
from shared.http.health import health_router
from shared.http.metrics import RequestMetrics
from shared.http.ops_audit import OpsAudit, ops_audit_router
from shared.http.outages import DatabaseOutage
from shared.http.problems import install_problem_handlers
from shared.http.rate_limits import RequestLimiter
from shared.http.request_context import RequestContext
from shared.http.tracing import RequestTracing
from shared.http.verified_tokens import VerifiedTokens
from shared.service import ServiceContext


def service_app(
    context: ServiceContext, *, title: str, description: str, routers: Iterable[APIRouter]
) -> FastAPI:
    limits = context.platform.limits
    # FastAPI's own OpenTelemetry spans are off: shared/http/tracing.py makes the request's
    # one span (also passing a caller's traceparent on when no SDK is installed).
    app = FastAPI(title=title, description=description, version="1.0.0",
                  telemetry={"tracing": False})
    app.state.request_limiter = RequestLimiter(limits)
    app.state.jwt_secret = context.platform.jwt_secret
    app.state.verified_tokens = VerifiedTokens()
    app.state.revoked_keys = context.revoked_keys
    app.state.database_outage = DatabaseOutage(context.name)
    app.state.database_outage.watch(context.engine)
    install_problem_handlers(app)
    app.include_router(health_router(context.readiness))
    for router in [*routers, ops_audit_router(context)]:
        app.include_router(router)
    app.add_middleware(OpsAudit, context=context)  # inside RequestContext: sees the request id
    app.add_middleware(RequestMetrics, service=context.name)
    app.add_middleware(RequestContext, service=context.name)
    app.add_middleware(RequestTracing, service=context.name)
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)  # outermost
    return app
