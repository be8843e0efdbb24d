"""Amounts as the merchant reads them: integer minor units shown in the currency's format,
e.g. 123450 CNY → ¥1,234.50 (no floats: the digits are cut from the integer)."""

from __future__ import annotations

from shared.rule_violations import RuleViolation

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}


def format_amount(minor: int, currency: str) -> str:
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    symbol = SYMBOLS.get(currency)
    number = f"{units:,}.{cents:02d}"
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"


def parse_amount(typed: str) -> int:
    """What staff type ("12.50", "-3", "1,000") in minor units; a RuleViolation
    `invalid_amount` for anything else (never rounded, never clamped)."""
    text = typed.strip().replace(",", "")
    sign = -1 if text.startswith("-") else 1
    units, _, cents = text.lstrip("+-").partition(".")
    if not units.isdigit() or len(units) > 10 or (cents and (not cents.isdigit() or len(cents) > 2)):
        raise RuleViolation("invalid_amount", "An amount such as 12.50 or -3.")
    return sign * (int(units) * 100 + int(cents.ljust(2, "0") or 0))
