"""What a recharge may be: the prepaid-card limits, and the refusals of a recharge.

The checks that need no wallet state run before the hot path's one database round trip
(`check_recharge_request`). The stored-value limit needs the balance before the recharge,
which only the database has inside that trip, so the stored function
(store/sql/wallet_recharge.sql) applies it too; `check_stored_value` is the rule it must
agree with (tests/integration/wallet/test_recharge_function.py drives both across the
boundary).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.money import Money
from shared.rule_violations import Conflict, RuleViolation

BALANCE_LIMIT_EXCEEDED = "balance_limit_exceeded"


@dataclass(frozen=True)
class StoredValueLimits:
    """Prepaid-card limits. China's single-purpose prepaid-card rules cap a registered
    card's stored value at 5,000 yuan, hence the defaults (in fen)."""

    currencies: frozenset[str]
    max_recharge: int = 500_000
    max_balance: int = 500_000


class BalanceLimitExceeded(RuleViolation):
    def __init__(self, limits: StoredValueLimits, currency: str) -> None:
        super().__init__(BALANCE_LIMIT_EXCEEDED,
                         f"Stored value may not exceed {Money(limits.max_balance, currency)}.")


class PosReferenceReused(Conflict):
    def __init__(self, reference: str) -> None:
        super().__init__("pos_reference_reused",
                         f"pos_reference {reference} was already used by another recharge.")


def check_recharge_request(amount: Money, limits: StoredValueLimits) -> None:
    """The checks that need no wallet state (the hot path does them before its one trip)."""
    if amount.currency not in limits.currencies:
        raise RuleViolation(
            "unsupported_currency", f"This merchant does not take {amount.currency} recharges.")
    if amount.amount <= 0:
        raise RuleViolation("amount_not_positive", "A recharge amount must be positive.")
    if amount.amount > limits.max_recharge:
        raise RuleViolation(
            "recharge_above_limit",
            f"A single recharge may be at most {Money(limits.max_recharge, amount.currency)}.")


def check_stored_value(amount: Money, stored_before: int, limits: StoredValueLimits) -> None:
    """Stored value (principal + bonus) after the recharge may not exceed the maximum."""
    if stored_before + amount.amount > limits.max_balance:
        raise BalanceLimitExceeded(limits, amount.currency)
