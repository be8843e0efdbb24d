"""What every event promises its consumers (frozen, forward compatible, UTC) and the
invariants individual events enforce."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.events.rewards import BonusGranted, CouponIssued, grant_id_for
from shared.events.tiering import MemberEnrolled
from shared.events.wallet import PurchaseCompleted, RechargeCompleted

AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def a_purchase(**overrides: object) -> PurchaseCompleted:
    fields: dict[str, object] = {
        "occurred_at": AT, "member_id": "m_1001", "purchase_id": "p_1",
        "order_reference": "sh01-000123", "total": 10_000, "currency": "CNY",
        "paid_principal": 6_000, "paid_bonus": 1_000, "paid_other": 3_000,
        "items": [{"sku": "latte", "category": "coffee", "quantity": 2, "amount": 10_000}],
        "store_id": "store_sh_01", "terminal_id": "pos_07", "channel": "pos",
    }
    return PurchaseCompleted(**{**fields, **overrides})


def a_recharge(**overrides: object) -> RechargeCompleted:
    fields: dict[str, object] = {
        "occurred_at": AT, "member_id": "m_1001", "recharge_id": "r_1", "amount": 50_000,
        "currency": "CNY", "payment_method": "wechat_pay", "payment_reference": "wx-42",
        "store_id": "store_sh_01", "channel": "pos", "is_first_recharge": True,
        "lifetime_recharged": 50_000,
    }
    return RechargeCompleted(**{**fields, **overrides})


def test_an_event_cannot_be_changed_after_it_is_made():
    purchase = a_purchase()
    with pytest.raises(ValidationError, match="frozen"):
        purchase.total = 1  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        purchase.items[0].quantity = 5  # type: ignore[misc]


def test_fields_a_newer_producer_added_are_ignored_by_an_older_consumer():
    document = json.loads(a_recharge().to_json())
    document["loyalty_multiplier"] = 3

    parsed = RechargeCompleted.model_validate_json(json.dumps(document))

    assert parsed == a_recharge(event_id=parsed.event_id)


def test_times_must_carry_a_zone_and_are_kept_in_utc():
    with pytest.raises(ValidationError, match="timezone"):
        a_recharge(occurred_at=datetime(2025, 3, 1, 9, 30))
    shanghai = datetime(2025, 3, 1, 17, 30, tzinfo=timezone(timedelta(hours=8)))

    recharge = a_recharge(occurred_at=shanghai)

    assert recharge.occurred_at.tzinfo is UTC
    assert recharge.occurred_at == AT


def test_amounts_are_whole_non_negative_minor_units():
    for bad in (-1, 12.5, 100.0, "100", True):
        with pytest.raises(ValidationError):
            a_recharge(amount=bad, lifetime_recharged=10**6)


def test_a_purchase_tender_split_must_add_up_to_its_total():
    with pytest.raises(ValidationError, match="must equal total"):
        a_purchase(paid_other=2_999)


def test_a_purchase_may_carry_only_a_total():
    purchase = a_purchase(items=[])

    assert purchase.items == ()


def test_a_recharge_counts_itself_in_the_lifetime_total():
    with pytest.raises(ValidationError, match="lifetime_recharged"):
        a_recharge(lifetime_recharged=49_999)


def test_the_grant_id_of_a_recharge_never_changes():
    assert grant_id_for("r_1") == grant_id_for("r_1")
    assert grant_id_for("r_1") != grant_id_for("r_2")
    assert str(grant_id_for("r_1")) == "02e6a7d9-3325-5759-83c2-92391bd95806"


def test_a_bonus_grant_must_use_the_grant_id_of_its_recharge():
    fields = {"occurred_at": AT, "member_id": "m_1001", "recharge_id": "r_1",
              "amount": 8_000, "currency": "CNY"}
    assert BonusGranted(grant_id=grant_id_for("r_1"), **fields).grant_id == grant_id_for("r_1")
    with pytest.raises(ValidationError, match="grant_id_for"):
        BonusGranted(grant_id=grant_id_for("r_2"), **fields)


@pytest.mark.parametrize("birthday", ["02-29", "12-31", "01-01", None])
def test_a_birthday_is_a_real_month_and_day(birthday):
    enrolled = MemberEnrolled(occurred_at=AT, member_id="m_1", channel="app", locale="zh-CN",
                              enrolled_at=AT, birthday=birthday)
    assert enrolled.birthday == birthday


@pytest.mark.parametrize("birthday", ["02-30", "04-31", "13-01", "1-05", "2000-01-01"])
def test_an_impossible_birthday_is_refused(birthday):
    with pytest.raises(ValidationError):
        MemberEnrolled(occurred_at=AT, member_id="m_1", channel="app", locale="zh-CN",
                       enrolled_at=AT, birthday=birthday)


def a_coupon(**overrides: object) -> CouponIssued:
    fields: dict[str, object] = {
        "occurred_at": AT, "member_id": "m_1", "coupon_id": "c_1", "code": "SPRING20",
        "template_id": "t_1", "kind": "threshold", "value": 2_000, "currency": "CNY",
        "min_spend": 10_000, "valid_from": AT, "valid_until": AT + timedelta(days=30),
        "reason": "spring campaign",
    }
    return CouponIssued(**{**fields, **overrides})


def test_coupon_terms_must_make_sense():
    assert a_coupon().kind == "threshold"
    assert a_coupon(kind="percent_off", value=1_500, currency=None, min_spend=None).value == 1_500
    for broken, message in [
        ({"min_spend": None}, "needs a min_spend"),
        ({"kind": "no_threshold"}, "has no min_spend"),
        ({"kind": "percent_off", "value": 10_001}, "basis points"),
        ({"currency": None}, "currency is required"),
        ({"valid_until": AT}, "valid_until"),
    ]:
        with pytest.raises(ValidationError, match=message):
            a_coupon(**broken)
