"""Which message an incoming event asks for, and the facts its template needs.

The facts are plain JSON values (amounts in minor units, instants as ISO strings): they
are stored with the message and rendered at delivery, in the member's locale and time
zone as they are then. Events carry member ids only; addresses are looked up here, in
the notifier's own contacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.events.envelope import Event
from shared.events.referral import ReferralQualified
from shared.events.rewards import CouponIssued, PointsExpired
from shared.events.tiering import MembershipExpired, MembershipExpiring, TierChanged
from shared.events.wallet import BonusCredited, RechargeCompleted


@dataclass(frozen=True)
class Draft:
    kind: str
    facts: dict[str, Any]


def draft_for(event: Event) -> Draft | None:
    """The message `event` asks for, or None (a downgrade is not announced)."""
    match event:
        case MembershipExpiring():
            return Draft("renewal_reminder", {
                "days_left": event.days_left, "term_end": event.term_end.isoformat(),
                "quotes": [{"years": q.years, "price": q.price, "currency": q.currency}
                           for q in event.renewal_quote]})
        case MembershipExpired():
            return Draft("win_back", {"term_end": event.term_end.isoformat(),
                                      "grace_until": event.grace_until.isoformat()})
        case RechargeCompleted():
            return Draft("recharge_receipt", {
                "recharge_id": event.recharge_id, "amount": event.amount,
                "currency": event.currency, "at": event.occurred_at.isoformat()})
        case BonusCredited():
            return Draft("bonus_receipt", {
                "recharge_id": event.recharge_id, "amount": event.amount,
                "currency": event.currency, "bonus_balance": event.bonus_balance})
        case TierChanged() if event.direction == "up":
            return Draft("tier_upgraded", {"from_tier": event.from_tier, "to_tier": event.to_tier})
        case ReferralQualified():
            return Draft("referral_qualified", {"amount": event.qualifying_amount,
                                                "currency": event.currency})
        case CouponIssued():
            return Draft("coupon_issued", {
                "code": event.code, "coupon_kind": event.kind, "value": event.value,
                "currency": event.currency, "min_spend": event.min_spend,
                "valid_until": event.valid_until.isoformat()})
        case PointsExpired():
            return Draft("points_expired", {"points": event.points, "balance": event.balance})
    return None
