"""The simulation: a population through a program, month by month.

Each month, for each member on their day of the month, in this order: their bonus lots due
expire (breakage); their recharge is checked against the wallet's caps (`check_caps`) and
its bonus quoted by rewards' `quote_bonus` (with rewards' `member_segments` for campaigns
on new, dormant and high-value members); their purchases are paid from stored value as far
as they wish and it reaches (the wallet's `plan_draws`); tiering's `upgrade` runs on the
month's standing, its `review` at the anniversary plus grace; a paid term ending that month
is renewed, if they would, at tiering's `quote` (segment by rolling spend; renewing a week
before the end). A member who churned does nothing more, but their stored value stays
(liability) and their bonus still expires (breakage).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from patronage.simulate.population import Population
from patronage.simulate.program import CURRENCY, SimulatedProgram
from patronage.simulate.stored_value import StoredValue
from patronage.simulate.tier_states import TierStates
from services.rewards.rules.offers import Program, RechargeFacts, member_segments, quote_bonus
from services.tiering.rules.memberships import status
from services.tiering.rules.quotes import quote
from services.tiering.rules.segments import segment
from services.tiering.rules.tiers import review_due_at
from services.wallet.rules.recharges import check_caps
from shared.dates import months_later
from shared.money import Money
from shared.rule_violations import RuleViolation

RENEWS_DAYS_BEFORE_END = 7
TIER_MULTIPLIER = "tier_multiplier"


@dataclass
class Outcome:
    program: str
    start: datetime
    members: int
    bonus_cost: list[int] = field(default_factory=list)  # per month
    recharge_volume: list[int] = field(default_factory=list)
    breakage: list[int] = field(default_factory=list)
    renewal_revenue: list[int] = field(default_factory=list)
    principal_outstanding: list[int] = field(default_factory=list)  # at each month's end
    bonus_outstanding: list[int] = field(default_factory=list)
    bonus_by_offer: Counter[str] = field(default_factory=Counter)
    recharges: int = 0
    recharges_refused: int = 0  # above the wallet's caps
    renewals: int = 0
    paid_from_bonus: int = 0
    tier_moves: dict[str, int] = field(default_factory=dict)
    tiers_at_end: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0  # wall clock
    cpu_seconds: float = 0.0  # this process's CPU: what a shared machine's load does not inflate

    def liability(self) -> list[int]:
        return [p + b for p, b in zip(self.principal_outstanding, self.bonus_outstanding,
                                      strict=True)]


class Simulation:
    def __init__(self, program: SimulatedProgram, population: Population, start: datetime) -> None:
        self.program, self.population, self.start = program, population, start
        months = population.months
        expiry = program.bonus_expiry_months or 0
        self.month_starts = [months_later(start, k) for k in range(months + expiry + 1)]
        self.zone = ZoneInfo(program.segments.time_zone)
        self.days = population.day.tolist()
        self._moments: dict[tuple[int, int], datetime] = {}  # (month, day) -> moment
        self.wallet = StoredValue(population.size, months, program.bonus_expiry_months,
                                  self.month_starts)
        past = population.recharges[:, :population.history]
        self.lifetime = past.sum(axis=1)
        self.recharge_count = (past > 0).sum(axis=1)
        self.last_active = self._last_active_before(population)
        self.tiers = TierStates(program.tier_rules, population.spend, population.history,
                                self.lifetime)
        self.term_end = population.term_end_month.copy()
        self.first_renewal = population.first_renewal.copy()
        self.review_month = self._first_reviews(population)
        self.budgets = {c.offer_id: c.budget_remaining for c in program.offers.campaigns}
        self.uses: dict[str, Counter[int]] = {c.offer_id: Counter()
                                              for c in program.offers.campaigns}

    def moment(self, month: int, member: int) -> datetime:
        """A member's day in a month (any month, the past included), at noon."""
        key = (month, self.days[member])
        if (found := self._moments.get(key)) is None:
            start = self.month_starts[month] if month >= 0 else months_later(self.start, month)
            found = self._moments[key] = start + timedelta(days=key[1] - 1, hours=12)
        return found

    def run(self, progress: Callable[[str], None] | None = None) -> Outcome:
        began, cpu = time.monotonic(), time.process_time()
        outcome = Outcome(self.program.name, self.start, self.population.size)
        for month in range(self.population.months):
            self._month(month, outcome)
            if progress:
                progress(f"simulate {self.program.name}: month {month + 1}/"
                         f"{self.population.months}, {time.monotonic() - began:.1f}s")
        outcome.tier_moves = dict(self.tiers.moves)
        outcome.tiers_at_end = self.tiers.counts()
        outcome.seconds = time.monotonic() - began
        outcome.cpu_seconds = time.process_time() - cpu
        if progress:
            progress(f"simulate {self.program.name}: {self.population.size:,} members done in "
                     f"{outcome.seconds:.1f}s ({outcome.cpu_seconds:.1f}s CPU)")
        return outcome

    def _month(self, month: int, outcome: Outcome) -> None:
        column = self.population.history + month
        outcome.breakage.append(self.wallet.expire(month))
        cost, volume = self._recharges(month, column, outcome)
        outcome.bonus_cost.append(cost)
        outcome.recharge_volume.append(volume)
        self._purchases(month, outcome)
        active = (self.population.spend[:, column] > 0) | (self.population.recharges[:, column] > 0)
        self.last_active[active] = month
        self.tiers.upgrades(month, self.lifetime)
        due = np.flatnonzero(self.review_month == month)
        self.tiers.reviews(month, due, self.lifetime)
        self.review_month[due] += 12
        outcome.renewal_revenue.append(self._renewals(month, column, outcome))
        principal, bonus = self.wallet.liability()
        outcome.principal_outstanding.append(principal)
        outcome.bonus_outstanding.append(bonus)

    def _recharges(self, month: int, column: int, outcome: Outcome) -> tuple[int, int]:
        amounts = self.population.recharges[:, column]
        segments = self.program.segments
        cost = volume = 0
        for member in np.flatnonzero(amounts):
            amount = int(amounts[member])
            try:
                check_caps(Money(amount, CURRENCY), "registered", self.wallet.stored(member),
                           self.program.limits)
            except RuleViolation:
                outcome.recharges_refused += 1
                continue
            at = self.moment(month, member)
            prior_count, prior_lifetime = int(self.recharge_count[member]), int(self.lifetime[member])
            last = int(self.last_active[member])
            facts = RechargeFacts(
                amount=amount, is_first_recharge=prior_count == 0,
                lifetime_recharged=prior_lifetime + amount, at=at,
                local_weekday=at.astimezone(self.zone).weekday(),
                tier=self.tiers.name_of(member),
                segments=member_segments(
                    prior_recharges=prior_count,
                    last_active_at=None if last == NEVER_ACTIVE else self.moment(last, member),
                    prior_lifetime=prior_lifetime, at=at,
                    dormant_after_days=segments.dormant_after_days,
                    high_value_from=segments.high_value_from))
            bonus = quote_bonus(facts, self._offers_for(member))
            self._charge_campaigns(member, bonus.campaign_costs)
            for rule in bonus.rules:
                outcome.bonus_by_offer[self._offer_name(rule.offer_id)] += rule.amount
            self.wallet.credit(member, month, amount, bonus.amount)
            self.recharge_count[member] += 1
            self.lifetime[member] += amount
            outcome.recharges += 1
            cost += bonus.amount
            volume += amount
        return cost, volume

    def _offer_name(self, offer_id: str) -> str:
        """The tier multiplier's rule is named after the tier program's version; one name
        for it lines two programs up."""
        tiers = self.program.offers.tiers
        return TIER_MULTIPLIER if tiers and offer_id == tiers.rule_id else offer_id

    def _offers_for(self, member: int) -> Program:
        """The offers as rewards would load them now: each campaign with its remaining
        budget, without one the member has used `max_per_member` times."""
        offers = self.program.offers
        if not offers.campaigns:
            return offers
        campaigns = tuple(
            replace(c, budget_remaining=self.budgets[c.offer_id]) for c in offers.campaigns
            if c.max_per_member is None or self.uses[c.offer_id][member] < c.max_per_member)
        return replace(offers, campaigns=campaigns)

    def _charge_campaigns(self, member: int, costs) -> None:
        for cost in costs:
            if self.budgets[cost.offer_id] is not None:
                self.budgets[cost.offer_id] -= cost.amount
            self.uses[cost.offer_id][member] += 1

    def _purchases(self, month: int, outcome: Outcome) -> None:
        wanted = self.population.stored_value_spend[:, month]
        payers = np.flatnonzero((wanted > 0) & (self.wallet.principal + self.wallet.bonus > 0))
        for member in payers:
            _, from_bonus = self.wallet.pay(member, month, int(wanted[member]),
                                            self.program.draw_policy, self.moment(month, member))
            outcome.paid_from_bonus += from_bonus

    def _renewals(self, month: int, column: int, outcome: Outcome) -> int:
        population, rules = self.population, self.program.renewal
        ending = np.flatnonzero((self.term_end == month) & (population.churn_month > month)
                                & population.renews[:, month])
        spend = self.tiers.spend_12m(column)
        revenue = 0
        for member in ending:
            end = self.moment(month, member)
            now = end - timedelta(days=RENEWS_DAYS_BEFORE_END)
            standing = status(end, now, timedelta(days=rules.expiring_within_days),
                              timedelta(days=rules.grace_days))
            years = int(population.renewal_years[member])
            price = quote(rules.prices, years, segment(int(spend[member]), rules.bounds),
                          standing, end, now, first_renewal=bool(self.first_renewal[member])).price
            revenue += price
            outcome.renewals += 1
            self.first_renewal[member] = False
            self.term_end[member] = month + 12 * years
        return revenue

    def _last_active_before(self, population: Population) -> np.ndarray:
        """The last history month (negative: months before the start) with any activity."""
        past = (population.spend[:, :population.history] > 0) | (
            population.recharges[:, :population.history] > 0)
        last = np.full(population.size, NEVER_ACTIVE, dtype=np.int64)
        for offset in range(population.history):
            last[past[:, offset]] = offset - population.history
        return last

    def _first_reviews(self, population: Population) -> np.ndarray:
        """The horizon month of each member's first tier review: their anniversary (on their
        day) plus tiering's grace, `review_due_at`."""
        grace = self.program.tier_review_grace_days
        due = np.empty(population.size, dtype=np.int64)
        for member in range(population.size):
            anniversary = self.moment(int(population.anniversary_month[member]), member)
            at = review_due_at(anniversary, grace)
            due[member] = (at.year - self.start.year) * 12 + at.month - self.start.month
        return due


NEVER_ACTIVE = np.iinfo(np.int64).min


def simulate(program: SimulatedProgram, population: Population, start: datetime,
             progress: Callable[[str], None] | None = None) -> Outcome:
    return Simulation(program, population, start).run(progress)
