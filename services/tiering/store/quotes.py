"""A member's renewal quotes, from what the database knows: their membership's end and
status, their segment by rolling 12-month spend, whether this is their first renewal (one
term bought so far), and the tier a renew-and-upgrade would give them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.memberships import Status, status
from services.tiering.rules.quotes import PriceList, Quote, quotes
from services.tiering.rules.segments import Segment, segment
from services.tiering.rules.tier_grants import tier_above
from services.tiering.settings import TieringSettings
from services.tiering.store import memberships, qualifying, renewal_prices, tables, tiers
from services.tiering.store.members import find_member


@dataclass(frozen=True)
class MemberOffer:
    segment: Segment
    annual_spend: int
    status: Status
    term_end: datetime | None
    quotes: tuple[Quote, ...]
    first_renewal: bool = False
    upgrade_to: str | None = None  # the tier renew-and-upgrade gives; None at the top


async def terms_bought(db: AsyncConnection, member_id: str) -> int:
    terms = tables.membership_terms
    return (await db.execute(select(func.count()).select_from(terms).where(
        terms.c.member_id == member_id, terms.c.cancelled_at.is_(None)))).scalar_one()


async def member_offer(db: AsyncConnection, settings: TieringSettings, member_id: str,
                       now: datetime, experiment_bps: int = 0,
                       prices: PriceList | None = None) -> MemberOffer:
    """`prices`: the version in force as the caller keeps it (the API's cache); None reads
    it from the database (the reminder job, once per reminder)."""
    if prices is None:
        prices = (await renewal_prices.in_force(db, settings.price_list(), now)).prices
    term = await memberships.latest_term(db, member_id)
    end = term.term_end if term else None
    spend = (await qualifying.standing(db, member_id, now)).spend_12m
    member_segment = segment(spend, settings.segment_bounds())
    member_status = status(end, now, timedelta(days=max(settings.reminder_offsets_days)),
                           timedelta(days=settings.membership_grace_days))
    first_renewal = await terms_bought(db, member_id) == 1
    member = await find_member(db, member_id=member_id)
    upgrade_to = None
    if member is not None:
        upgrade_to = tier_above(await tiers.rules_in_force(db, settings.default_rules()), member.tier)
    return MemberOffer(member_segment, spend, member_status, end,
                       quotes(prices, member_segment, member_status, end, now,
                              first_renewal=first_renewal, upgrade=upgrade_to is not None,
                              experiment_bps=experiment_bps),
                       first_renewal, upgrade_to)
