"""Liveness, readiness and Prometheus metrics endpoints, the same for every service.

`/healthz` answers while the process runs. `/readyz` answers 200 only when every
readiness check passes (database reachable, Kafka reachable) and 503 problem+json naming
the failing checks otherwise, so a load balancer stops sending traffic to a replica that
cannot do its job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import orjson
from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.http.problems import problem_response

ReadinessCheck = Callable[[], Awaitable[None]]


def health_router(checks: Mapping[str, ReadinessCheck], timeout: float = 2.0) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: database and Kafka reachable")
    async def readyz(request: Request) -> Response:
        failures: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout)
            except Exception as error:
                failures[name] = repr(error)
        if failures:
            return problem_response(request, 503, "not_ready", "Dependencies unreachable.",
                                    failures=failures)
        return Response(orjson.dumps({"status": "ready", "checks": sorted(checks)}),
                        media_type="application/json")

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
