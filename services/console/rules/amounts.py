"""Amounts as the merchant reads them: integer minor units shown in the currency's format,
e.g. 123450 CNY → ¥1,234.50 (no floats: the digits are cut from the integer)."""

from __future__ import annotations

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}


def format_amount(minor: int, currency: str) -> str:
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    symbol = SYMBOLS.get(currency)
    number = f"{units:,}.{cents:02d}"
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"
