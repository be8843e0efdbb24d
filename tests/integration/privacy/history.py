"""A member with a full history in every service, made through the services' own APIs:
enrolled with phone, email and birthday; a referral code a friend enrolled with; a recharge;
purchases from the balance and by card, enough for silver (points, a tier change, messages);
a paid membership term bought against tiering's quote; a coupon; contact details and a
consent."""

from __future__ import annotations

import uuid

import httpx

from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all

PERSONAL = {"phone": "+8613800000042", "email": "mei@example.com", "birthday": "03-14"}


def once() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def paid(member: str, method: str, *items: dict) -> dict:
    total = sum(item["amount"] for item in items)
    return {"member_id": member, "order_reference": uuid.uuid4().hex, "currency": "CNY",
            "total": total, "store_id": "store_1", "items": list(items),
            "tenders": [{"method": method, "amount": total, "reference": "ref-1"}]}


def ok(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201), (response.request.url, response.text)
    return response.json()


async def make_history(clients: dict[str, httpx.AsyncClient], database_url: str, member: str,
                       friend: str) -> None:
    tiering, wallet, rewards = clients["tiering"], clients["wallet"], clients["rewards"]
    referral, notifier, pos = clients["referral"], clients["notifier"], pos_headers()
    me = member_headers(member)
    ok(await tiering.post("/v1/members", headers=pos, json={"member_id": member, **PERSONAL}))
    code = ok(await referral.post(f"/v1/members/{member}/referral-code", headers=me))["code"]
    ok(await tiering.post("/v1/members", headers=pos,
                          json={"member_id": friend, "referral_code": code}))
    ok(await notifier.patch(f"/v1/members/{member}/contact", headers=me, json={
        "email": PERSONAL["email"], "phone": PERSONAL["phone"], "preferred_channel": "email"}))
    ok(await notifier.put(f"/v1/members/{member}/consents/email/marketing", headers=me,
                          json={"granted": True}))
    ok(await wallet.post("/v1/recharges", headers={**pos, **once()}, json={
        "member_id": member, "amount": 100_000, "currency": "CNY", "payment_method": "cash",
        "payment_reference": "cash-1", "pos_reference": uuid.uuid4().hex}))
    ok(await wallet.post("/v1/purchases", headers={**pos, **once()}, json=paid(
        member, "stored_value", {"sku": "tea", "category": "food", "quantity": 1,
                                 "amount": 10_000})))
    ok(await wallet.post("/v1/purchases", headers={**pos, **once()}, json=paid(
        member, "card", {"sku": "spa", "category": "services", "quantity": 1, "amount": 500_000})))
    await eventually(lambda: tiering.get(f"/v1/members/{member}/tier", headers=me),
                     lambda response: response.json().get("tier") == "silver", timeout=60)
    quote = ok(await tiering.get(f"/v1/members/{member}/renewal-quotes", headers=me))["quotes"][0]
    ok(await wallet.post("/v1/purchases", headers={**pos, **once()}, json=paid(member, "card", {
        **quote["product"], "quantity": 1, "quote_token": quote["quote_token"],
        "amount": quote["price"]})))
    config = ops_headers("ops:config")
    ok(await rewards.post("/v1/coupon-templates", headers=config, json={
        "template_id": "t_export", "name": "Five off", "kind": "amount_off", "value": 500,
        "currency": "CNY"}))
    ok(await rewards.post("/v1/coupons", headers={**config, **once()}, json={
        "member_id": member, "template_id": "t_export", "reason": "campaign"}))
    # everything the events cause has landed: the term, points, the referral, a message sent
    checks = {
        "tiering.membership_terms": "SELECT count(*) FROM tiering.membership_terms WHERE member_id = $1",
        "rewards.points_entries": "SELECT count(*) FROM rewards.points_entries WHERE member_id = $1",
        "rewards.bonus_decisions": "SELECT count(*) FROM rewards.bonus_decisions WHERE member_id = $1",
        "referral.referrals": "SELECT count(*) FROM referral.referrals WHERE referrer_id = $1",
        "notifier.notifications sent": "SELECT count(*) FROM notifier.notifications "
                                       "WHERE member_id = $1 AND status = 'sent'",
    }
    for what, query in checks.items():
        async def count(what: str = what, query: str = query) -> tuple[str, int]:
            return what, (await fetch_all(database_url, query, member))[0][0]

        await eventually(count, lambda seen: seen[1] >= 1, timeout=60)
