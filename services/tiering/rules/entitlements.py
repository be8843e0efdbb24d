"""Entitlements as plain values: the benefit definitions ops manage (versioned), what a
tier or a membership term grants, and for which period.

A benefit has a code, a name in Chinese and English, a quota and a period:

- `tier_year`: granted to a member in one of `tiers`, per calendar year in the merchant's
  zone (gold: 3 free services a year). Reaching the tier grants the current year; a member
  still in the tier when a new year starts gets it at their first redemption that year.
- `term`: granted with a paid membership term, `quota` per year of the term (a 2-year term
  gets twice), for the term's span; `tiers` empty means any member buying a term.

A quota of 0 is a flag benefit (priority support): it is shown, never redeemed.
No framework imports; values in, values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from shared.rule_violations import RuleViolation

Period = Literal["tier_year", "term"]


@dataclass(frozen=True)
class Benefit:
    code: str
    name_zh: str
    name_en: str
    quota: int
    period: Period
    tiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Definitions:
    benefits: tuple[Benefit, ...]
    version: int = 0

    def for_tier(self, tier: str) -> tuple[Benefit, ...]:
        return tuple(b for b in self.benefits if b.period == "tier_year" and tier in b.tiers)

    def for_term(self, tier: str | None) -> tuple[Benefit, ...]:
        """A term's benefits for a member in `tier` (none: a buyer not enrolled yet, who
        gets only the benefits of any tier)."""
        return tuple(b for b in self.benefits
                     if b.period == "term" and (not b.tiers or tier in b.tiers))

    def benefit(self, code: str) -> Benefit | None:
        return next((b for b in self.benefits if b.code == code), None)


# Version 0, in force until ops publish definitions: the merchant plans' usual benefits.
DEFAULT_DEFINITIONS = Definitions((
    Benefit("free_service", "免费服务", "Free service", 3, "tier_year", ("gold", "diamond")),
    Benefit("quarterly_perk", "季度礼遇", "Quarterly perk", 4, "term"),
    Benefit("priority_support", "优先服务", "Priority support", 0, "tier_year", ("diamond",)),
))


@dataclass(frozen=True)
class Grant:
    """One entitlement to record: a benefit for a period."""

    code: str
    quota: int
    period_start: datetime
    period_end: datetime


def check_definitions(benefits: tuple[Benefit, ...], tiers: tuple[str, ...]) -> Definitions:
    """Definitions ops may publish; a nonsense one is a 422 with the code saying why."""
    codes = [b.code for b in benefits]
    if len(set(codes)) != len(codes):
        raise RuleViolation("duplicate_benefit_code", "Each benefit code may appear once.")
    for benefit in benefits:
        if benefit.period == "tier_year" and not benefit.tiers:
            raise RuleViolation("benefit_without_tiers",
                                f"{benefit.code}: a tier_year benefit names the tiers that grant it.")
        unknown = sorted(set(benefit.tiers) - set(tiers))
        if unknown:
            raise RuleViolation("unknown_tier", f"{benefit.code}: no tier {', '.join(unknown)} "
                                "in the tier rules in force.")
    return Definitions(benefits)


def calendar_year(now: datetime, zone: str) -> tuple[datetime, datetime]:
    """The merchant's calendar year around `now`, as UTC instants [start, end)."""
    local = ZoneInfo(zone)
    year = now.astimezone(local).year
    return (datetime(year, 1, 1, tzinfo=local).astimezone(UTC),
            datetime(year + 1, 1, 1, tzinfo=local).astimezone(UTC))


def tier_grants(definitions: Definitions, tier: str, now: datetime, zone: str) -> list[Grant]:
    start, end = calendar_year(now, zone)
    return [Grant(b.code, b.quota, start, end) for b in definitions.for_tier(tier)]


def term_grants(definitions: Definitions, tier: str | None, term_start: datetime, term_end: datetime,
                years: int) -> list[Grant]:
    return [Grant(b.code, b.quota * years, term_start, term_end)
            for b in definitions.for_term(tier)]


def check_redeemable(benefit_quota: int, code: str) -> None:
    if benefit_quota == 0:
        raise RuleViolation("entitlement_not_redeemable",
                            f"{code} is a standing benefit (no quota): nothing to redeem.")
