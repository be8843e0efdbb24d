"""The bonus decision for one recharge, pure: quote the offers live at the recharge, and
screen the recharge unless no offer gives it anything.

A recharge the wallet's risk rules flagged (`RechargeCompleted.risk_reasons`) is always
held for review, whatever the offers give (even nothing) and whatever the screen's own
score: the wallet's reasons (rule `wallet:<name>`) come first in the queue item, the
screen's after. Approving it releases a held principal too (`principal_held`).

A recharge no offer rewards still gets a decision: rejected with the reason
`no_offer_applies` (the screen is not run), so the wallet's bonus status leaves `pending`
for every recharge. A recharge of an unregistered card (`card_kind` "card": an id tiering
never enrolled) is rejected with `unregistered_card`, also unscreened, unless the merchant
turned `no_bonus_on_cards` off (if the wallet held its principal, it is held for review all
the same, with no bonus to grant); an event without `card_kind` (older) is a registered one.
Charging campaign budgets is the store's part (`store/bonus_decisions.py`), which quotes
again without a campaign whose budget ran out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.rewards.rules.fraud import FraudThresholds, Reason, RechargeHistory, Verdict, screen
from services.rewards.rules.offers import (
    BonusQuote,
    Program,
    RechargeFacts,
    member_segments,
    quote_bonus,
)
from shared.events.wallet import RechargeCompleted

NO_OFFER = Reason("no_offer_applies", "No live offer gives this recharge a bonus.")
UNREGISTERED_CARD = Reason("unregistered_card",
                           "An unregistered card earns no bonus; the member must enrol first.")
# the verdict's outcome -> the decision's status (bonus_decisions.status)
STATUS = {"approve": "granted", "hold": "held", "reject": "rejected"}


@dataclass(frozen=True)
class MemberPast:
    """The member's recharges before this one, in its currency (all time)."""

    prior_count: int
    prior_total: int
    last_recharge_at: datetime | None
    refunded_principal: int = 0  # paid back by recharge refunds so far
    last_active_at: datetime | None = None  # latest purchase, recharge or redemption before

    def last_activity(self) -> datetime | None:
        """What "dormant" measures from: activity of any kind, not recharges alone."""
        known = [at for at in (self.last_recharge_at, self.last_active_at) if at is not None]
        return max(known, default=None)


def net_lifetime(event: RechargeCompleted, past: MemberPast) -> int:
    """What the member has recharged in this currency, this recharge included, net of the
    principal refunds paid back: the figure that unlocks the cumulative rebate and the
    high_value segment. The wallet's `lifetime_recharged` is gross (its published meaning),
    so recharge, refund, recharge would otherwise unlock them for good."""
    return max(event.amount, event.lifetime_recharged - past.refunded_principal)


@dataclass(frozen=True)
class RechargeContext:
    """The member's past as of a recharge: segments, tier and the screen's history (counts
    in a window include the recharge itself)."""

    past: MemberPast
    tier: str | None
    member_recent: int
    terminal_recent: int
    members_on_reference: int
    refunds_after_bonus: int
    recent_amounts: tuple[int, ...]
    segment_ids: frozenset[str] = frozenset()  # the member's segments as data, now

    def screening(self, event: RechargeCompleted, rung_thresholds: tuple[int, ...]) -> RechargeHistory:
        return RechargeHistory(
            amount=event.amount, is_first_recharge=event.is_first_recharge,
            member_recent=self.member_recent, terminal_recent=self.terminal_recent,
            prior_count=self.past.prior_count, prior_total=self.past.prior_total,
            members_on_reference=self.members_on_reference,
            refunds_after_bonus=self.refunds_after_bonus, recent_amounts=self.recent_amounts,
            rung_thresholds=rung_thresholds,
        )


def recharge_facts(event: RechargeCompleted, context: RechargeContext, *, zone: ZoneInfo,
                   dormant_after_days: int, high_value_from: int) -> RechargeFacts:
    """What the offers look at: the amount, the member's tier, segments and local weekday.
    Lifetime figures are net of refunds; a first recharge stays the wallet's first one
    (a refunded first recharge does not make the next one first again)."""
    lifetime = net_lifetime(event, context.past)
    return RechargeFacts(
        amount=event.amount, is_first_recharge=event.is_first_recharge,
        lifetime_recharged=lifetime, at=event.occurred_at,
        local_weekday=event.occurred_at.astimezone(zone).weekday(), tier=context.tier,
        segment_ids=context.segment_ids,
        segments=member_segments(
            prior_recharges=context.past.prior_count,
            last_active_at=context.past.last_activity(),
            prior_lifetime=lifetime - event.amount, at=event.occurred_at,
            dormant_after_days=dormant_after_days, high_value_from=high_value_from),
    )


def quote_and_screen(event: RechargeCompleted, facts: RechargeFacts, program: Program,
                     context: RechargeContext, thresholds: FraudThresholds, *,
                     no_bonus_on_cards: bool = True) -> tuple[BonusQuote, Verdict]:
    """The bonus the offers give and the screen's verdict on it."""
    quote = quote_bonus(facts, program)
    if no_bonus_on_cards and event.card_kind == "card":
        if not event.risk_reasons:
            return quote, Verdict("reject", (UNREGISTERED_CARD,), 0)
        # Held by the wallet: a reviewer must still decide on the principal, and approving
        # it gives a card nothing.
        quote = BonusQuote(0)
    if quote.amount == 0 and not event.risk_reasons:
        return quote, Verdict("reject", (NO_OFFER,), 0)
    rungs = tuple(r.threshold for r in program.ladder.rungs) if program.ladder else ()
    verdict = screen(context.screening(event, rungs), thresholds)
    if event.risk_reasons:
        return quote, held_by_wallet(event, verdict, thresholds)
    return quote, verdict


def held_by_wallet(event: RechargeCompleted, screened: Verdict,
                   thresholds: FraudThresholds) -> Verdict:
    """The wallet's findings merged into the screen's verdict, which becomes a hold."""
    wallet = tuple(Reason(f"wallet:{r.rule}", f"{r.action}: {r.detail}")
                   for r in event.risk_reasons)
    return Verdict("hold", wallet + screened.reasons,
                   max(screened.risk_score, thresholds.hold_score))
