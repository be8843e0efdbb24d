"""The member's tier discount at the till, as plain values.

When the merchant turns it on (`tier_discount_at_till`), a purchase's total before the
discount is what the till rang up; the discount is the tier's basis points of everything
but the membership lines (a renewal has its own quoted price), rounded down to the minor
unit; the member pays the rest, and the tenders must add up to that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.wallet.rules.membership_quotes import MEMBERSHIP_CATEGORY
from shared.rule_violations import RuleViolation

WHOLE = 10_000


@dataclass(frozen=True)
class TierDiscount:
    tier: str
    bps: int
    amount: int


def tier_discount(tier: str, bps: int, total: int,
                  lines: Iterable[tuple[str | None, int]]) -> TierDiscount:
    """The discount on a purchase of `total` with (category, amount) lines."""
    membership = sum(amount for category, amount in lines if category == MEMBERSHIP_CATEGORY)
    eligible = max(total - membership, 0)
    return TierDiscount(tier, bps, eligible * bps // WHOLE)


def amount_due(total: int, discount: TierDiscount) -> int:
    """What the member pays; a discount that leaves nothing to pay is refused, as a
    purchase of nothing would be."""
    due = total - discount.amount
    if due <= 0:
        raise RuleViolation("nothing_to_pay", "After the tier discount nothing is left to pay.")
    return due
