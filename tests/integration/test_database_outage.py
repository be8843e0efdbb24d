"""A database outage is a 503 `service_unavailable` with `Retry-After` (it was a 500 with a
traceback per request), logged once when it begins and once when it ends."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from structlog.testing import capture_logs

from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.runtime import ServiceRuntime
from shared.settings import PlatformSettings
from shared.transport import BusTransport
from tests.support.auth import member_headers
from tests.support.runtime import eventually
from tests.support.tcp_proxy import TcpProxy, free_port

pytestmark = pytest.mark.integration

READS = [(WALLET, "/v1/wallets/m_1"), (TIERING, "/v1/members/m_1"),
         (REWARDS, "/v1/members/m_1/points")]


def client(runtime: ServiceRuntime) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                             base_url="http://service", headers=member_headers("m_1"))


def outage_lines(logs: list[dict]) -> list[str]:
    return [line["event"] for line in logs
            if line["event"] in ("database_unavailable", "database_available", "unhandled_error")]


@pytest.mark.parametrize(("spec", "path"), READS, ids=[spec.name for spec, _ in READS])
async def test_a_database_that_cannot_be_reached_is_a_503_logged_once(spec, path):
    platform = PlatformSettings(environment="test", log_json=False,
                                database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/none")
    runtime = ServiceRuntime(spec, platform, BusTransport())
    try:
        with capture_logs() as logs:
            async with client(runtime) as http:
                answers = [await http.get(path) for _ in range(10)]
    finally:
        await runtime.engine.dispose()

    for answer in answers:
        assert (answer.status_code, answer.json()["code"]) == (503, "service_unavailable")
        assert answer.headers["content-type"] == "application/problem+json"
        assert int(answer.headers["Retry-After"]) > 0
    assert outage_lines(logs) == ["database_unavailable"]


async def test_an_outage_and_its_end_are_one_line_each(bus_platform):
    database = urlsplit(bus_platform.database_url)
    proxy = TcpProxy(database.hostname or "127.0.0.1", database.port or 5432)
    await proxy.start()
    through_proxy = database._replace(netloc=f"{database.username}@127.0.0.1:{proxy.port}")
    platform = bus_platform.model_copy(update={"database_url": through_proxy.geturl()})
    runtime = ServiceRuntime(TIERING, platform, BusTransport())
    try:
        with capture_logs() as logs:
            async with client(runtime) as http:
                before = await http.get("/v1/members/m_1")
                await proxy.cut()
                during = [await http.get("/v1/members/m_1") for _ in range(5)]
                await proxy.start()
                after = await eventually(lambda: http.get("/v1/members/m_1"),
                                         lambda answer: answer.status_code != 503)
    finally:
        await runtime.engine.dispose()
        await proxy.cut()

    assert before.status_code == after.status_code == 404, (before.text, after.text)
    assert [answer.status_code for answer in during] == [503] * 5
    assert outage_lines(logs) == ["database_unavailable", "database_available"]
