"""Membership lines are bought at the quoted price, never at one the caller names.

A purchase line with category `membership` renews a paid membership (tiering extends the
term when it sees the purchase), so its price is tiering's, not the till's: the line must
carry the `quote_token` tiering signed (`GET /v1/members/{id}/renewal-quotes`), and the
line must be exactly what was quoted: the member, the sku, quantity 1, the amount and the
currency. Anything else is refused before a thing is written:

- `quote_required`: a membership line without a token;
- `quote_invalid`: a token tiering did not sign, or signed for another member or product;
- `quote_expired`: a token past its expiry;
- `price_not_quoted`: the line's amount, quantity or currency is not the quote's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.membership_quotes import read_quote
from shared.rule_violations import RuleViolation

MEMBERSHIP_CATEGORY = "membership"


@dataclass(frozen=True)
class Line:
    sku: str
    category: str | None
    quantity: int
    amount: int
    quote_token: str | None = None


def quoted_lines(lines: Sequence[Line], member_id: str, currency: str, secret: str,
                 now: datetime) -> tuple[str | None, ...]:
    """Each line's quote id (None for a line that needs no quote), after checking every
    membership line against its quote."""
    ids = tuple(_quote_id(n, line, member_id, currency, secret, now)
                for n, line in enumerate(lines))
    named = [quote_id for quote_id in ids if quote_id is not None]
    if len(set(named)) != len(named):
        raise RuleViolation("quote_invalid", "One quote buys one line: a quote_token appears "
                            "on two lines.")
    return ids


def _quote_id(n: int, line: Line, member_id: str, currency: str, secret: str,
              now: datetime) -> str | None:
    if line.category != MEMBERSHIP_CATEGORY:
        return None
    if not line.quote_token:
        raise RuleViolation("quote_required", f"items[{n}] is a membership: send the "
                            "quote_token from GET /v1/members/{id}/renewal-quotes.")
    quote = read_quote(secret, line.quote_token, now)
    if quote.member_id != member_id or quote.sku != line.sku:
        raise RuleViolation("quote_invalid", f"items[{n}]: the quote {quote.quote_id} is for "
                            "another member or product.")
    if line.quantity != 1 or line.amount != quote.price or currency != quote.currency:
        raise RuleViolation(
            "price_not_quoted", f"items[{n}]: the quote {quote.quote_id} is 1 x {line.sku} at "
            f"{quote.price} {quote.currency}, not {line.quantity} x at {line.amount} {currency}.")
    return quote.quote_id
