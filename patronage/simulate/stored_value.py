"""Every member's stored value during a simulation: principal, and bonus lots by the month
they were credited, as arrays (members x months).

Paying draws through the wallet's own `plan_draws` (the draw policy, soonest-expiring bonus
first); a bonus lot expires `bonus_expiry_months` after its credit, as the wallet's sweep
expires it (`months_later`, due when its moment has come), and what it still holds then is
breakage.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from services.wallet.rules.lots import BONUS, PRINCIPAL, DrawPolicy, Lot, plan_draws


class StoredValue:
    def __init__(self, members: int, months: int, expiry_months: int | None,
                 month_starts: list[datetime]) -> None:
        self.principal = np.zeros(members, dtype=np.int64)
        self.bonus = np.zeros(members, dtype=np.int64)  # what bonus_lots holds, per member
        self.bonus_lots = np.zeros((members, months), dtype=np.int64)
        self.expiry_months = expiry_months
        # a lot credited in month k stops paying at the start of month k + expiry: its
        # sort key among lots and the moment `plan_draws` compares with
        self._expires = [None if expiry_months is None else month_starts[k + expiry_months]
                         for k in range(months)]

    def stored(self, member: int) -> int:
        return int(self.principal[member] + self.bonus[member])

    def credit(self, member: int, month: int, principal: int, bonus: int) -> None:
        self.principal[member] += principal
        self.bonus_lots[member, month] += bonus
        self.bonus[member] += bonus

    def expire(self, month: int) -> int:
        """Breakage: what the lots credited `expiry_months` before `month` still held; they
        expire at the start of `month` (each on its member's day, before anything they do)."""
        if self.expiry_months is None or month < self.expiry_months:
            return 0
        credited = month - self.expiry_months
        due = self.bonus_lots[:, credited].copy()
        self.bonus -= due
        self.bonus_lots[:, credited] = 0
        return int(due.sum())

    def pay(self, member: int, month: int, wanted: int, policy: DrawPolicy,
            now: datetime) -> tuple[int, int]:
        """Pay up to `wanted` from the member's stored value (the rest is paid another way):
        (from principal, from bonus)."""
        amount = min(wanted, self.stored(member))
        if amount <= 0:
            return 0, 0
        row = self.bonus_lots[member]
        lots = [Lot(PRINCIPAL, PRINCIPAL, int(self.principal[member]))]
        lots += [Lot(k, BONUS, left, self._expires[k], k)
                 for k, left in enumerate(row[:month + 1].tolist()) if left]
        from_principal = from_bonus = 0
        for draw in plan_draws(lots, amount, policy, now):
            if draw.kind == PRINCIPAL:
                from_principal += draw.amount
            else:
                row[draw.lot_id] -= draw.amount
                from_bonus += draw.amount
        self.principal[member] -= from_principal
        self.bonus[member] -= from_bonus
        return from_principal, from_bonus

    def liability(self) -> tuple[int, int]:
        """(principal, bonus) outstanding."""
        return int(self.principal.sum()), int(self.bonus.sum())
