"""Who is in a named built-in segment now, as a query (bulk coupon issues enrol them): the
recharge bonus's segments (rules/offers.py) over everything rewards saw, in any currency.

- new: exactly one recharge so far (the recharge bonus's "new" is a member making their
  first; once it is made, they are new until the second);
- dormant: no activity (purchase, recharge, points redemption) for `dormant_after_days`;
- high_value: lifetime recharges, net of recharge refunds, reached `high_value_from`.

One function, `segment_member_ids`, so segments defined as data replace these three in one
place."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import TextClause, text

from services.rewards.settings import RewardsSettings

SEGMENT_NAMES = ("new", "dormant", "high_value")
_QUERIES = {
    "new": "SELECT member_id FROM recharges_seen GROUP BY member_id HAVING count(*) = 1",
    "dormant": "SELECT member_id FROM member_activity "
               "WHERE kind IN ('purchase', 'recharge', 'redemption') GROUP BY member_id "
               "HAVING max(occurred_at) <= :dormant_since",
    "high_value": "SELECT r.member_id FROM recharges_seen r LEFT JOIN ("
                  " SELECT member_id, sum(amount) AS refunded FROM refunds_seen"
                  " WHERE kind = 'recharge' GROUP BY member_id) f USING (member_id)"
                  " GROUP BY r.member_id, f.refunded"
                  " HAVING sum(r.amount) - coalesce(f.refunded, 0) >= :high_value_from",
}


def segment_member_ids(segment: str, now: datetime,
                       settings: RewardsSettings) -> tuple[TextClause, dict]:
    """A query selecting the `member_id`s in `segment` at `now`, and its parameters."""
    return text(_QUERIES[segment]), {
        "dormant_since": now - timedelta(days=settings.dormant_after_days),
        "high_value_from": settings.high_value_from}
