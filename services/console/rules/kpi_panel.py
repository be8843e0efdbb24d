"""The dashboard's KPI panel from rewards' `GET /v1/kpis` body (docs/kpis.md): the KPIs the
merchant watches, in a fixed order, each shown in its unit. Pure: the body in, rows out.
The definitions are words (`rules/insight_words.py`, key `kpi_def_<name>`), so the panel
shows what docs/kpis.md says a KPI counts, next to its figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.console.rules.amounts import format_amount
from services.console.rules.charts import Point

# the headline KPIs of a scheduled report, then the review turnaround: the brief's panel
PANEL = ("renewal_rate", "recharge_conversion", "arpu", "repeat_purchase_rate",
         "active_members", "paid_member_share", "referral_share", "bonus_cost", "breakage",
         "bonus_liability", "review_turnaround_median_seconds")
NOTHING = "—"  # a KPI whose denominator is 0 (or that cannot be cut by the filter)


@dataclass(frozen=True)
class KpiRow:
    name: str
    value: int | None  # in the KPI's unit, as the API answered it
    shown: str
    numerator: int | None
    denominator: int | None
    breakdown: tuple[tuple[str, str], ...] = ()  # (key, as shown): cohorts, tiers, moves


def shown_bps_exact(bps: int) -> str:
    """6666 bps → 66.66% (the API's rates are rounded down to a basis point)."""
    sign = "-" if bps < 0 else ""
    whole, rest = divmod(abs(bps), 100)
    return f"{sign}{whole}.{rest:02d}%"


def shown_seconds(seconds: int) -> str:
    """A duration as staff read it: 59s, 12m 5s, 3h 20m."""
    if seconds < 60:
        return f"{seconds}s"
    minutes, second = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {second}s"
    hours, minute = divmod(minutes, 60)
    return f"{hours}h {minute}m"


def shown_kpi(name: str, unit: str, value: int | None, currency: str) -> str:
    if value is None:
        return NOTHING
    if unit == "bps":
        return shown_bps_exact(value)
    if unit == "minor_units":
        return format_amount(value, currency)
    if name.endswith("_seconds"):
        return shown_seconds(value)
    return f"{value:,}"


def kpi_rows(body: Mapping[str, Any], currency: str) -> list[KpiRow]:
    """The panel's KPIs in PANEL's order; one the API did not answer is left out."""
    by_name = {kpi["name"]: kpi for kpi in body.get("kpis", [])}
    return [KpiRow(name, kpi["value"], shown_kpi(name, kpi["unit"], kpi["value"], currency),
                   kpi.get("numerator"), kpi.get("denominator"))
            for name in PANEL if (kpi := by_name.get(name)) is not None]


def renewal_cohorts(body: Mapping[str, Any]) -> list[Point]:
    """The renewal rate per cohort month (the `renewal_rate` KPI's breakdown), in bps; a
    month with no term due is 0 and says so (0/0)."""
    kpi = next((k for k in body.get("kpis", []) if k["name"] == "renewal_rate"), None)
    return [Point(entry["key"], entry["value"] or 0,
                  f"{shown_bps_exact(entry['value'] or 0)} "
                  f"({entry.get('numerator') or 0}/{entry.get('denominator') or 0})")
            for entry in (kpi or {}).get("breakdown", [])]


@dataclass(frozen=True)
class CampaignBudget:
    offer_id: str
    name: str
    cost: int | None  # charged to its budget since it began (None: no budget keeps it)
    budget: int | None  # None: the campaign has no budget
    used_bps: int | None  # cost ÷ budget, rounded down


def campaign_budgets(live_offers: Sequence[Mapping[str, Any]]) -> list[CampaignBudget]:
    """Each live campaign's cost against its budget, from rewards' `GET /v1/offers/live`
    items (`budget.total`, `budget.spent`: the spend the budget's conditional update keeps,
    so it is what the campaign has cost since it began). The period's cost of every
    campaign, budgeted or not, is the program report's (the campaign results table)."""
    rows = []
    for offer in live_offers:
        if offer.get("kind") != "campaign":
            continue
        budget = offer.get("budget") or {}
        total = budget.get("total")
        spent = int(budget["spent"]) if total is not None else None
        used = spent * 10_000 // total if total and spent is not None else None
        rows.append(CampaignBudget(offer["offer_id"], offer.get("name") or offer["offer_id"],
                                   spent, total, used))
    return rows
