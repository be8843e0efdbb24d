"""A wallet in memory, applying the same domain rules the service applies in PostgreSQL:
the model the property tests drive with random operation sequences, and the oracle the
database variant is compared with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.wallet.rules.entries import (
    Account,
    LedgerLine,
    adjustment_lines,
    bonus_credit_lines,
    expiry_lines,
    purchase_lines,
    purchase_refund_lines,
    recharge_lines,
    recharge_refund_lines,
)
from services.wallet.rules.lots import (
    BONUS,
    PRINCIPAL,
    DrawPolicy,
    Lot,
    due_lots,
    plan_draws,
    take_from_kind,
)
from services.wallet.rules.refunds import PaidDraw, purchase_refund, recharge_refund
from shared.dates import months_later
from shared.rule_violations import RuleViolation

MEMBER = "m_model"


@dataclass
class ModelLot:
    lot_id: int
    kind: str
    amount: int
    remaining: int
    recharge: int | None
    expires_at: datetime | None = None
    expired: int = 0
    voided: bool = False

    def view(self) -> Lot:
        return Lot(self.lot_id, self.kind, self.remaining, self.expires_at, self.lot_id)


@dataclass
class ModelPurchase:
    total: int
    draws: list[PaidDraw]
    refunded: int = 0
    refunded_stored_value: int = 0


@dataclass
class InMemoryWallet:
    policy: DrawPolicy
    now: datetime
    bonus_months: int | None = 12
    lots: list[ModelLot] = field(default_factory=list)
    entries: list[tuple[LedgerLine, ...]] = field(default_factory=list)
    recharges: list[dict] = field(default_factory=list)
    purchases: list[ModelPurchase] = field(default_factory=list)
    cash_refunds: list[tuple[int, int]] = field(default_factory=list)  # (principal paid, cash)

    def _post(self, lines: tuple[LedgerLine, ...]) -> None:
        if lines:
            self.entries.append(lines)

    def _lot(self, kind: str, amount: int, recharge: int | None,
             expires_at: datetime | None = None) -> ModelLot:
        lot = ModelLot(len(self.lots), kind, amount, amount, recharge, expires_at)
        self.lots.append(lot)
        return lot

    def recharge(self, amount: int) -> int:
        index = len(self.recharges)
        self.recharges.append({"principal": amount, "bonus": None, "refunded": False})
        self._lot(PRINCIPAL, amount, index)
        self._post(recharge_lines(MEMBER, amount))
        return index

    def credit_bonus(self, recharge: int, amount: int) -> bool:
        state = self.recharges[recharge]
        if state["bonus"] is not None or state["refunded"] or amount == 0:
            return False
        state["bonus"] = amount
        expires = months_later(self.now, self.bonus_months) if self.bonus_months else None
        self._lot(BONUS, amount, recharge, expires)
        self._post(bonus_credit_lines(MEMBER, amount))
        return True

    def purchase(self, stored_value: int, other: int) -> bool:
        """Due lots never pay; they expire in the purchase's transaction, so only when the
        purchase goes through."""
        try:
            draws = plan_draws([lot.view() for lot in self.lots], stored_value, self.policy, self.now)
        except RuleViolation:
            return False
        self.expire()
        for draw in draws:
            self.lots[draw.lot_id].remaining -= draw.amount
        paid = [PaidDraw(d.lot_id, d.kind, d.amount) for d in draws]
        self.purchases.append(ModelPurchase(stored_value + other, paid))
        principal = sum(d.amount for d in draws if d.kind == PRINCIPAL)
        self._post(purchase_lines(MEMBER, principal, stored_value - principal, other))
        return True

    def refund_purchase(self, index: int, amount: int) -> bool:
        purchase = self.purchases[index]
        draws = [PaidDraw(d.lot_id, d.kind, d.amount, d.returned,
                          not (d.kind == BONUS and self.lots[d.lot_id].voided))
                 for d in sorted(purchase.draws, key=lambda d: d.lot_id)]
        try:
            plan = purchase_refund(purchase.total, purchase.refunded,
                                   purchase.refunded_stored_value, amount, draws)
        except RuleViolation:
            return False
        settled = {d.lot_id: d.amount for d in plan.settled}
        for draw in plan.returns:
            self.lots[draw.lot_id].remaining += draw.amount
        purchase.draws = [PaidDraw(d.lot_id, d.kind, d.amount, d.returned + settled.get(d.lot_id, 0))
                          for d in purchase.draws]
        purchase.refunded += amount
        purchase.refunded_stored_value += plan.stored_value
        other = amount - plan.stored_value
        self._post(purchase_refund_lines(MEMBER, plan.returned_principal, plan.returned_bonus, other))
        return True

    def refund_recharge(self, index: int) -> bool:
        state = self.recharges[index]
        if state["refunded"]:
            return False
        mine = [lot for lot in self.lots if lot.recharge == index]
        consumed = sum(lot.amount - lot.remaining - lot.expired for lot in mine)
        principal_lot = next(lot for lot in mine if lot.kind == PRINCIPAL)
        bonus_lot = next((lot for lot in mine if lot.kind == BONUS), None)
        plan = recharge_refund(state["principal"], bonus_lot.amount if bonus_lot else 0, consumed,
                               principal_lot.remaining, bonus_lot.remaining if bonus_lot else 0)
        for lot in mine:
            lot.remaining, lot.voided = 0, True
        state["refunded"] = True
        self.cash_refunds.append((state["principal"], plan.cash))
        self._post(recharge_refund_lines(MEMBER, plan.principal_released, plan.bonus_released,
                                         plan.cash, plan.clawed_back))
        return True

    def expire(self) -> int:
        expired = 0
        for view in due_lots([lot.view() for lot in self.lots], self.now):
            lot = self.lots[view.lot_id]
            lot.expired += lot.remaining
            expired += lot.remaining
            self._post(expiry_lines(MEMBER, lot.remaining))
            lot.remaining = 0
        return expired

    def adjust(self, principal_delta: int, bonus_delta: int) -> bool:
        views = [lot.view() for lot in self.lots]
        try:
            takes = [d for kind, delta in ((PRINCIPAL, principal_delta), (BONUS, bonus_delta))
                     if delta < 0 for d in take_from_kind(views, kind, -delta, self.now)]
        except RuleViolation:
            return False
        for draw in takes:
            self.lots[draw.lot_id].remaining -= draw.amount
        for kind, delta in ((PRINCIPAL, principal_delta), (BONUS, bonus_delta)):
            if delta > 0:
                self._lot(kind, delta, None)
        self._post(adjustment_lines(MEMBER, principal_delta, bonus_delta))
        return True

    def balance(self, account: str) -> int:
        return -sum(line.amount for lines in self.entries for line in lines if line.account == account)

    def lots_hold(self, kind: str) -> int:
        return sum(lot.remaining for lot in self.lots if lot.kind == kind)

    def invariant_violations(self) -> list[str]:
        problems = [f"entry {n} does not balance" for n, lines in enumerate(self.entries)
                    if sum(line.amount for line in lines)]
        for kind, account in ((PRINCIPAL, Account.MEMBER_PRINCIPAL), (BONUS, Account.MEMBER_BONUS)):
            if self.balance(account) != self.lots_hold(kind):
                problems.append(f"{kind}: ledger {self.balance(account)} != lots {self.lots_hold(kind)}")
        problems += [f"lot {lot.lot_id} out of range" for lot in self.lots
                     if not 0 <= lot.remaining <= lot.amount]
        problems += [f"cash refund {cash} > principal {paid}" for paid, cash in self.cash_refunds
                     if cash > paid]
        return problems

