"""Rewards on spend, pure: cash-back on a purchase, spend-and-save thresholds, first-N
gifts. Amounts are integer minor units, rates basis points, every fraction rounds down.

What a purchase is worth to these offers is what the member paid with their own money:
`total - paid_bonus` (bonus money earns nothing, as with points).

- cash-back: `bps` of that amount plus the highest `rungs` entry reached ("spend >= 200.00
  get 20.00"), at most `cap` per purchase, nothing under `min_spend`;
- spend-and-save: each `(spend, reward)` threshold pays `reward` once, the first time the
  member's spend in the offer's window, net of refunds, reaches `spend`;
- first-N gift: the first `n` members with a qualifying purchase (at least `min_spend`)
  get `bonus` and/or a coupon of `coupon_template`; exactly n (the store's counter).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.rewards.rules.targeting import Audience

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class CashbackOffer:
    offer_id: str
    audience: Audience
    bps: int = 0
    rungs: tuple[tuple[int, int], ...] = ()  # (threshold, amount), thresholds rising
    cap: int | None = None
    min_spend: int = 0


@dataclass(frozen=True)
class SpendAndSaveOffer:
    offer_id: str
    audience: Audience
    thresholds: tuple[tuple[int, int], ...]  # (cumulative spend, reward), rising


@dataclass(frozen=True)
class FirstNGift:
    offer_id: str
    audience: Audience
    n: int
    bonus: int = 0
    coupon_template: str | None = None
    min_spend: int = 0


def qualifying_amount(total: int, paid_bonus: int) -> int:
    """What the member paid with their own money (bonus money earns nothing)."""
    return max(0, total - paid_bonus)


def cashback_for(offer: CashbackOffer, amount: int) -> int:
    """The cash-back one purchase of `amount` (qualifying) earns under `offer`."""
    if amount <= 0 or amount < offer.min_spend:
        return 0
    reached = [bonus for threshold, bonus in offer.rungs if amount >= threshold]
    earned = amount * offer.bps // BASIS_POINTS + (max(reached) if reached else 0)
    return earned if offer.cap is None else min(earned, offer.cap)


def thresholds_reached(offer: SpendAndSaveOffer, spent: int,
                       paid: Iterable[int]) -> list[tuple[int, int]]:
    """The (threshold, reward) pairs a net spend of `spent` reaches that were never paid."""
    done = set(paid)
    return [(threshold, reward) for threshold, reward in offer.thresholds
            if spent >= threshold and threshold not in done]


def refunded_share(counted: int, total: int, refunded_before: int, refunded_now: int) -> int:
    """How much of a purchase's counted spend a refund takes back: the counted amount in
    proportion to the cumulative refund, less what earlier refunds took."""
    if total <= 0:
        return 0
    after = counted * min(total, refunded_before + refunded_now) // total
    return after - counted * min(total, refunded_before) // total


def gift_qualifies(gift: FirstNGift, amount: int) -> bool:
    return amount > 0 and amount >= gift.min_spend
