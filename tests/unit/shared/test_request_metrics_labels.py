"""The HTTP latency histogram's labels stay few whatever the clients send: route templates,
not paths with ids; `unmatched` for unknown paths; `other` for made-up methods."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import generate_latest

from shared.http.metrics import REQUEST_SECONDS, RequestMetrics
from tests.support.metrics import sample

pytestmark = pytest.mark.asyncio


def labelled_app(service: str) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/wallets/{member_id}")
    async def wallet(member_id: str) -> dict[str, str]:
        return {"member_id": member_id}

    app.add_middleware(RequestMetrics, service=service)
    return app


def routes_seen(service: str) -> set[tuple[str, str, str]]:
    return {(s.labels["method"], s.labels["route"], s.labels["status"])
            for family in REQUEST_SECONDS.collect() for s in family.samples
            if s.labels.get("service") == service and s.name.endswith("_count")}


async def test_labels_are_templates_and_a_bounded_set_of_methods():
    service = f"labels-{uuid.uuid4().hex[:6]}"
    app = labelled_app(service)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://service") as client:
        for n in range(20):
            assert (await client.get(f"/v1/wallets/m-{n}")).status_code == 200
            assert (await client.get(f"/no/such/{uuid.uuid4()}")).status_code == 404
            await client.request(f"BREW{n}", f"/v1/wallets/m-{n}")

    seen = routes_seen(service)
    assert ("GET", "/v1/wallets/{member_id}", "200") in seen
    assert ("GET", "unmatched", "404") in seen
    assert {method for method, _, _ in seen} == {"GET", "other"}
    assert len(seen) <= 4  # 60 requests over 40 distinct paths and 20 methods
    assert sample(generate_latest().decode(), "patronage_http_request_seconds_count",
                  service=service, route="/v1/wallets/{member_id}", method="GET",
                  status="200") == 20
