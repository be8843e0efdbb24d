"""The kinds of message the notifier sends, and what each kind is.

A transactional message answers something the member did or owns (a receipt, a renewal
reminder): never capped, sent on the member's transactional consent. A marketing message
is outreach (a coupon, a win-back offer): capped per day and week and sent only on
marketing consent. Receipts go out at any hour: the member is at the till waiting for
them; everything else waits for the end of the member's quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Category = Literal["transactional", "marketing"]
CATEGORIES: tuple[Category, ...] = ("transactional", "marketing")


@dataclass(frozen=True)
class Kind:
    category: Category
    respects_quiet_hours: bool = True


KINDS: dict[str, Kind] = {
    "renewal_reminder": Kind("transactional"),
    "recharge_receipt": Kind("transactional", respects_quiet_hours=False),
    "bonus_receipt": Kind("transactional", respects_quiet_hours=False),
    "tier_upgraded": Kind("transactional"),
    "referral_qualified": Kind("transactional"),
    "points_expired": Kind("transactional"),
    "coupon_issued": Kind("marketing"),
    "win_back": Kind("marketing"),
    "birthday_greeting": Kind("marketing"),
    "monthly_statement": Kind("marketing"),
    "we_miss_you": Kind("marketing"),
}
