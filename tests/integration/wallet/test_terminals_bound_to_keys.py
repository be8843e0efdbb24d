"""The store and terminal of a recharge or purchase come from the POS key, never the body
(issue 13): a body naming another terminal is 403 `terminal_mismatch`, another store 403
`store_not_granted` unless the key was granted it; a body naming neither is recorded under
the key's own. (That rewards' velocity rule now sees the real terminal is proven on Kafka
in test_risk_holds_on_kafka.py.)"""

from __future__ import annotations

import uuid

import httpx
import pytest

from shared.http.auth import Principal
from tests.support.auth import member_headers, token
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


def recharge_body(**fields) -> dict:
    reference = uuid.uuid4().hex
    return {"member_id": "m_term", "amount": 10_000, "currency": "CNY",
            "payment_method": "cash", "payment_reference": reference, "pos_reference": reference,
            **fields}


def purchase_body(**fields) -> dict:
    return {"member_id": "m_term", "order_reference": uuid.uuid4().hex, "currency": "CNY",
            "total": 1_000, "tenders": [{"method": "cash", "amount": 1_000}], **fields}


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def test_a_body_naming_another_terminal_or_store_is_refused(client):
    # the client's key is terminal pos_1 of store_1
    for path, body in (("/v1/recharges", recharge_body), ("/v1/purchases", purchase_body)):
        other_terminal = await client.post(path, json=body(terminal_id="pos_99"), headers=key())
        other_store = await client.post(path, json=body(store_id="store_2"), headers=key())
        assert (other_terminal.status_code, other_terminal.json()["code"]) == (
            403, "terminal_mismatch"), path
        assert (other_store.status_code, other_store.json()["code"]) == (
            403, "store_not_granted"), path


async def test_the_key_s_terminal_and_store_are_recorded_whatever_the_body_leaves_out(
        client, bus_platform):
    bare = await client.post("/v1/recharges", json=recharge_body(), headers=key())
    repeated = await client.post("/v1/recharges", json=recharge_body(
        terminal_id="pos_1", store_id="store_1"), headers=key())
    bought = await client.post("/v1/purchases", json=purchase_body(), headers=key())
    assert (bare.status_code, repeated.status_code, bought.status_code) == (201, 201, 201)

    rows = await fetch_all(bus_platform.database_url,
                           "SELECT store_id, terminal_id FROM wallet.recharges UNION ALL "
                           "SELECT store_id, terminal_id FROM wallet.purchases")
    assert [(r["store_id"], r["terminal_id"]) for r in rows] == [("store_1", "pos_1")] * 3
    # the events carry the credential's terminal too
    events = await fetch_all(bus_platform.database_url,
                             "SELECT convert_from(payload, 'UTF8')::jsonb ->> 'terminal_id' AS t "
                             "FROM wallet.outbox")
    assert [r["t"] for r in events] == ["pos_1"] * 3


async def test_a_key_granted_another_store_may_name_it(client):
    granted = {"X-Api-Key": token(Principal("pos", "pos_5", store_id="store_1",
                                            extra_stores=frozenset({"store_2"})))}
    response = await client.post("/v1/recharges", json=recharge_body(store_id="store_2"),
                                 headers={**granted, **key()})
    assert response.status_code == 201, response.text


async def test_a_member_app_names_no_terminal(wallet):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                 base_url="http://wallet", headers=member_headers("m_term")) as app:
        with_terminal = await app.post("/v1/purchases", json=purchase_body(
            store_id="store_1", terminal_id="pos_1"), headers=key())
        without_store = await app.post("/v1/purchases", json=purchase_body(), headers=key())
    assert (with_terminal.status_code, with_terminal.json()["code"]) == (403, "terminal_mismatch")
    assert (without_store.status_code, without_store.json()["code"]) == (422, "store_id_required")
