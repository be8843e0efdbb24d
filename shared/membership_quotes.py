"""Membership renewal quotes as signed tokens: tiering signs what it quoted, wallet checks a
purchase line against it, and neither calls the other.

A quote token is a JWT (PyJWT, HS256) signed with the platform JWT secret
(`PATRONAGE_JWT_SECRET`, which every service already has) under its own audience
`patronage:membership-quote` and `typ: membership-quote`. The audience keeps the two kinds
of token apart both ways: a credential (no `aud`) is refused as a quote, and a quote (with
an `aud`) is refused as a credential, because PyJWT refuses a token carrying an audience
the caller did not ask for.

Claims: the member, the product (`sku`), the years, the price (minor units), the currency,
the quote's id and its expiry. Refusals are `RuleViolation`s with stable codes:
`quote_invalid` (bad signature, wrong audience or type, claims missing) and
`quote_expired`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from shared.rule_violations import RuleViolation

AUDIENCE = "patronage:membership-quote"
TOKEN_TYPE = "membership-quote"
ALGORITHM = "HS256"
CLAIMS = ("sub", "aud", "typ", "qid", "sku", "years", "price", "currency", "exp")


@dataclass(frozen=True)
class QuotedRenewal:
    quote_id: str
    member_id: str
    sku: str
    years: int
    price: int  # minor units
    currency: str
    expires_at: datetime


def new_quote_id() -> str:
    return f"q-{uuid.uuid4().hex}"


def sign_quote(secret: str, quote: QuotedRenewal) -> str:
    return jwt.encode({
        "sub": quote.member_id, "aud": AUDIENCE, "typ": TOKEN_TYPE, "qid": quote.quote_id,
        "sku": quote.sku, "years": quote.years, "price": quote.price,
        "currency": quote.currency, "exp": int(quote.expires_at.timestamp()),
    }, secret, algorithm=ALGORITHM)


def read_quote(secret: str, token: str, now: datetime) -> QuotedRenewal:
    """The quote a token carries, if tiering signed it and it has not expired at `now` (the
    caller's clock, not the wall clock: tests and replays run on an injected one)."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
                            options={"require": list(CLAIMS), "verify_exp": False})
    except jwt.PyJWTError as error:
        raise RuleViolation("quote_invalid", f"The quote token is not valid: {error}.") from error
    if claims["typ"] != TOKEN_TYPE:
        raise RuleViolation("quote_invalid", "The token is not a membership quote.")
    try:
        quote = QuotedRenewal(
            quote_id=str(claims["qid"]), member_id=str(claims["sub"]), sku=str(claims["sku"]),
            years=int(claims["years"]), price=int(claims["price"]),
            currency=str(claims["currency"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC))
    except (TypeError, ValueError) as error:
        raise RuleViolation("quote_invalid", "The quote token's claims are malformed.") from error
    if now >= quote.expires_at:
        raise RuleViolation("quote_expired", f"The quote {quote.quote_id} expired at "
                            f"{quote.expires_at.isoformat()}; fetch a new one.")
    return quote
