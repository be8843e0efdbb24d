"""Frozen wallets (issue 13), on real Kafka and PostgreSQL: ops freeze and unfreeze with a
reason (audited, WalletFrozen / WalletUnfrozen on Kafka); a frozen wallet refuses recharge
and purchase with 423 `wallet_frozen` while refunds and adjustments still work; a `freeze`
risk rule freezes in the recharge's own transaction (actor `rule:<name>`)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.wallet.rules.risk import RiskRule
from services.wallet.service import SPEC as WALLET
from services.wallet.settings import WalletSettings
from shared.events.cloudevents import decode
from shared.events.wallet import WalletFrozen, WalletUnfrozen
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.auth import ops_headers, pos_headers
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import fetch_all, read_topic, running

pytestmark = pytest.mark.integration
RISK_OPS = ops_headers("ops:risk", "ops:adjust", "ops:report", user="ops_erin")


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def recharge_body(member_id: str, amount: int) -> dict:
    reference = uuid.uuid4().hex
    return {"member_id": member_id, "amount": amount, "currency": "CNY", "payment_method": "cash",
            "payment_reference": reference, "pos_reference": reference}


def purchase_body(member_id: str, amount: int, method: str = "stored_value") -> dict:
    return {"member_id": member_id, "order_reference": uuid.uuid4().hex, "currency": "CNY",
            "total": amount, "tenders": [{"method": method, "amount": amount}]}


def wallet_events(records) -> list:
    return [e for e in (decode(r.value, r.headers) for r in records)
            if isinstance(e, WalletFrozen | WalletUnfrozen)]


async def test_a_frozen_wallet_refuses_recharge_and_purchase_until_unfrozen(platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)
    async with running(WALLET, platform, transport) as wallet:
        asgi = httpx.ASGITransport(app=wallet.app)
        async with httpx.AsyncClient(transport=asgi, base_url="http://w",
                                     headers=pos_headers("store_1")) as pos, \
                httpx.AsyncClient(transport=asgi, base_url="http://w", headers=RISK_OPS) as ops:
            assert (await pos.post("/v1/recharges", json=recharge_body("m_frz", 50_000),
                                   headers=key())).status_code == 201
            bought = await pos.post("/v1/purchases", json=purchase_body("m_frz", 5_000), headers=key())
            unscoped = await ops.post("/v1/ops/wallets/m_frz/freeze", json={"reason": "x"}, headers={
                **ops_headers("ops:adjust"), **key()})
            no_reason = await ops.post("/v1/ops/wallets/m_frz/freeze", json={}, headers=key())
            frozen = await ops.post("/v1/ops/wallets/m_frz/freeze",
                                    json={"reason": "card reported stolen"}, headers=key())
            again = await ops.post("/v1/ops/wallets/m_frz/freeze", json={"reason": "twice"},
                                   headers=key())
            shown = (await pos.get("/v1/wallets/m_frz")).json()
            refused = [await pos.post("/v1/recharges", json=recharge_body("m_frz", 1_000), headers=key()),
                       await pos.post("/v1/purchases", json=purchase_body("m_frz", 1_000), headers=key()),
                       await pos.post("/v1/purchases", json=purchase_body("m_frz", 1_000, "cash"),
                                      headers=key())]
            # what still works on a frozen wallet: refunds and adjustments
            refunded = await pos.post(f"/v1/purchases/{bought.json()['purchase_id']}/refunds",
                                      json={"amount": 5_000}, headers=key())
            adjusted = await ops.post("/v1/ops/adjustments", headers=key(), json={
                "member_id": "m_frz", "currency": "CNY", "bonus_delta": 700, "reason": "goodwill"})
            unfrozen = await ops.post("/v1/ops/wallets/m_frz/unfreeze",
                                      json={"reason": "card found"}, headers=key())
            after = [await pos.post("/v1/recharges", json=recharge_body("m_frz", 1_000), headers=key()),
                     await pos.post("/v1/purchases", json=purchase_body("m_frz", 1_000), headers=key())]
            thawed = (await pos.get("/v1/wallets/m_frz")).json()
        records = await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 2,
                                   distinct=lambda r: r.value if b"WalletFrozen" in r.value
                                   or b"WalletUnfrozen" in r.value else b"")

    assert (unscoped.status_code, no_reason.status_code) == (403, 422)
    assert frozen.status_code == 201 and frozen.json()["frozen"] is True
    assert (again.status_code, again.json()["code"]) == (409, "already_frozen")
    assert (shown["frozen"], shown["frozen_reason"]) == (True, "card reported stolen")
    assert [(r.status_code, r.json()["code"]) for r in refused] == [(423, "wallet_frozen")] * 3
    assert (refunded.status_code, adjusted.status_code) == (201, 201)
    assert unfrozen.status_code == 201 and unfrozen.json()["frozen"] is False
    assert [r.status_code for r in after] == [201, 201]
    assert thawed["frozen"] is False
    audit = await fetch_all(platform.database_url, "SELECT action, reason, actor FROM "
                            "wallet.wallet_freezes WHERE member_id = 'm_frz' ORDER BY at")
    assert [tuple(r) for r in audit] == [("freeze", "card reported stolen", "ops:ops_erin"),
                                         ("unfreeze", "card found", "ops:ops_erin")]
    events = wallet_events(records)
    assert [(type(e).__name__, e.member_id, e.actor) for e in events] == [
        ("WalletFrozen", "m_frz", "ops:ops_erin"), ("WalletUnfrozen", "m_frz", "ops:ops_erin")]


async def test_a_freeze_rule_holds_the_recharge_and_freezes_the_wallet_in_one_go(platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)
    settings = WalletSettings(risk=(RiskRule("big_hour", "member", 60, 100_000, "freeze"),))
    async with running(WALLET, platform, transport, settings=settings) as wallet, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app), base_url="http://w",
                              headers=pos_headers("store_1")) as pos:
        await enrol_in_wallet(wallet, "m_auto")  # registered: 1,100.00 is above a card's cap
        first = await pos.post("/v1/recharges", json=recharge_body("m_auto", 60_000), headers=key())
        tripping = await pos.post("/v1/recharges", json=recharge_body("m_auto", 50_000), headers=key())
        next_one = await pos.post("/v1/recharges", json=recharge_body("m_auto", 1_000), headers=key())
        shown = (await pos.get("/v1/wallets/m_auto")).json()
        records = await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 3)

    assert first.json()["status"] == "completed"
    assert tripping.status_code == 201 and tripping.json()["status"] == "held"
    assert [r["action"] for r in tripping.json()["risk_reasons"]] == ["freeze"]
    assert (next_one.status_code, next_one.json()["code"]) == (423, "wallet_frozen")
    assert (shown["frozen"], shown["principal"], shown["held_principal"]) == (True, 60_000, 50_000)
    [frozen] = wallet_events(records)
    assert (frozen.actor, frozen.recharge_id) == ("rule:big_hour", tripping.json()["recharge_id"])
    assert frozen.reason == "risk rule big_hour"
