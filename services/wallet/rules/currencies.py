"""Which currencies the merchant's wallets hold (`PATRONAGE_WALLET_CURRENCIES`)."""

from __future__ import annotations

from collections.abc import Collection

from shared.rule_violations import RuleViolation


def check_currency(currencies: Collection[str], currency: str) -> None:
    if currency not in currencies:
        raise RuleViolation("unsupported_currency",
                            f"This merchant's wallets do not hold {currency}.")
