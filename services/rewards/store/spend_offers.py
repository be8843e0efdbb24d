"""The spend offers live for a purchase, read back as rule values (rules/cashback.py), and
the member's segments at the purchase (rules/targeting.py): what `store/cashback.py` needs
before it decides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.cashback import CashbackOffer, FirstNGift, SpendAndSaveOffer
from services.rewards.rules.offers import member_segments
from services.rewards.rules.targeting import Audience
from services.rewards.settings import RewardsSettings

SPEND_KINDS = ("cashback", "spend_and_save", "first_n_gift")
SpendOffer = CashbackOffer | SpendAndSaveOffer | FirstNGift
# The member's recharges before a moment, in a currency, and their last activity of any
# kind before it: what the built-in segments are made of (as for the recharge bonus).
RECHARGES_BEFORE = text("""
    SELECT count(*) AS n, coalesce(sum(amount), 0) AS total,
           (SELECT max(occurred_at) FROM member_activity WHERE member_id = :member
              AND occurred_at < :at AND kind IN ('purchase', 'recharge', 'redemption'))
             AS last_active_at
    FROM recharges_seen WHERE member_id = :member AND currency = :currency AND occurred_at < :at
""")


# The batch's members in the offer set's data segments: one query on segment_members'
# primary key (segment_id, member_id), however many offers and members.
DATA_SEGMENTS_OF = text("""
    SELECT member_id, array_agg(segment_id) AS segment_ids FROM segment_members
    WHERE segment_id = ANY(CAST(:segments AS text[])) AND member_id = ANY(CAST(:members AS text[]))
    GROUP BY member_id
""")


def audience_of(row: Mapping[str, Any]) -> Audience:
    terms = row["terms"]
    return Audience(row["effective_from"], row["effective_to"],
                    frozenset(terms.get("weekdays", ())), frozenset(terms.get("segments", ())),
                    frozenset(terms.get("segment_ids", ())))


def spend_offer(row: Mapping[str, Any]) -> SpendOffer:
    """The rule value of a live `cashback`, `spend_and_save` or `first_n_gift` offer row."""
    terms, audience = row["terms"], audience_of(row)
    if row["kind"] == "cashback":
        return CashbackOffer(row["offer_id"], audience, bps=terms.get("bps", 0),
                             rungs=tuple((t, a) for t, a in terms.get("rungs", ())),
                             cap=terms.get("cap"), min_spend=terms.get("min_spend", 0))
    if row["kind"] == "spend_and_save":
        return SpendAndSaveOffer(row["offer_id"], audience,
                                 tuple((t, a) for t, a in terms["thresholds"]))
    return FirstNGift(row["offer_id"], audience, n=terms["n"], bonus=terms.get("bonus", 0),
                      coupon_template=terms.get("coupon_template"),
                      min_spend=terms.get("min_spend", 0))


async def segments_at(db: AsyncConnection, member_id: str, currency: str, at: datetime,
                      settings: RewardsSettings) -> frozenset[str]:
    """new / dormant / high_value as the recharge bonus counts them, from what rewards saw
    before `at` (recharges gross of refunds: a purchase does not know them)."""
    row = (await db.execute(RECHARGES_BEFORE, {"member": member_id, "currency": currency,
                                               "at": at})).one()
    return member_segments(prior_recharges=row.n, last_active_at=row.last_active_at,
                           prior_lifetime=int(row.total), at=at,
                           dormant_after_days=settings.dormant_after_days,
                           high_value_from=settings.high_value_from)


async def data_segments_of(db: AsyncConnection, member_ids: Iterable[str],
                           rows: Iterable[Mapping[str, Any]]) -> dict[str, frozenset[str]]:
    """Which of the offers' `segment_ids` each member is in now (absent: none of them)."""
    wanted = sorted({s for row in rows for s in row["terms"].get("segment_ids", ())})
    if not wanted:
        return {}
    result = await db.execute(DATA_SEGMENTS_OF, {"segments": wanted,
                                                 "members": sorted(set(member_ids))})
    return {row.member_id: frozenset(row.segment_ids) for row in result}
