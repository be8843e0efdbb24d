"""Coupon rules: the discount a coupon gives on a basket, or the stable reason it does not.

Kinds (as in `CouponIssued`): amount_off (value off, optionally from a min_spend),
percent_off (value in basis points), threshold (spend min_spend, save value) and
no_threshold (value off anything). A discount never exceeds the basket.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from shared.rule_violations import NotFound, RuleViolation

KINDS = ("amount_off", "percent_off", "threshold", "no_threshold")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I at the till


class CouponRefused(RuleViolation):
    """422: `code` is the problem code the POS switches on."""


class CouponNotFound(NotFound):
    """404 `coupon_not_found`: no such code, or not this member's (the same answer, so a
    code cannot be probed for its owner)."""

    def __init__(self, code: str) -> None:
        super().__init__("coupon_not_found", f"No coupon {code} for this member.")


@dataclass(frozen=True)
class CouponTerms:
    kind: str
    value: int
    currency: str | None
    min_spend: int | None
    valid_from: datetime
    valid_until: datetime


def check_terms(kind: str, value: int, currency: str | None, min_spend: int | None) -> None:
    """Raise CouponRefused('invalid_coupon_template') for terms CouponIssued would refuse."""
    problems = []
    if kind not in KINDS:
        problems.append(f"kind must be one of {', '.join(KINDS)}")
    if value <= 0 or (kind == "percent_off" and value > 10_000):
        problems.append("value must be positive (percent_off: basis points up to 10000)")
    if kind == "threshold" and not min_spend:
        problems.append("a threshold coupon needs a min_spend")
    if kind == "no_threshold" and min_spend:
        problems.append("a no_threshold coupon has no min_spend")
    if (kind != "percent_off" or min_spend) and currency is None:
        problems.append("currency is required when value or min_spend is money")
    if problems:
        raise CouponRefused("invalid_coupon_template", "; ".join(problems))


def discount(terms: CouponTerms, basket_total: int, currency: str, now: datetime,
             redeemed: bool) -> int:
    if redeemed:
        raise CouponRefused("coupon_already_redeemed", "This coupon has already been used.")
    if now < terms.valid_from:
        raise CouponRefused("coupon_not_yet_valid", f"Valid from {terms.valid_from.isoformat()}.")
    if now >= terms.valid_until:
        raise CouponRefused("coupon_expired", f"Expired at {terms.valid_until.isoformat()}.")
    if terms.currency is not None and terms.currency != currency:
        raise CouponRefused("coupon_not_applicable", f"This coupon is for {terms.currency}.")
    if terms.min_spend and basket_total < terms.min_spend:
        raise CouponRefused("coupon_not_applicable",
                            f"Needs a basket of at least {terms.min_spend}.")
    if terms.kind == "percent_off":
        return basket_total * terms.value // 10_000
    return min(terms.value, basket_total)


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
