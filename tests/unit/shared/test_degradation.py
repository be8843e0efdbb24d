"""What a service answers when a dependency is away: `/readyz` fails for the database but
only reports the broker (the outbox keeps the events), and a route that meets a broker
error answers 503, never 500."""

from __future__ import annotations

import httpx
from aiokafka.errors import KafkaConnectionError
from fastapi import APIRouter, FastAPI

from shared.http.health import health_router
from shared.http.problems import install_problem_handlers


async def fine() -> None:
    return None


async def refused() -> None:
    raise ConnectionRefusedError("nobody listens")


def app(**checks) -> FastAPI:
    application = FastAPI()
    install_problem_handlers(application)
    application.include_router(health_router(checks))
    router = APIRouter()

    @router.post("/v1/needs-the-broker")
    async def needs_the_broker() -> dict:
        raise KafkaConnectionError("broker away")

    application.include_router(router)
    return application


async def get(application: FastAPI, path: str, method: str = "GET") -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                                 base_url="http://s") as http:
        return await http.request(method, path)


async def test_a_broker_away_is_reported_but_the_replica_stays_ready():
    answer = await get(app(database=fine, kafka=refused), "/readyz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "degraded"
    assert "ConnectionRefusedError" in answer.json()["degraded"]["kafka"]


async def test_a_database_away_makes_the_replica_unready():
    answer = await get(app(database=refused, kafka=refused), "/readyz")
    assert answer.status_code == 503
    assert answer.json()["code"] == "not_ready"
    assert set(answer.json()["failures"]) == {"database", "kafka"}
    assert (await get(app(database=fine, kafka=fine), "/readyz")).json()["status"] == "ready"


async def test_a_route_that_meets_a_broker_error_answers_503_not_500():
    answer = await get(app(), "/v1/needs-the-broker", method="POST")
    assert (answer.status_code, answer.json()["code"]) == (503, "service_unavailable")
    assert int(answer.headers["Retry-After"]) > 0
