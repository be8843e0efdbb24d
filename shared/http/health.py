"""Liveness, readiness and Prometheus metrics endpoints, the same for every service.

`/healthz` answers while the process runs. `/readyz` answers 503 problem+json naming the
failing checks when the database cannot be reached, so a load balancer stops sending
traffic to a replica that cannot do its job. A broker that cannot be reached is reported
but does not make the replica unready: every route writes its events to the outbox, which
the relay publishes once the broker is back, so the service still does its job (200,
`status: degraded`, `degraded: {"kafka": ...}`). Taking every replica out of the balancer
during a broker outage would have turned it into a full outage.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import orjson
from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.http.problems import problem_response

ReadinessCheck = Callable[[], Awaitable[None]]


REPORTED_ONLY = frozenset({"kafka"})


def health_router(checks: Mapping[str, ReadinessCheck], timeout: float = 2.0,
                  reported_only: frozenset[str] = REPORTED_ONLY) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: database reachable (Kafka reported)")
    async def readyz(request: Request) -> Response:
        failures: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout)
            except Exception as error:
                failures[name] = repr(error) or type(error).__name__
        degraded = {name: error for name, error in failures.items() if name in reported_only}
        if len(degraded) < len(failures):
            return problem_response(request, 503, "not_ready", "Dependencies unreachable.",
                                    failures=failures)
        body = {"status": "degraded" if degraded else "ready", "checks": sorted(checks),
                **({"degraded": degraded} if degraded else {})}
        return Response(orjson.dumps(body), media_type="application/json")

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
