"""Membership renewal quotes signed as tiering signs them, for tests of the wallet's check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.membership_quotes import QuotedRenewal, new_quote_id, sign_quote
from shared.settings import DEV_JWT_SECRET


def quoted(member_id: str, years: int, price: int, *, valid_for: timedelta = timedelta(minutes=30),
           currency: str = "CNY") -> QuotedRenewal:
    return QuotedRenewal(new_quote_id(), member_id, f"membership-{years}y", years, price, currency,
                         datetime.now(UTC) + valid_for)


def quote_token(quote: QuotedRenewal, secret: str = DEV_JWT_SECRET) -> str:
    return sign_quote(secret, quote)
