"""The walk of `test_every_write_emits.py`: the write paths of every service driven as the
POS, the member app and ops drive them, then the jobs on a clock at moments that make them
act. Each step changes member-visible state; the audit checks what each one published."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from services.referral.store.expiry import expire_due as expire_referrals
from services.rewards.jobs.points_expiry import expire_due as expire_points
from services.tiering.jobs.birthdays import announce_birthdays
from services.tiering.jobs.membership_reminders import send_membership_reminders
from services.tiering.jobs.tier_reviews import review_tiers
from services.wallet.jobs.bonus_expiry import expire_all_due
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all

OPS = ops_headers("ops:adjust", "ops:report", "ops:refund", "ops:risk", "ops:config",
                  "ops:terminals", "ops:review", user="ops_walker")


REGISTERED = "SELECT 1 FROM wallet.registered_members WHERE member_id = $1"
REFERRAL_KNOWS = "SELECT 1 FROM referral.members WHERE member_id = $1"
HELD_BONUSES = ("SELECT grant_id FROM rewards.bonus_decisions WHERE status = 'held' "
                "ORDER BY member_id")


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def created(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json() if response.content else {}


def card_purchase(member: str, *items: dict) -> dict:
    total = sum(item["amount"] for item in items)
    return {"member_id": member, "order_reference": uuid.uuid4().hex, "currency": "CNY",
            "total": total, "store_id": "store_1", "terminal_id": "pos_1", "items": list(items),
            "tenders": [{"method": "card", "amount": total, "reference": "card-1"}]}


async def referral_status(database: str, invitee: str) -> str | None:
    rows = await fetch_all(database, "SELECT referral_id, status FROM referral.referrals "
                                     "WHERE invitee_id = $1", invitee)
    return (rows[0]["referral_id"], rows[0]["status"]) if rows else None


async def walk(clients: dict[str, httpx.AsyncClient], runtimes: dict[str, ServiceRuntime],
               platform) -> None:
    tiering, wallet, rewards, referral = (clients[name] for name in (
        "tiering", "wallet", "rewards", "referral"))
    pos = pos_headers("store_1", "pos_1")
    await created(await tiering.post("/v1/members", headers=pos, json={
        "member_id": "m_a", "phone": "+86 138-0000-0001", "device_hash": "dev-a"}))
    code = (await eventually(
        lambda: referral.post("/v1/members/m_a/referral-code", headers=member_headers("m_a")),
        lambda answer: answer.status_code == 200)).json()["code"]
    # the abuse rules below compare with m_a's phone and device: known to referral first
    # (two members' enrolments travel on two partitions, in no order)
    await eventually(lambda: fetch_all(platform.database_url, REFERRAL_KNOWS, "m_a"),
                     lambda rows: len(rows) == 1)
    for action in ("rotate", "deactivate"):
        await created(await referral.post(f"/v1/members/m_a/referral-code/{action}",
                                          headers=member_headers("m_a")))
    code = (await created(await referral.post("/v1/members/m_a/referral-code",
                                              headers=member_headers("m_a"))))["code"]
    for invitee, details in (("m_b", {}), ("m_h", {"device_hash": "dev-a"}),
                             ("m_r", {"phone": "8613800000001"}), ("m_d", {"device_hash": "dev-a"}),
                             ("m_x", {})):
        await created(await tiering.post("/v1/members", headers=pos, json={
            "member_id": invitee, "referral_code": code, **details}))

    def recharge(member: str, amount: int) -> dict:
        return {"member_id": member, "amount": amount, "currency": "CNY",
                "payment_method": "wechat_pay", "payment_reference": uuid.uuid4().hex[:12],
                "store_id": "store_1", "terminal_id": "pos_1", "channel": "pos",
                "pos_reference": uuid.uuid4().hex}

    def purchase(member: str, amount: int, coupons: list[str] | None = None) -> dict:
        return {"member_id": member, "order_reference": uuid.uuid4().hex, "currency": "CNY",
                "total": amount, "store_id": "store_1", "terminal_id": "pos_1",
                "items": [{"sku": "latte", "category": "drinks", "quantity": 1, "amount": amount}],
                "tenders": [{"method": "stored_value", "amount": amount}],
                "coupon_codes": coupons or []}

    await created(await wallet.post("/v1/recharges", json=recharge("m_a", 50_000),
                                    headers={**pos, **key()}))
    paid_b = await created(await wallet.post("/v1/recharges", json=recharge("m_b", 30_000),
                                             headers={**pos, **key()}))
    # big recharges the fraud screen holds for review: one approved, one rejected
    for member in ("m_big1", "m_big2"):
        await created(await tiering.post("/v1/members", headers=pos, json={"member_id": member}))
        await eventually(lambda m=member: fetch_all(platform.database_url, REGISTERED, m),
                         lambda rows: len(rows) == 1)
        await created(await wallet.post("/v1/recharges", json=recharge(member, 300_000),
                                        headers={**pos, **key()}))
    held = await eventually(lambda: fetch_all(platform.database_url, HELD_BONUSES),
                            lambda rows: len(rows) == 2)
    for row, verb in zip(held, ("approve", "reject"), strict=True):
        await created(await rewards.post(f"/v1/reviews/{row['grant_id']}/{verb}",
                                         headers={**OPS, **key()}, json={"note": "walk"}))
    bought = await created(await wallet.post("/v1/purchases", json=purchase("m_a", 3_000),
                                             headers={**pos, **key()}))
    await created(await wallet.post(f"/v1/purchases/{bought['purchase_id']}/refunds",
                                    json={"amount": 1_000}, headers={**pos, **key()}))
    for action in ("freeze", "unfreeze"):
        await created(await wallet.post(f"/v1/ops/wallets/m_a/{action}", json={"reason": "walk"},
                                        headers={**OPS, **key()}))
    await created(await wallet.post("/v1/ops/adjustments", headers={**OPS, **key()}, json={
        "member_id": "m_a", "currency": "CNY", "bonus_delta": 700, "reason": "goodwill"}))

    await created(await rewards.post("/v1/members/m_a/points/awards", headers={**OPS, **key()},
                                     json={"points": 600, "task": "profile_completed"}))
    bought_coupon = await created(await rewards.post(
        "/v1/members/m_a/points/redemptions", json={"template_id": "save10_over100"},
        headers={**member_headers("m_a"), **key()}))
    await created(await wallet.post(
        "/v1/purchases", json=purchase("m_a", 12_000, [bought_coupon["coupon"]["code"]]),
        headers={**pos, **key()}))
    await created(await wallet.post(f"/v1/recharges/{paid_b['recharge_id']}/refund",
                                    json={"reason": "changed their mind"},
                                    headers={**pos, **key()}))

    # referrals held by the abuse rules (same device, same phone), then approved, rejected,
    # and one whose qualifying recharge is refunded while held
    paid = {}
    for invitee in ("m_h", "m_r", "m_d"):
        await eventually(lambda i=invitee: referral_status(platform.database_url, i),
                         lambda found: found is not None and found[1] == "registered")
        paid[invitee] = await created(await wallet.post(
            "/v1/recharges", json=recharge(invitee, 10_000), headers={**pos, **key()}))
    held = [await eventually(lambda i=invitee: referral_status(platform.database_url, i),
                             lambda found: found[1] == "held") for invitee in ("m_h", "m_r")]
    for (referral_id, _), verb in zip(held, ("approve", "reject"), strict=True):
        await created(await referral.post(f"/v1/reviews/{referral_id}/{verb}",
                                          headers={**OPS, **key()}, json={"note": "walk"}))
    await eventually(lambda: referral_status(platform.database_url, "m_d"),
                     lambda found: found[1] == "held")
    await created(await wallet.post(f"/v1/recharges/{paid['m_d']['recharge_id']}/refund",
                                    json={"reason": "walk"}, headers={**pos, **key()}))
    await eventually(lambda: referral_status(platform.database_url, "m_d"),
                     lambda found: found[1] == "revoked")
    # m_x never spends: the expiry sweep, run as its job runs it, past the window
    await expire_referrals(runtimes["referral"].context.uow,
                           datetime.now(UTC) + timedelta(days=3650))

    # a tier earned by spend, a membership bought at its quote and refunded, new tier rules
    await created(await tiering.post("/v1/members", headers=pos, json={"member_id": "m_c"}))
    await created(await wallet.post("/v1/purchases", headers={**pos, **key()}, json=card_purchase(
        "m_c", {"sku": "massage", "category": "services", "quantity": 1, "amount": 2_100_000})))
    await eventually(lambda: tiering.get("/v1/members/m_c/tier", headers=member_headers("m_c")),
                     lambda answer: answer.json().get("tier") == "gold")
    # gold's free service redeemed at a till, and the redemption reversed by ops
    redeemed = await created(await tiering.post(
        "/v1/members/m_c/entitlements/free_service/redemptions", headers={**pos, **key()}))
    await created(await tiering.post(
        f"/v1/entitlement-redemptions/{redeemed['redemption_id']}/reversal", headers=OPS,
        json={"reason": "walk"}))
    quote = (await tiering.get("/v1/members/m_c/renewal-quotes",
                               headers=member_headers("m_c"))).json()["quotes"][0]
    line = {**quote["product"], "quantity": 1, "quote_token": quote["quote_token"],
            "amount": quote["price"]}
    membership = await created(await wallet.post("/v1/purchases", headers={**pos, **key()},
                                                 json=card_purchase("m_c", line)))
    await eventually(lambda: tiering.get("/v1/members/m_c/membership/terms",
                                         headers=member_headers("m_c")),
                     lambda answer: len(answer.json()["items"]) == 1)
    await created(await wallet.post(f"/v1/purchases/{membership['purchase_id']}/refunds",
                                    headers={**pos, **key()},
                                    json={"amount": quote["price"], "reason": "changed mind"}))
    # a membership kept to its end, for the reminders and the expiry below
    await created(await tiering.post("/v1/members", headers=pos, json={
        "member_id": "m_e", "birthday": "01-15"}))
    kept = (await tiering.get("/v1/members/m_e/renewal-quotes",
                              headers=member_headers("m_e"))).json()["quotes"][0]
    await created(await wallet.post("/v1/purchases", headers={**pos, **key()}, json=card_purchase(
        "m_e", {**kept["product"], "quantity": 1, "quote_token": kept["quote_token"],
                "amount": kept["price"]})))
    await eventually(lambda: fetch_all(platform.database_url, TERM_DUE, "m_e"),
                     lambda rows: len(rows) == 1)
    await created(await tiering.post("/v1/tiers/rules", headers=OPS, json={
        "measure": "lifetime_recharge",
        "tiers": [{"name": "regular"}, {"name": "gold", "recharge_threshold": 1_000_000}]}))

    notifier = clients["notifier"]
    for granted in (True, False):
        await created(await notifier.put("/v1/members/m_a/consents/email/marketing",
                                         headers=member_headers("m_a"), json={"granted": granted}))

    issued = await created(await wallet.post("/v1/ops/terminals/keys", headers=OPS, json={
        "store_id": "store_9", "terminal_id": "pos_9", "reason": "new till"}))
    await created(await wallet.post(f"/v1/ops/terminals/keys/{issued['key_id']}/revocation",
                                    headers=OPS, json={"reason": "till stolen"}))


TERM_DUE = "SELECT next_due_at FROM tiering.membership_terms WHERE member_id = $1"


async def run_the_jobs(runtimes: dict[str, ServiceRuntime], database: str) -> None:
    """What runs on a clock, at moments that make it act: lots, points and referrals past
    their dates, the membership's reminders and end, tier reviews, a birthday."""
    later = datetime.now(UTC) + timedelta(days=3 * 365)
    wallet, tiering, rewards = runtimes["wallet"], runtimes["tiering"], runtimes["rewards"]
    # the services' own sweeps may hold a job's leader lock for a moment: try until it acts
    await eventually(lambda: expire_all_due(wallet.context.uow, FrozenClock(later)),
                     lambda totals: totals["lots"] > 0)
    await eventually(lambda: expire_points(rewards.context.uow, later), lambda done: bool(done))
    while (due := (await fetch_all(database, TERM_DUE, "m_e"))[0]["next_due_at"]) is not None:
        await eventually(lambda at=due: send_membership_reminders(
            tiering.context, tiering.settings, at), lambda sent: sum(sent) > 0)
    await eventually(lambda: review_tiers(tiering.context, tiering.settings, later),
                     lambda moved: moved[0] > 0)
    birthday = datetime(later.year, 1, 15, 12, tzinfo=UTC)
    await eventually(lambda: announce_birthdays(tiering.context, tiering.settings, birthday),
                     lambda announced: announced > 0)
