"""What goes back on a refund.

Recharge refund, by the pro-rata rule Chinese courts apply to prepaid consumption: when a
member paid P and was given B, and has consumed C of the P + B, the refund is

    refund = P - C * P / (P + B)  =  P * (P + B - C) / (P + B)      (rounded down)

so bonus is never paid out as cash and a refund never exceeds the principal paid. It is
also capped by what is left of the recharge's lots (bonus that expired is not consumption,
but it is gone). Whatever remains of the recharge beyond the cash refund is clawed back.

Purchase refund: the stored-value share of a refund is cumulative — after refunds totalling
R of a purchase of T that took S from stored value, exactly floor(R * S / T) has gone back —
so a full refund returns every minor unit, and partial ones never overshoot. Within that
share, each lot gets back in proportion to what it paid and has not yet had back.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from services.wallet.rules.lots import BONUS, PRINCIPAL, Draw, allocate
from shared.rule_violations import Conflict, RuleViolation


class RechargeAlreadyRefunded(Conflict):
    def __init__(self) -> None:
        super().__init__("recharge_already_refunded", "This recharge was already refunded.")


@dataclass(frozen=True)
class RechargeRefund:
    cash: int  # paid back to the member
    principal_released: int  # taken off the principal lot
    bonus_released: int  # taken off the bonus lot
    clawed_back: int  # released beyond the cash: the bonus (and bonus-bought share) voided


def recharge_refund(principal_paid: int, bonus_granted: int, consumed: int,
                    principal_remaining: int, bonus_remaining: int) -> RechargeRefund:
    if not 0 <= consumed <= principal_paid + bonus_granted:
        raise ValueError("consumed must lie between 0 and principal + bonus")
    total = principal_paid + bonus_granted
    by_rule = principal_paid * (total - consumed) // total
    left = principal_remaining + bonus_remaining
    cash = min(by_rule, left)
    return RechargeRefund(cash, principal_remaining, bonus_remaining, left - cash)


@dataclass(frozen=True)
class PaidDraw:
    """A lot's part in a purchase: `amount` paid, `returned` so far, and whether money can
    still go back to it (a bonus lot voided by its recharge's refund cannot take any)."""

    lot_id: Hashable
    kind: str
    amount: int
    returned: int = 0
    accepts_returns: bool = True


@dataclass(frozen=True)
class PurchaseRefund:
    stored_value: int  # the stored-value share of this refund
    settled: tuple[Draw, ...]  # each lot's part of that share (returned, or forfeited)
    closed_lots: frozenset[Hashable]  # lots that cannot take money back

    @property
    def returns(self) -> tuple[Draw, ...]:
        """What actually goes back into which lot."""
        return tuple(d for d in self.settled if d.lot_id not in self.closed_lots)

    @property
    def forfeited(self) -> int:
        return self.stored_value - sum(d.amount for d in self.returns)

    @property
    def returned_principal(self) -> int:
        return sum(d.amount for d in self.returns if d.kind == PRINCIPAL)

    @property
    def returned_bonus(self) -> int:
        return sum(d.amount for d in self.returns if d.kind == BONUS)


def purchase_refund(total: int, refunded_before: int, stored_value_refunded_before: int,
                    amount: int, draws: Sequence[PaidDraw]) -> PurchaseRefund:
    if amount <= 0:
        raise RuleViolation("amount_not_positive", "A refund amount must be positive.")
    if refunded_before + amount > total:
        raise RuleViolation(
            "refund_exceeds_purchase",
            f"Only {total - refunded_before} of this purchase is left to refund.")
    paid_stored_value = sum(d.amount for d in draws)
    share = (refunded_before + amount) * paid_stored_value // total - stored_value_refunded_before
    parts = allocate(share, [d.amount - d.returned for d in draws])
    settled = tuple(Draw(d.lot_id, d.kind, part) for d, part in zip(draws, parts, strict=True) if part)
    closed = frozenset(d.lot_id for d in draws if not d.accepts_returns)
    return PurchaseRefund(share, settled, closed)
