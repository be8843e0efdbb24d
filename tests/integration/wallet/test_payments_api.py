"""Who may create value (issue 13): a member token no longer recharges or names external
tenders; an app recharge is a payment intent that only a correctly signed, matching, timely
provider callback settles, and every refused callback that was verified is kept for ops."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.wallet.jobs.payment_intent_expiry import expire_payment_intents
from services.wallet.service import SPEC as WALLET
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.integration.wallet.money import purchase_body
from tests.integration.wallet.payments import SETTINGS, callback, create_intent, send
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
START = datetime(2026, 11, 29, 12, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def paying_wallet(bus_platform, clock) -> AsyncIterator[ServiceRuntime]:
    async with running(WALLET, bus_platform, BusTransport(), clock=clock, settings=SETTINGS) as w:
        yield w


@pytest.fixture
async def http(paying_wallet) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=paying_wallet.app),
                                 base_url="http://wallet") as client:
        yield client


async def books(database_url: str) -> dict:
    """What moved money or was recorded: recharges, purchases, outbox events, callbacks."""
    async def count(table: str) -> int:
        return (await fetch_all(database_url, f"SELECT count(*) AS n FROM wallet.{table}"))[0]["n"]
    return {table: await count(table) for table in (
        "recharges", "purchases", "outbox", "payment_callbacks", "journal_entries")}


async def test_a_member_token_cannot_recharge(http, bus_platform):
    response = await http.post("/v1/recharges", headers={
        **member_headers("m_1"), "Idempotency-Key": "k"}, json={
        "member_id": "m_1", "amount": 100_000, "currency": "CNY", "payment_method": "cash",
        "payment_reference": "i-say-i-paid", "store_id": "store_1", "terminal_id": "pos_1",
        "channel": "pos", "pos_reference": uuid.uuid4().hex})

    assert response.status_code == 403  # was 201: 1,000.00 became 1,250.00 with the bonus
    assert response.json()["code"] == "payment_required"
    assert "/v1/payment-intents" in response.json()["detail"]
    assert (await books(bus_platform.database_url))["recharges"] == 0


async def test_a_member_cannot_pay_with_cash_a_terminal_never_took(http, bus_platform):
    body = purchase_body("m_1", 0, 0, total=10_000_000,
                         tenders=[{"method": "cash", "amount": 10_000_000}])
    response = await http.post("/v1/purchases", json=body,
                               headers={**member_headers("m_1"), "Idempotency-Key": "k"})

    assert response.status_code == 403  # was 201 and +100,000 points
    assert response.json()["code"] == "external_tender_not_allowed"
    moved = await books(bus_platform.database_url)
    assert (moved["purchases"], moved["outbox"]) == (0, 0)  # no PurchaseCompleted, no points
    at_the_till = await http.post("/v1/purchases", json=body,
                                  headers={**pos_headers("store_1"), "Idempotency-Key": "k2"})
    assert at_the_till.status_code == 201  # a terminal that took the cash still records it


async def test_an_app_recharge_is_recorded_only_by_its_signed_callback_once(
        http, bus_platform, clock):
    created = await create_intent(http, "m_app", 50_000)
    assert created.status_code == 201, created.text
    intent = created.json()
    assert intent["status"] == "pending" and intent["recharge_id"] is None
    assert intent["expires_at"] == (START + timedelta(minutes=15)).isoformat().replace(
        "+00:00", "Z")
    assert (await books(bus_platform.database_url))["recharges"] == 0  # nothing paid yet

    signed = callback(intent, clock.now(), payment_id="fp_once")
    answers = [await send(http, signed) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json()["outcome"] == "recharged"
    assert answers[1].json() == answers[2].json() == answers[0].json()
    recharge_id = answers[0].json()["recharge_id"]
    seen = await http.get(f"/v1/payment-intents/{intent['intent_id']}",
                          headers=member_headers("m_app"))
    assert (seen.json()["status"], seen.json()["recharge_id"]) == ("succeeded", recharge_id)
    rows = await fetch_all(bus_platform.database_url, "SELECT * FROM wallet.recharges")
    assert [(r["member_id"], r["amount"], r["channel"], r["payment_reference"], r["store_id"])
            for r in rows] == [("m_app", 50_000, "app", "fp_once", "app")]
    wallet = await http.get("/v1/wallets/m_app", headers=member_headers("m_app"))
    assert wallet.json()["principal"] == 50_000
    outbox = await fetch_all(bus_platform.database_url, "SELECT ce_type FROM wallet.outbox")
    assert [r["ce_type"] for r in outbox] == ["patronage.wallet.RechargeCompleted.v1"]

    spend = await http.post("/v1/purchases", json=purchase_body("m_app", 10_000),
                            headers={**member_headers("m_app"), "Idempotency-Key": "buy"})
    assert spend.status_code == 201, spend.text  # the member's own stored value: allowed


async def test_a_second_payment_for_a_paid_intent_records_nothing_but_the_refusal(
        http, bus_platform, clock):
    intent = (await create_intent(http, "m_twice")).json()
    first = await send(http, callback(intent, clock.now(), payment_id="fp_a"))
    second = await send(http, callback(intent, clock.now(), payment_id="fp_b"))

    assert first.status_code == 200
    assert (second.status_code, second.json()["code"]) == (409, "payment_intent_already_paid")
    calls = await fetch_all(bus_platform.database_url, "SELECT payment_id, outcome FROM "
                            "wallet.payment_callbacks ORDER BY payment_id")
    assert [(c["payment_id"], c["outcome"]) for c in calls] == [
        ("fp_a", "recharged"), ("fp_b", "already_paid")]
    assert (await books(bus_platform.database_url))["recharges"] == 1


async def test_a_wrong_signature_is_refused_and_nothing_is_recorded(http, bus_platform, clock):
    intent = (await create_intent(http, "m_forge")).json()
    before = await books(bus_platform.database_url)
    forged = await send(http, callback(intent, clock.now(), secret="x" * 40))
    raw, headers = callback(intent, clock.now())
    tampered = await http.post("/v1/payments/fakepay/callbacks", headers=headers,
                               content=raw.replace(b"50000", b"90000"))
    unsigned = await http.post("/v1/payments/fakepay/callbacks", content=raw,
                               headers={"Content-Type": "application/json"})

    for refused in (forged, tampered, unsigned):
        assert (refused.status_code, refused.json()["code"]) == (401, "invalid_signature")
    assert await books(bus_platform.database_url) == before
    seen = await http.get(f"/v1/payment-intents/{intent['intent_id']}", headers=ops_headers(
        "ops:report"))
    assert seen.json()["status"] == "pending"


async def test_a_stale_or_future_timestamp_is_refused(http, bus_platform, clock):
    intent = (await create_intent(http, "m_stale")).json()
    before = await books(bus_platform.database_url)
    stale = await send(http, callback(intent, clock.now() - timedelta(seconds=301)))
    future = await send(http, callback(intent, clock.now() + timedelta(seconds=301)))

    for refused in (stale, future):
        assert (refused.status_code, refused.json()["code"]) == (
            401, "signature_timestamp_out_of_tolerance")
    assert await books(bus_platform.database_url) == before


async def test_a_wrong_amount_is_refused_and_kept_for_a_refund(http, bus_platform, clock):
    intent = (await create_intent(http, "m_short", 50_000)).json()
    signed = callback(intent, clock.now(), payment_id="fp_short", amount=100)
    first, again = await send(http, signed), await send(http, signed)
    other = (await create_intent(http, "m_short", 50_000)).json()
    in_usd = await send(http, callback(other, clock.now(), payment_id="fp_usd", currency="USD"))
    after_the_mismatch = await send(http, callback(intent, clock.now(), payment_id="fp_right"))

    for refused in (first, again, in_usd):
        assert (refused.status_code, refused.json()["code"]) == (422, "payment_amount_mismatch")
    assert after_the_mismatch.json()["code"] == "payment_intent_closed"  # a new intent, please
    calls = await fetch_all(bus_platform.database_url, "SELECT payment_id, amount, outcome "
                            "FROM wallet.payment_callbacks ORDER BY payment_id")
    assert [(c["payment_id"], c["amount"], c["outcome"]) for c in calls] == [
        ("fp_right", 50_000, "intent_closed"), ("fp_short", 100, "amount_mismatch"),
        ("fp_usd", 50_000, "amount_mismatch")]
    seen = await http.get(f"/v1/payment-intents/{intent['intent_id']}",
                          headers=member_headers("m_short"))
    assert seen.json()["status"] == "mismatched"
    assert (await books(bus_platform.database_url))["recharges"] == 0


async def test_an_expired_intent_is_refused_and_kept_for_a_refund(http, bus_platform, clock):
    intent = (await create_intent(http, "m_late")).json()
    clock.advance(timedelta(minutes=15))
    shown = await http.get(f"/v1/payment-intents/{intent['intent_id']}",
                           headers=member_headers("m_late"))
    late = await send(http, callback(intent, clock.now(), payment_id="fp_late"))

    assert shown.json()["status"] == "expired"
    assert (late.status_code, late.json()["code"]) == (422, "payment_intent_expired")
    calls = await fetch_all(bus_platform.database_url,
                            "SELECT outcome FROM wallet.payment_callbacks")
    assert [c["outcome"] for c in calls] == ["intent_expired"]
    rows = await fetch_all(bus_platform.database_url, "SELECT status FROM wallet.payment_intents")
    assert [r["status"] for r in rows] == ["expired"]
    assert (await books(bus_platform.database_url))["recharges"] == 0


async def test_the_sweep_marks_only_the_intents_whose_time_is_up(
        http, paying_wallet, bus_platform, clock):
    old = (await create_intent(http, "m_sweep")).json()
    clock.advance(timedelta(minutes=10))
    young = (await create_intent(http, "m_sweep")).json()
    clock.advance(timedelta(minutes=5))
    swept = await expire_payment_intents(paying_wallet.context)
    again = await expire_payment_intents(paying_wallet.context)
    late = await send(http, callback(old, clock.now(), payment_id="fp_after_sweep"))

    assert (swept, again) == (1, 0)
    rows = await fetch_all(bus_platform.database_url,
                           "SELECT intent_id::text AS id, status FROM wallet.payment_intents")
    assert {r["id"]: r["status"] for r in rows} == {
        old["intent_id"]: "expired", young["intent_id"]: "pending"}
    assert (late.status_code, late.json()["code"]) == (422, "payment_intent_expired")


async def test_a_failed_payment_closes_the_intent(http, bus_platform, clock):
    intent = (await create_intent(http, "m_fail")).json()
    failed = await send(http, callback(intent, clock.now(), payment_id="fp_x", status="failed"))
    paid_after = await send(http, callback(intent, clock.now(), payment_id="fp_y"))

    assert (failed.status_code, failed.json()["outcome"]) == (200, "failed")
    assert (paid_after.status_code, paid_after.json()["code"]) == (422, "payment_intent_closed")
    assert (await books(bus_platform.database_url))["recharges"] == 0


async def test_intents_are_created_only_within_the_recharge_limits(http, bus_platform):
    too_much = await create_intent(http, "m_lim", 500_001)
    unknown = await create_intent(http, "m_lim", provider="nopay")
    in_usd = await create_intent(http, "m_lim", currency="USD")
    for_another = await http.post("/v1/payment-intents", json={
        "member_id": "m_other", "amount": 100, "currency": "CNY", "provider": "fakepay"},
        headers={**member_headers("m_lim"), "Idempotency-Key": "k"})
    by_a_terminal = await http.post("/v1/payment-intents", json={
        "member_id": "m_lim", "amount": 100, "currency": "CNY", "provider": "fakepay"},
        headers={**pos_headers(), "Idempotency-Key": "k"})
    no_key = await http.post("/v1/payment-intents", headers=member_headers("m_lim"), json={
        "member_id": "m_lim", "amount": 100, "currency": "CNY", "provider": "fakepay"})

    assert [(r.status_code, r.json()["code"]) for r in (
        too_much, unknown, in_usd, for_another, by_a_terminal, no_key)] == [
        (422, "recharge_above_limit"), (422, "unknown_payment_provider"),
        (422, "unsupported_currency"), (403, "forbidden"), (403, "forbidden"),
        (400, "idempotency_key_missing")]
    assert (await fetch_all(bus_platform.database_url,
                            "SELECT count(*) AS n FROM wallet.payment_intents"))[0]["n"] == 0


async def test_an_intent_that_would_overfill_the_wallet_is_refused(http, bus_platform, clock):
    first = (await create_intent(http, "m_full", 400_000)).json()
    assert (await send(http, callback(first, clock.now(), payment_id="fp_full"))).status_code == 200
    over = await create_intent(http, "m_full", 100_001)
    assert (over.status_code, over.json()["code"]) == (422, "balance_limit_exceeded")


async def test_only_the_member_and_ops_see_an_intent(http):
    intent = (await create_intent(http, "m_own")).json()
    path = f"/v1/payment-intents/{intent['intent_id']}"
    other = await http.get(path, headers=member_headers("m_else"))
    terminal = await http.get(path, headers=pos_headers())
    ops = await http.get(path, headers=ops_headers("ops:report"))
    assert (other.status_code, terminal.status_code, ops.status_code) == (404, 403, 200)
