"""Tier grants as plain values: a tier given for a while (by ops, with a reason, or by a
renew-and-upgrade purchase, for the term it bought), on top of the tier the member earns.

- The member's tier is the higher of what they earn and their active grants: a grant above
  the tier they hold raises it at once (`TierChanged` up, reason "tier grant: ...").
- A grant is active from `starts_at` until `expires_at` (or until revoked). When it ends,
  the member keeps the tier until the next anniversary review, like any tier: tiers fall
  only at a review (docs/tiering.md). The review keeps the higher of the tier the member
  qualifies for and the grants still active at that moment.
- "Until the next review" is an expiry too: the moment that review runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.tiering.rules.tiers import Standing, TierDecision, TierRules, review
from shared.rule_violations import RuleViolation


@dataclass(frozen=True)
class Grant:
    tier: str
    starts_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        ended = self.revoked_at is not None and self.revoked_at <= now
        return self.starts_at <= now < self.expires_at and not ended


def state(grant: Grant, now: datetime) -> str:
    if grant.revoked_at is not None:
        return "revoked"
    if now >= grant.expires_at:
        return "expired"
    return "active" if now >= grant.starts_at else "scheduled"


def tier_above(rules: TierRules, tier: str) -> str | None:
    """The next tier up the ladder (a renew-and-upgrade gives it); None at the top."""
    rank = rules.rank(tier)
    return rules.tiers[rank + 1].name if rank + 1 < len(rules.tiers) else None


def check_grant(rules: TierRules, tier: str, expires_at: datetime, now: datetime) -> None:
    if tier not in {t.name for t in rules.tiers}:
        raise RuleViolation("unknown_tier", f"No tier {tier!r} in the rules in force "
                            f"(version {rules.version}).")
    if expires_at <= now:
        raise RuleViolation("grant_expiry_past", f"A grant must end after now; "
                            f"{expires_at.isoformat()} has passed.")


def highest_granted(rules: TierRules, grants: Iterable[Grant], now: datetime) -> str | None:
    active = [grant.tier for grant in grants if grant.active(now)]
    return max(active, key=rules.rank, default=None)


def raise_to_grant(rules: TierRules, current: str, granted: str, reason: str,
                   amount: int) -> TierDecision | None:
    """The immediate move a grant makes: up to the granted tier if it is higher."""
    if rules.rank(granted) <= rules.rank(current) or granted == current:
        return None
    return TierDecision(current, granted, "up", f"tier grant: {reason}", amount)


def review_with_grants(rules: TierRules, current: str, standing: Standing,
                       granted: str | None) -> TierDecision | None:
    """The anniversary review, held up by a grant active at the review: the member moves to
    the higher of the tier they qualify for and the granted one."""
    decision = review(rules, current, standing)
    if granted is None or decision is None or rules.rank(decision.to_tier) >= rules.rank(granted):
        return decision
    if rules.rank(granted) >= rules.rank(current):
        return None  # the grant holds the tier the member has
    return TierDecision(current, granted, "down",
                        f"{decision.reason}; an active tier grant keeps {granted}",
                        decision.qualifying_amount)
