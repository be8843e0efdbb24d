"""One id grammar in every service: a member id with a bidi override, a zero-width space
or a NUL is refused with 422 in paths and bodies everywhere (the wallet and tiering took
them, rewards refused them), and a plain one is accepted."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from tests.support.auth import ops_headers, pos_headers

pytestmark = pytest.mark.integration

HIDDEN = {"bidi override": "m_1\u202e9", "zero-width space": "m_\u200b1",
          "zero-width joiner": "m\u200d_1", "NUL": "m_1\x00"}
MEMBER_PATHS = [("wallet", "/v1/wallets/{}"), ("tiering", "/v1/members/{}"),
                ("rewards", "/v1/members/{}/points"),
                ("referral", "/v1/members/{}/referral-code"),
                ("notifier", "/v1/members/{}/inbox")]
OPS = ops_headers("ops:report", "ops:review", "ops:pii")


async def test_every_service_refuses_a_member_id_that_hides_characters_in_its_paths(clients):
    for service, path in MEMBER_PATHS:
        for kind, member_id in HIDDEN.items():
            response = await clients[service].get(path.format(quote(member_id, safe="")),
                                                  headers=OPS)
            assert (response.status_code, response.json()["code"]) == (422, "invalid_request"), (
                service, kind, response.text)
        plain = await clients[service].get(path.format("m_1"), headers=OPS)
        assert plain.status_code in (200, 404), (service, plain.text)


def recharge(member_id: str) -> dict:
    return {"member_id": member_id, "amount": 1_000, "currency": "CNY",
            "payment_method": "cash", "payment_reference": "c-1", "store_id": "store_1",
            "terminal_id": "pos_1", "channel": "pos", "pos_reference": uuid.uuid4().hex}


async def test_bodies_refuse_the_same_member_ids_in_every_service(clients):
    posts = [
        ("wallet", "/v1/recharges", pos_headers("store_1"), recharge),
        ("tiering", "/v1/members", pos_headers("store_1"), lambda m: {"member_id": m}),
        ("rewards", "/v1/coupons/validate", pos_headers("store_1"),
         lambda m: {"member_id": m, "code": "C1", "basket_total": 100, "currency": "CNY"}),
    ]
    for service, path, headers, body in posts:
        for kind, member_id in HIDDEN.items():
            response = await clients[service].post(
                path, json=body(member_id), headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
            assert (response.status_code, response.json()["code"]) == (422, "invalid_request"), (
                service, kind, response.text)
    accepted = await clients["wallet"].post("/v1/recharges", json=recharge("m_1"), headers={
        **pos_headers("store_1"), "Idempotency-Key": uuid.uuid4().hex})
    assert accepted.status_code == 201, accepted.text
