"""What a draft renewal price list would quote, beside the version in force: one row per
length x segment x membership status, for ops to compare before publishing.

Each status is quoted for a typical member in it, with no first-renewal offer and no
experiment: `active` has a year left (early renewal applies when `early_days` <= 365),
`expiring` a week, `grace` ended yesterday, `expired` a month ago, `none` never bought."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.tiering.rules.memberships import Status
from services.tiering.rules.quotes import PriceList, Quote, quote
from services.tiering.rules.segments import Segment

SEGMENTS: tuple[Segment, ...] = ("potential", "growing", "core")
STATUS_ENDS: dict[Status, timedelta | None] = {
    "none": None, "active": timedelta(days=365), "expiring": timedelta(days=7),
    "grace": timedelta(days=-1), "expired": timedelta(days=-30)}


def _shown(q: Quote) -> dict:
    return {"price": q.price, "list_price": q.list_price, "offer": q.offer,
            "floor_applied": q.floor_applied}


def preview_rows(current: PriceList, draft: PriceList, now: datetime) -> list[dict]:
    rows = []
    for years in draft.lengths:
        for member_segment in SEGMENTS:
            for status, until_end in STATUS_ENDS.items():
                end = None if until_end is None else now + until_end
                shown = None
                if years in current.lengths:
                    shown = _shown(quote(current, years, member_segment, status, end, now))
                rows.append({"years": years, "segment": member_segment, "status": status,
                             "current": shown,
                             "draft": _shown(quote(draft, years, member_segment, status, end, now))})
    return rows
