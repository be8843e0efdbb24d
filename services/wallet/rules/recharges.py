"""What a recharge may be: the prepaid-card limits by kind of card, and the refusals of a
recharge.

Two kinds of card (`CardKind`): a **registered** member (tiering enrolled them: the wallet
knows from `MemberEnrolled`) and an unregistered **card** (an id that never enrolled).
Prepaid-card rules commonly give anonymous cards lower caps, so each kind has its own
per-recharge and per-balance maximum (`StoredValueLimits.caps`).

The checks that need no wallet state run before the hot path's one database round trip
(`check_recharge_request`). The caps need the kind and the balance before the recharge,
which only the database has inside that trip, so the stored function
(store/sql/wallet_recharge.sql) applies them; `check_caps` is the rule it must agree with
(tests/integration/wallet/test_recharge_function.py drives both across the boundary, for
both kinds). Other paths that create value (e.g. a payment intent) call `check_caps` with
the kind and balance they read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.money import Money
from shared.rule_violations import Conflict, RuleViolation

CardKind = Literal["registered", "card"]
CARD_KINDS: tuple[CardKind, ...] = ("registered", "card")
BALANCE_LIMIT_EXCEEDED = "balance_limit_exceeded"
RECHARGE_ABOVE_LIMIT = "recharge_above_limit"
KIND_NAMES = {"registered": "a registered member", "card": "an unregistered card"}


@dataclass(frozen=True)
class Caps:
    """One kind's maximum per recharge and per balance (principal + bonus), minor units."""

    max_recharge: int
    max_balance: int


@dataclass(frozen=True)
class StoredValueLimits:
    """Prepaid-card limits. China's single-purpose prepaid-card rules cap a registered
    card's stored value at 5,000 yuan and an anonymous card's at 1,000, hence the defaults
    (in fen)."""

    currencies: frozenset[str]
    max_recharge: int = 500_000
    max_balance: int = 500_000
    card_max_recharge: int = 100_000
    card_max_balance: int = 100_000

    def caps(self, kind: CardKind) -> Caps:
        if kind == "registered":
            return Caps(self.max_recharge, self.max_balance)
        return Caps(self.card_max_recharge, self.card_max_balance)


class RechargeAboveLimit(RuleViolation):
    def __init__(self, limits: StoredValueLimits, kind: CardKind, currency: str) -> None:
        cap = Money(limits.caps(kind).max_recharge, currency)
        super().__init__(RECHARGE_ABOVE_LIMIT,
                         f"A single recharge of {KIND_NAMES[kind]} may be at most {cap} "
                         f"(the {kind} cap).")


class BalanceLimitExceeded(RuleViolation):
    def __init__(self, limits: StoredValueLimits, kind: CardKind, currency: str) -> None:
        cap = Money(limits.caps(kind).max_balance, currency)
        super().__init__(BALANCE_LIMIT_EXCEEDED,
                         f"The stored value of {KIND_NAMES[kind]} may not exceed {cap} "
                         f"(the {kind} cap).")


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


def check_caps(amount: Money, kind: CardKind, stored_before: int,
               limits: StoredValueLimits) -> None:
    """The kind's caps: the recharge itself, then the stored value (principal, held
    principal and bonus) after it."""
    caps = limits.caps(kind)
    if amount.amount > caps.max_recharge:
        raise RechargeAboveLimit(limits, kind, amount.currency)
    if stored_before + amount.amount > caps.max_balance:
        raise BalanceLimitExceeded(limits, kind, amount.currency)


@dataclass(frozen=True)
class LimitsInForce:
    """What a POS shows before it charges: the kind, its caps, the stored value and the
    most a recharge may add now."""

    card_kind: CardKind
    max_recharge: int
    max_balance: int
    balance: int
    room_left: int


def limits_in_force(kind: CardKind, stored: int, limits: StoredValueLimits) -> LimitsInForce:
    """`room_left` is the largest amount `check_caps` accepts now: under both caps, never
    negative (a bonus may be credited above the balance cap)."""
    caps = limits.caps(kind)
    room = max(0, min(caps.max_recharge, caps.max_balance - stored))
    return LimitsInForce(kind, caps.max_recharge, caps.max_balance, stored, room)
