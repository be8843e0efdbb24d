"""Every refusal of the coupon and points routes, through the API: the status and stable code
each answers with (raised as RuleViolations where the rule lives; no route maps them), and
a refused points purchase stores no idempotent response, so the key works once fixed."""

from __future__ import annotations

import uuid

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.transport import BusTransport
from tests.integration.rewards.feed import api, apply, purchase
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import running

pytestmark = pytest.mark.integration
CONFIG = ops_headers("ops:config")
TEMPLATE = {"template_id": "t_refusals", "name": "Five off", "kind": "amount_off", "value": 500,
            "currency": "CNY"}


def code_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


async def test_coupon_and_points_refusals_keep_their_status_and_code(bus_platform):
    buyer = {**member_headers("m_refused"), "Idempotency-Key": "buy-renewal"}
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        created = await client.post("/v1/coupon-templates", json=TEMPLATE, headers=CONFIG)
        again = await client.post("/v1/coupon-templates", json=TEMPLATE, headers=CONFIG)
        bad_terms = await client.post("/v1/coupon-templates", headers=CONFIG, json={
            **TEMPLATE, "template_id": "t_bad", "kind": "threshold"})  # no min_spend
        no_template = await client.post("/v1/coupons", json={
            "member_id": "m_refused", "template_id": "t_missing", "reason": "campaign"},
            headers={**CONFIG, "Idempotency-Key": uuid.uuid4().hex})
        unknown_code = await client.post("/v1/coupons/validate", headers=pos_headers(), json={
            "code": "NOSUCHCODE", "member_id": "m_refused", "basket_total": 10_000,
            "currency": "CNY"})
        issued = (await client.post("/v1/coupons", json={
            "member_id": "m_refused", "template_id": "t_refusals", "reason": "campaign"},
            headers={**CONFIG, "Idempotency-Key": uuid.uuid4().hex})).json()
        other_members = await client.post("/v1/coupons/validate", headers=pos_headers(), json={
            "code": issued["code"], "member_id": "m_other", "basket_total": 10_000,
            "currency": "CNY"})
        wrong_currency = await client.post("/v1/coupons/validate", headers=pos_headers(), json={
            "code": issued["code"], "member_id": "m_refused", "basket_total": 10_000,
            "currency": "USD"})
        not_for_points = await client.post("/v1/members/m_refused/points/redemptions",
                                           json={"template_id": "renewal_save20"}, headers=buyer)
        not_found_for_points = await client.post(
            "/v1/members/m_refused/points/redemptions", json={"template_id": "t_missing"},
            headers={**buyer, "Idempotency-Key": "buy-missing"})
        too_few = await client.post("/v1/members/m_refused/points/redemptions",
                                    json={"template_id": "save10_over100"},
                                    headers={**buyer, "Idempotency-Key": "buy-save10"})
        await apply(rewards, purchase("m_refused", total=60_000))  # 600 points
        same_key_later = await client.post("/v1/members/m_refused/points/redemptions",
                                           json={"template_id": "save10_over100"},
                                           headers={**buyer, "Idempotency-Key": "buy-save10"})

    assert created.status_code == 201
    assert code_of(again) == (409, "template_exists")
    assert code_of(bad_terms) == (422, "invalid_coupon_template")
    assert code_of(no_template) == (404, "template_not_found")
    assert code_of(unknown_code) == (404, "coupon_not_found")
    assert code_of(other_members) == (404, "coupon_not_found")
    assert code_of(wrong_currency) == (422, "coupon_not_applicable")
    assert code_of(not_for_points) == (422, "template_not_for_points")
    assert code_of(not_found_for_points) == (404, "template_not_found")
    assert code_of(too_few) == (422, "insufficient_points") and too_few.json()["balance"] == 0
    assert same_key_later.status_code == 201 and same_key_later.json()["balance"] == 100
    assert "Idempotent-Replayed" not in same_key_later.headers
