"""Which lots pay: the draw policies, and exact proportional allocation.

A wallet's stored value sits in lots (one per recharge, per credited bonus, per positive
adjustment). A payment from stored value is split between principal and bonus by the
configured policy, and within a kind drawn from the soonest-expiring lot first (lots that
never expire last, older before newer). Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.rule_violations import RuleViolation

PRINCIPAL, BONUS = "principal", "bonus"


class DrawPolicy(StrEnum):
    PROPORTIONAL = "proportional"  # principal and bonus in proportion to their balances
    PRINCIPAL_FIRST = "principal_first"
    BONUS_FIRST = "bonus_first"


class InsufficientBalance(RuleViolation):
    def __init__(self, wanted: int, available: int) -> None:
        super().__init__("insufficient_balance",
                         f"Stored value available is {available}, {wanted} was asked for.")


@dataclass(frozen=True)
class Lot:
    lot_id: Hashable
    kind: str
    remaining: int
    expires_at: datetime | None = None
    seq: int = 0

    def spendable_at(self, now: datetime) -> bool:
        return self.remaining > 0 and not self.is_due(now)

    def is_due(self, now: datetime) -> bool:
        """An expiring lot past its time: it may no longer pay, only expire."""
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class Draw:
    lot_id: Hashable
    kind: str
    amount: int


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` in proportion to `weights`, exactly (largest remainders get the odd
    units). With 0 <= amount <= sum(weights), no part exceeds its weight."""
    total = sum(weights)
    if amount == 0 or total == 0:
        if amount:
            raise ValueError("cannot allocate a non-zero amount over zero weights")
        return [0 for _ in weights]
    shares = [amount * w for w in weights]
    parts = [s // total for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(shares[i] % total), i))
    for index in by_remainder[: amount - sum(parts)]:
        parts[index] += 1
    return parts


def spending_order(lots: Iterable[Lot]) -> list[Lot]:
    return sorted(lots, key=lambda lot: (lot.expires_at is None, lot.expires_at or 0, lot.seq))


def split_by_policy(amount: int, principal: int, bonus: int, policy: DrawPolicy) -> tuple[int, int]:
    """(from principal, from bonus) for a payment of `amount` <= principal + bonus."""
    if policy is DrawPolicy.PRINCIPAL_FIRST:
        from_principal = min(amount, principal)
        return from_principal, amount - from_principal
    if policy is DrawPolicy.BONUS_FIRST:
        from_bonus = min(amount, bonus)
        return amount - from_bonus, from_bonus
    # floor on the bonus side: from_principal = amount - floor(amount*B/(P+B)) <= P
    # because amount <= P + B.
    from_bonus = amount * bonus // (principal + bonus) if amount else 0
    return amount - from_bonus, from_bonus


def draw_from(lots: Iterable[Lot], amount: int) -> list[Draw]:
    draws: list[Draw] = []
    for lot in spending_order(lots):
        if amount == 0:
            break
        take = min(amount, lot.remaining)
        draws.append(Draw(lot.lot_id, lot.kind, take))
        amount -= take
    if amount:
        raise AssertionError("draw_from was asked for more than the lots hold")
    return draws


def plan_draws(lots: Iterable[Lot], amount: int, policy: DrawPolicy, now: datetime) -> list[Draw]:
    """The draws that pay `amount` from the spendable lots, or InsufficientBalance."""
    spendable = [lot for lot in lots if lot.spendable_at(now)]
    principal = [lot for lot in spendable if lot.kind == PRINCIPAL]
    bonus = [lot for lot in spendable if lot.kind == BONUS]
    available_p, available_b = sum(x.remaining for x in principal), sum(x.remaining for x in bonus)
    if amount > available_p + available_b:
        raise InsufficientBalance(amount, available_p + available_b)
    from_principal, from_bonus = split_by_policy(amount, available_p, available_b, policy)
    return draw_from(principal, from_principal) + draw_from(bonus, from_bonus)


def due_lots(lots: Iterable[Lot], now: datetime) -> list[Lot]:
    """Bonus lots whose time has come, with something left to expire. Principal never
    expires (a lot of that kind never has an expiry)."""
    return [lot for lot in lots if lot.kind == BONUS and lot.remaining > 0 and lot.is_due(now)]


def take_from_kind(lots: Iterable[Lot], kind: str, amount: int, now: datetime) -> list[Draw]:
    """An operator's negative adjustment of one kind: soonest-expiring first."""
    candidates = [lot for lot in lots if lot.kind == kind and lot.spendable_at(now)]
    available = sum(lot.remaining for lot in candidates)
    if amount > available:
        raise InsufficientBalance(amount, available)
    return draw_from(candidates, amount)


def by_kind(draws: Iterable[Draw]) -> tuple[int, int]:
    """(principal, bonus) totals of some draws."""
    draws = list(draws)
    principal = sum(d.amount for d in draws if d.kind == PRINCIPAL)
    return principal, sum(d.amount for d in draws) - principal


def negated(draws: Iterable[Draw]) -> list[Draw]:
    return [Draw(d.lot_id, d.kind, -d.amount) for d in draws]
