"""POST /v1/recharges: the happy path, idempotency, and every kind of bad input getting a
problem+json 4xx with a stable code (never a 500, never a silent clamp)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.support.auth import member_headers, pos_headers
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


def recharge_body(**overrides: object) -> dict:
    body = {
        "member_id": "m_1001", "amount": 50_000, "currency": "CNY",
        "payment_method": "wechat_pay", "payment_reference": "wx-1", "store_id": "store_1",
        "terminal_id": "pos_1", "channel": "pos", "pos_reference": uuid.uuid4().hex,
    }
    return {**body, **overrides}


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def test_recharge_credits_principal_and_writes_a_balanced_entry(client, bus_platform):
    response = await client.post("/v1/recharges", json=recharge_body(), headers=key())

    assert response.status_code == 201
    receipt = response.json()
    assert (receipt["principal_balance"], receipt["bonus_balance"]) == (50_000, 0)
    assert receipt["bonus"] == {"status": "pending"}
    lines = await fetch_all(bus_platform.database_url,
                            "SELECT account, amount FROM wallet.journal_lines")
    assert sorted((r["account"], r["amount"]) for r in lines) == [
        ("member_principal", -50_000), ("merchant_clearing", 50_000)]
    outbox = await fetch_all(bus_platform.database_url, "SELECT ce_type, key FROM wallet.outbox")
    assert [(r["ce_type"], r["key"]) for r in outbox] == [
        ("patronage.wallet.RechargeCompleted.v1", "m_1001")]


async def test_same_key_and_body_replays_the_first_response(client, bus_platform):
    body, headers = recharge_body(), key()
    first = await client.post("/v1/recharges", json=body, headers=headers)
    again = await client.post("/v1/recharges", json=body, headers=headers)

    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    rows = await fetch_all(bus_platform.database_url, "SELECT principal FROM wallet.wallets")
    assert [r["principal"] for r in rows] == [50_000]


async def test_same_key_with_another_body_is_refused(client):
    headers = key()
    await client.post("/v1/recharges", json=recharge_body(), headers=headers)
    response = await client.post("/v1/recharges", json=recharge_body(amount=1), headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


async def test_concurrent_duplicates_move_money_once(client, bus_platform):
    body, headers = recharge_body(), key()
    responses = await asyncio.gather(
        *(client.post("/v1/recharges", json=body, headers=headers) for _ in range(5)))

    assert {r.status_code for r in responses} <= {201, 409}
    created = [r.json() for r in responses if r.status_code == 201]
    assert created and all(c == created[0] for c in created)
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["code"] == "request_in_progress"
        assert conflict.headers["Retry-After"] == "1"
    rows = await fetch_all(bus_platform.database_url, "SELECT count(*) AS n FROM wallet.recharges")
    assert rows[0]["n"] == 1


@pytest.mark.parametrize(("overrides", "code"), [
    ({"amount": -100}, "invalid_request"),
    ({"amount": 0}, "invalid_request"),
    ({"amount": 100.5}, "invalid_request"),
    ({"amount": "100"}, "invalid_request"),
    ({"amount": 10**30}, "invalid_request"),
    ({"amount": 500_001}, "recharge_above_limit"),
    ({"currency": "USD"}, "unsupported_currency"),
    ({"currency": "cny"}, "invalid_request"),
    ({"channel": "fax"}, "invalid_request"),
    ({"member_id": ""}, "invalid_request"),
    ({"unexpected": 1}, "invalid_request"),
])
async def test_bad_input_gets_a_problem_with_a_stable_code(client, overrides, code):
    response = await client.post("/v1/recharges", json=recharge_body(**overrides), headers=key())

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def test_5000_yuan_is_accepted_and_one_fen_more_refused(wallet, client):
    await enrol_in_wallet(wallet, "m_cap")  # the registered caps (an unregistered card: 1,000)
    full = await client.post("/v1/recharges", json=recharge_body(member_id="m_cap", amount=500_000),
                             headers=key())
    over = await client.post("/v1/recharges", json=recharge_body(member_id="m_cap", amount=1),
                             headers=key())
    assert full.status_code == 201
    assert (over.status_code, over.json()["code"]) == (422, "balance_limit_exceeded")


async def test_missing_idempotency_key_is_a_400(client):
    response = await client.post("/v1/recharges", json=recharge_body())
    assert (response.status_code, response.json()["code"]) == (400, "idempotency_key_missing")


async def test_malformed_json_is_a_400(client):
    response = await client.post("/v1/recharges", content=b"{amount: 5", headers={
        **key(), "content-type": "application/json"})
    assert (response.status_code, response.json()["code"]) == (400, "malformed_json")


async def test_a_pos_reference_is_unique_forever(client):
    body = recharge_body()
    await client.post("/v1/recharges", json=body, headers=key())
    response = await client.post("/v1/recharges", json=body, headers=key())
    assert (response.status_code, response.json()["code"]) == (409, "pos_reference_reused")


async def test_unknown_recharge_is_a_404_problem(client):
    response = await client.get(f"/v1/recharges/{uuid.uuid4()}")
    assert (response.status_code, response.json()["code"]) == (404, "recharge_not_found")


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert "patronage_http_request_seconds" in (await client.get("/metrics")).text


async def test_a_call_without_credentials_is_a_401(client):
    response = await client.post("/v1/recharges", json=recharge_body(), headers={
        **key(), "X-Api-Key": "not-a-token"})
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


async def test_a_terminal_cannot_recharge_for_another_store(client):
    response = await client.post("/v1/recharges", json=recharge_body(store_id="store_2"),
                                 headers={**key(), **pos_headers("store_1")})
    assert (response.status_code, response.json()["code"]) == (403, "store_not_granted")


async def test_a_member_cannot_recharge_and_sees_only_their_own_recharges(client, wallet):
    recorded = await client.post("/v1/recharges", json=recharge_body(member_id="m_me"),
                                 headers=key())  # at the till, by the terminal
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                 base_url="http://wallet") as app_client:
        own = await app_client.post("/v1/recharges", json=recharge_body(
            member_id="m_me", channel="app", terminal_id=None),
                                    headers={**key(), **member_headers("m_me")})
        other = await app_client.post("/v1/recharges", json=recharge_body(member_id="m_other"),
                                      headers={**key(), **member_headers("m_me")})
        path = f"/v1/recharges/{recorded.json()['recharge_id']}"
        mine = await app_client.get(path, headers=member_headers("m_me"))
        hidden = await app_client.get(path, headers=member_headers("m_other"))
        both = await app_client.get(path, headers={**member_headers("m_me"), **pos_headers()})
    # a member pays through a payment intent (test_payments_api.py), never by saying so
    for refused in (own, other):
        assert (refused.status_code, refused.json()["code"]) == (403, "payment_required")
    assert mine.status_code == 200
    assert hidden.status_code == 404
    assert both.status_code == 401


async def test_every_response_carries_a_request_id(client):
    echoed = await client.get("/healthz", headers={"X-Request-Id": "pos7-abc.123"})
    made_up = await client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert echoed.headers["x-request-id"] == "pos7-abc.123"
    assert made_up.headers["x-request-id"] not in ("", "bad id with spaces")
