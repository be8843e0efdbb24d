"""Sample facts per kind: what the ops preview renders and what the template tests check
every template against (a fact a template needs and the samples lack fails the tests)."""

from __future__ import annotations

from typing import Any

SAMPLES: dict[str, dict[str, Any]] = {
    "renewal_reminder": {"days_left": 7, "term_end": "2027-12-31T16:00:00+00:00",
                         "quotes": [{"years": 1, "price": 32_400, "currency": "CNY"},
                                    {"years": 2, "price": 57_600, "currency": "CNY"}]},
    "win_back": {"term_end": "2027-12-31T16:00:00+00:00",
                 "grace_until": "2028-01-15T16:00:00+00:00"},
    "recharge_receipt": {"recharge_id": "r-1001", "amount": 50_000, "currency": "CNY",
                         "at": "2027-03-01T09:30:00+00:00"},
    "bonus_receipt": {"recharge_id": "r-1001", "amount": 5_000, "currency": "CNY",
                      "bonus_balance": 12_000},
    "tier_upgraded": {"from_tier": "silver", "to_tier": "gold"},
    "referral_qualified": {"amount": 20_000, "currency": "CNY"},
    "coupon_issued": {"code": "BDAY-7Q2K", "coupon_kind": "amount_off", "value": 2_000,
                      "currency": "CNY", "min_spend": 10_000,
                      "valid_until": "2027-04-30T16:00:00+00:00"},
    "points_expired": {"points": 1_240, "balance": 3_500},
    "birthday_greeting": {},
    "monthly_statement": {"month": "2027-02", "visits": 22, "spent": 864_000,
                          "recharged": 200_000, "currency": "CNY"},
    "we_miss_you": {"last_seen": "2027-01-10T04:00:00+00:00"},
}
