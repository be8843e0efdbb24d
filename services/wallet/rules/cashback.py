"""Cash-back follows the bonus rules in refunds, pure: a refund of the purchase takes back
the cash-back in proportion to the cumulative refund (`granted x refunded / total`, less
what earlier refunds took), from what is left of the cash-back's own lot; what the member
already spent of it cannot be taken and is recorded as unrecovered (the merchant's cost,
as a recharge bonus spent before its recharge's refund is). Only `cashback` grants are per
purchase; a spend-and-save reward is taken back whole when rewards reverses it (a refund
brought the spend under its threshold), a first-N gift never."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clawback:
    taken: int  # out of the lot
    unrecovered: int  # due but already spent


def clawback_due(granted: int, purchase_total: int, refunded_total: int) -> int:
    """What a purchase refunded up to `refunded_total` owes back of `granted` in all."""
    if purchase_total <= 0:
        return 0
    return granted * min(refunded_total, purchase_total) // purchase_total


def clawback(granted: int, purchase_total: int, refunded_total: int, settled_before: int,
             lot_remaining: int) -> Clawback:
    """This refund's part: what is newly due, taken from the lot as far as it holds."""
    due = max(0, clawback_due(granted, purchase_total, refunded_total) - settled_before)
    taken = min(due, lot_remaining)
    return Clawback(taken, due - taken)


def reversal(granted: int, settled_before: int, lot_remaining: int) -> Clawback:
    """A grant taken back whole (rewards' CashbackReversed): what no refund has settled yet,
    from the lot as far as it holds."""
    return clawback(granted, 1, 1, settled_before, lot_remaining)
