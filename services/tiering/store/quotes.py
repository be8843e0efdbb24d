"""A member's renewal quotes, from what the database knows: their membership's end and
status, and their segment by rolling 12-month spend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.memberships import Status, status
from services.tiering.rules.quotes import Quote, quotes
from services.tiering.rules.segments import Segment, segment
from services.tiering.settings import TieringSettings
from services.tiering.store import memberships, qualifying


@dataclass(frozen=True)
class MemberOffer:
    segment: Segment
    annual_spend: int
    status: Status
    term_end: datetime | None
    quotes: tuple[Quote, ...]


async def member_offer(db: AsyncConnection, settings: TieringSettings, member_id: str,
                       now: datetime) -> MemberOffer:
    term = await memberships.latest_term(db, member_id)
    end = term.term_end if term else None
    spend = (await qualifying.standing(db, member_id, now)).spend_12m
    member_segment = segment(spend, settings.segment_bounds())
    member_status = status(end, now, timedelta(days=max(settings.reminder_offsets_days)),
                           timedelta(days=settings.membership_grace_days))
    return MemberOffer(member_segment, spend, member_status, end,
                       quotes(settings.price_list(), member_segment, member_status, end, now))
