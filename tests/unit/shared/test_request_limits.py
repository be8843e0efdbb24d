"""Rate limits, lockouts and body size on an app built by `service_app`, as every service is.

Before these, nothing was limited: 500 wrong-key requests got 500 401s, one key could post
money as fast as it liked, and a body of any size was read into memory.
"""

from __future__ import annotations

import asyncio

import httpx
from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from shared.clock import SystemClock
from shared.db.messaging_tables import define_messaging_tables
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.http.app import service_app
from shared.http.auth import Caller
from shared.http.idempotency import IdempotencyKey
from shared.limit_settings import RequestLimitSettings
from shared.service import ServiceContext
from shared.settings import PlatformSettings
from shared.topics import Topics
from tests.support.auth import member_headers, ops_headers, pos_headers

BAD_KEY = {"X-Api-Key": "not-a-key"}


class Charge(BaseModel):
    member_id: str
    amount: int


def probe_router() -> APIRouter:
    router = APIRouter()

    @router.post("/v1/charges", status_code=201)
    async def charge(body: Charge, caller: Caller, idempotency_key: IdempotencyKey = None) -> dict:
        return {"member_id": body.member_id}

    @router.post("/v1/members/{member_id}/points/redemptions", status_code=201)
    async def redeem(member_id: str, caller: Caller,
                     idempotency_key: IdempotencyKey = None) -> dict:
        return {}

    @router.post("/v1/members", status_code=201)
    async def enrol(caller: Caller) -> dict:
        return {}

    @router.get("/v1/things")
    async def things(caller: Caller) -> dict:
        return {}

    return router


def client(**limits: object) -> httpx.AsyncClient:
    platform = PlatformSettings(environment="test", limits=RequestLimitSettings(**limits))
    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    outbox, _ = define_messaging_tables(MetaData(schema="probe"))
    topics = Topics("")
    context = ServiceContext(name="probe", platform=platform, settings=None, engine=engine,
                             uow=UnitOfWorkFactory(engine, outbox, topics, SystemClock()),
                             clock=SystemClock(), topics=topics)
    app = service_app(context, title="probe", description="", routers=[probe_router()])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe")


def charge(member: str = "m_1") -> dict:
    return {"json": {"member_id": member, "amount": 100}, "headers": {"Idempotency-Key": "k"}}


def assert_rate_limited(answer: httpx.Response, limit: str) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert (answer.json()["code"], answer.json()["limit"]) == ("rate_limited", limit)
    assert int(answer.headers["Retry-After"]) >= 1


async def test_500_wrong_keys_stop_getting_401s_after_the_threshold():
    async with client(auth_failures_per_address="100/10minutes",
                      auth_failures_per_credential="1000/10minutes") as http:
        statuses = [(await http.get("/v1/things", headers=BAD_KEY)).status_code
                    for _ in range(500)]
        assert statuses[:100] == [401] * 100
        assert statuses[100:] == [429] * 400
        # The address is locked out: even a good key from it waits.
        assert_rate_limited(await http.get("/v1/things", headers=pos_headers()), "address")


async def test_a_key_that_keeps_failing_is_locked_out_on_its_own():
    async with client(auth_failures_per_credential="3/10minutes") as http:
        for _ in range(3):
            assert (await http.get("/v1/things", headers=BAD_KEY)).status_code == 401
        assert_rate_limited(await http.get("/v1/things", headers=BAD_KEY), "credential")
        assert (await http.get("/v1/things", headers=pos_headers())).status_code == 200


async def test_money_moving_posts_are_limited_per_credential():
    async with client(money_per_credential="5/minute", money_per_member="1000/minute") as http:
        pos = pos_headers(terminal="pos_1")
        answers = [await http.post("/v1/charges", **charge(f"m_{n}") | {"headers": {
            **pos, "Idempotency-Key": f"k{n}"}}) for n in range(6)]
        assert [a.status_code for a in answers[:5]] == [201] * 5
        assert_rate_limited(answers[5], "credential")
        # Another terminal has its own window; reads are not limited.
        other = {**pos_headers(terminal="pos_2"), "Idempotency-Key": "x"}
        assert (await http.post("/v1/charges", json=charge()["json"], headers=other)).status_code == 201
        assert (await http.get("/v1/things", headers=pos)).status_code == 200


async def test_money_moving_posts_are_limited_per_member_across_terminals_and_paths():
    async with client(money_per_credential="1000/minute", money_per_member="3/minute") as http:
        for terminal in ("pos_1", "pos_2", "pos_3"):
            headers = {**pos_headers(terminal=terminal), "Idempotency-Key": terminal}
            assert (await http.post("/v1/charges", json=charge("m_7")["json"],
                                    headers=headers)).status_code == 201
        headers = {**pos_headers(terminal="pos_4"), "Idempotency-Key": "k"}
        assert_rate_limited(await http.post("/v1/charges", json=charge("m_7")["json"],
                                            headers=headers), "member")
        # The member named in the path counts too, and so does a member's own token.
        answer = await http.post("/v1/members/m_7/points/redemptions",
                                 headers={**ops_headers("ops:adjust"), "Idempotency-Key": "r"})
        assert_rate_limited(answer, "member")
        assert (await http.post("/v1/charges", json=charge("m_8")["json"],
                                headers=headers)).status_code == 201


async def test_enrolments_are_limited_per_credential():
    async with client(enrolment_per_credential="2/minute") as http:
        pos = pos_headers()
        assert [(await http.post("/v1/members", headers=pos)).status_code
                for _ in range(2)] == [201, 201]
        assert_rate_limited(await http.post("/v1/members", headers=pos), "credential")
        assert (await http.post("/v1/members", headers=member_headers("m_1"))).status_code == 201


async def test_limits_can_be_turned_off():
    async with client(enabled=False, money_per_credential="1/minute",
                      auth_failures_per_address="1/minute") as http:
        for n in range(5):
            assert (await http.get("/v1/things", headers=BAD_KEY)).status_code == 401
            headers = {**pos_headers(), "Idempotency-Key": f"k{n}"}
            assert (await http.post("/v1/charges", json=charge()["json"],
                                    headers=headers)).status_code == 201


def assert_too_large(answer: httpx.Response) -> None:
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "body_too_large"


async def test_a_body_over_the_limit_is_413_whatever_its_framing():
    big = b'{"member_id": "m_1", "amount": 1, "pad": "' + b"x" * 5000 + b'"}'
    headers = {**pos_headers(), "Idempotency-Key": "k", "Content-Type": "application/json"}
    async with client(max_body_bytes=4096) as http:
        # Declared in Content-Length.
        assert_too_large(await http.post("/v1/charges", content=big, headers=headers))

        async def chunks():  # streamed without a Content-Length (chunked)
            for start in range(0, len(big), 1000):
                yield big[start:start + 1000]
                await asyncio.sleep(0)
        assert_too_large(await http.post("/v1/charges", content=chunks(), headers=headers))
        # A small body still passes.
        assert (await http.post("/v1/charges", json=charge()["json"],
                                headers=headers)).status_code == 201


async def test_a_body_longer_than_its_content_length_is_cut_while_it_streams():
    async with client(max_body_bytes=4096) as http:
        app = http._transport.app  # type: ignore[attr-defined]
    messages = [{"type": "http.request", "body": b"x" * 3000, "more_body": True},
                {"type": "http.request", "body": b"x" * 3000, "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    headers = [(k.lower().encode(), v.encode()) for k, v in {
        **pos_headers(), "Idempotency-Key": "k", "Content-Type": "application/json",
        "Content-Length": "10"}.items()]
    await app({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
               "method": "POST", "scheme": "http", "path": "/v1/charges", "raw_path": b"/v1/charges",
               "query_string": b"", "root_path": "", "headers": headers,
               "client": ("127.0.0.1", 5000), "server": ("probe", 80)}, receive, send)
    assert sent[0]["status"] == 413
    assert b"body_too_large" in b"".join(m.get("body", b"") for m in sent[1:])


def test_the_services_money_moving_and_enrolment_routes_are_the_limited_ones():
    from shared.http.rate_limits import route_kind
    from tests.unit.shared.test_openapi_security import api_routes, app_of

    kinds = {(name, route.path): route_kind(route)
             for name in ("wallet", "tiering", "rewards", "referral")
             for route in api_routes(app_of(name).routes) if route_kind(route)}
    for money in [("wallet", "/v1/recharges"), ("wallet", "/v1/purchases"),
                  ("wallet", "/v1/ops/adjustments"), ("wallet", "/v1/payment-intents"),
                  ("rewards", "/v1/members/{member_id}/points/redemptions")]:
        assert kinds.get(money) == "money", (money, kinds)
    assert kinds[("tiering", "/v1/members")] == "enrolment"
    assert ("wallet", "/v1/wallets/{member_id}") not in kinds
