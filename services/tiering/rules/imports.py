"""What tiering makes of a member brought over from the merchant's previous system
(`patronage import`): the tier they held there is carried over until their first review
here, which then keeps it or moves it by this program's rules like any other member's; the
review falls on the anniversary of the day they first joined, not of the import."""

from __future__ import annotations

from datetime import datetime

from services.tiering.rules.tiers import TierDecision, TierRules, TierRuleViolation
from shared.dates import add_years

CARRIED_OVER = "carried over from the previous system"


def first_review_after(enrolled_at: datetime, now: datetime) -> datetime:
    """The first anniversary of `enrolled_at` after `now` (at least one year after joining)."""
    years = 1
    while add_years(enrolled_at, years) <= now:
        years += 1
    return add_years(enrolled_at, years)


def carried_over(rules: TierRules, tier: str | None) -> TierDecision | None:
    """The move from the lowest tier (where every enrolment starts) to the tier held in the
    previous system; None when that is the lowest. An unknown tier is refused."""
    if tier is None or tier == rules.lowest.name:
        return None
    if tier not in {t.name for t in rules.tiers}:
        raise TierRuleViolation("unknown_tier", f"The program has no tier {tier!r}.")
    return TierDecision(rules.lowest.name, tier, "up", CARRIED_OVER, 0)


def whole_years(start: datetime, end: datetime) -> int:
    """A term's length in whole years as the terms table records it (at least one)."""
    years = 1
    while add_years(start, years + 1) <= end:
        years += 1
    return years
