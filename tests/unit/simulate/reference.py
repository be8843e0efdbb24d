"""The figures of a simulation computed another way, for the tests to compare with: one
member at a time, through all their months, with plain lists for lots and the services'
rules called directly. It shares no loop, state or array code with patronage/simulate/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from patronage.simulate.population import Population
from patronage.simulate.program import SimulatedProgram
from services.rewards.rules.offers import RechargeFacts, member_segments, quote_bonus
from services.tiering.rules.memberships import status
from services.tiering.rules.quotes import quote
from services.tiering.rules.segments import segment
from services.tiering.rules.tiers import Standing, qualified_tier, review, review_due_at, upgrade
from services.wallet.rules.lots import split_by_policy
from services.wallet.rules.recharges import check_caps
from shared.dates import months_later
from shared.money import Money
from shared.rule_violations import RuleViolation


@dataclass
class Figures:
    bonus_cost: int = 0
    breakage: int = 0
    principal: int = 0
    bonus: int = 0
    renewal_revenue: int = 0
    first_recharge_amounts: tuple[int, ...] = ()


def replay(population: Population, program: SimulatedProgram, start: datetime) -> Figures:
    figures = Figures()
    firsts: list[int] = []
    for member in range(population.size):
        _member(population, program, start, member, figures, firsts)
    figures.first_recharge_amounts = tuple(firsts)
    return figures


def _member(population: Population, program: SimulatedProgram, start: datetime, member: int,
            figures: Figures, firsts: list[int]) -> None:
    rules, history, day = program.tier_rules, population.history, int(population.day[member])
    recharges = [int(a) for a in population.recharges[member]]
    spend = [int(a) for a in population.spend[member]]

    def at(month: int) -> datetime:
        return months_later(start, month) + timedelta(days=day - 1, hours=12)

    lifetime = sum(recharges[:history])
    count = sum(1 for a in recharges[:history] if a)
    active = [m - history for m in range(history) if recharges[m] or spend[m]]
    last_active = active[-1] if active else None
    tier = qualified_tier(rules, Standing(sum(spend[max(0, history - 12):history]), lifetime))[0].name
    anniversary = int(population.anniversary_month[member])
    reviews = set()
    for year in range(0, population.months // 12 + 2):
        due = review_due_at(at(anniversary + 12 * year), program.tier_review_grace_days)
        reviews.add((due.year - start.year) * 12 + due.month - start.month)
    lots: list[list[int]] = []  # [credit month, remaining], oldest first
    principal = 0
    term_end, first_renewal = int(population.term_end_month[member]), bool(population.first_renewal[member])
    expiry = program.bonus_expiry_months
    for month in range(population.months):
        column = history + month
        if expiry is not None:
            for lot in [lot for lot in lots if lot[0] + expiry == month]:
                figures.breakage += lot[1]
                lots.remove(lot)
        amount = recharges[column]
        if amount:
            try:
                check_caps(Money(amount, "CNY"), "registered",
                           principal + sum(lot[1] for lot in lots), program.limits)
            except RuleViolation:
                amount = 0
        if amount:
            moment = at(month)
            segments = member_segments(
                prior_recharges=count, prior_lifetime=lifetime, at=moment,
                last_active_at=None if last_active is None else at(last_active),
                dormant_after_days=program.segments.dormant_after_days,
                high_value_from=program.segments.high_value_from)
            weekday = moment.astimezone(ZoneInfo(program.segments.time_zone)).weekday()
            bonus = quote_bonus(RechargeFacts(amount, count == 0, lifetime + amount, moment,
                                              weekday, tier, segments), program.offers).amount
            if count == 0:
                firsts.append(amount)
            figures.bonus_cost += bonus
            principal += amount
            lifetime += amount
            count += 1
            if bonus:
                lots.append([month, bonus])
        wanted = int(population.stored_value_spend[member, month])
        bonus_left = sum(lot[1] for lot in lots)
        paying = min(wanted, principal + bonus_left)
        if paying > 0:
            from_principal, from_bonus = split_by_policy(paying, principal, bonus_left,
                                                         program.draw_policy)
            principal -= from_principal
            for lot in lots:
                taken = min(lot[1], from_bonus)
                lot[1] -= taken
                from_bonus -= taken
            lots = [lot for lot in lots if lot[1]]
        if spend[column] or recharges[column]:
            last_active = month
        spend_12m = sum(spend[column - 11:column + 1])
        moved = upgrade(rules, tier, Standing(spend_12m, lifetime))
        tier = moved.to_tier if moved else tier
        if month in reviews:
            moved = review(rules, tier, Standing(spend_12m, lifetime))
            tier = moved.to_tier if moved else tier
        if (month == term_end and month < population.churn_month[member]
                and population.renews[member, month]):
            end = at(month)
            now = end - timedelta(days=7)
            years = int(population.renewal_years[member])
            renewal = program.renewal
            figures.renewal_revenue += quote(
                renewal.prices, years, segment(spend_12m, renewal.bounds),
                status(end, now, timedelta(days=renewal.expiring_within_days),
                       timedelta(days=renewal.grace_days)),
                end, now, first_renewal=first_renewal).price
            first_renewal = False
            term_end = month + 12 * years
    figures.principal += principal
    figures.bonus += sum(lot[1] for lot in lots)
