"""A scheduled report's figures as the Reports page shows them (rewards'
`GET /v1/reports/scheduled/{id}` body, docs/kpis.md "Scheduled reports"): every KPI in its
unit and the risk report, amounts in the report's currency. Pure: the body in, rows out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.console.rules.amounts import format_amount
from services.console.rules.kpi_panel import NOTHING, KpiRow, shown_kpi, shown_seconds

# the risk report's money figures (the rest are counts or seconds)
RISK_AMOUNTS = {"held_recharge_amount", "approved_bonus", "rejected_recharge_amount"}
# the order docs/kpis.md lists them in (a stored body's keys come back in jsonb's order)
RISK_ORDER = ("held", "held_recharge_amount", "approved", "approved_bonus", "rejected",
              "rejected_recharge_amount", "turnaround_median_seconds",
              "turnaround_p90_seconds", "still_held")


def report_kpis(body: Mapping[str, Any]) -> list[KpiRow]:
    """Every KPI of the report in the order rewards stored them."""
    currency = body.get("currency", "CNY")
    return [KpiRow(kpi["name"], kpi["value"],
                   shown_kpi(kpi["name"], kpi["unit"], kpi["value"], currency),
                   kpi.get("numerator"), kpi.get("denominator"),
                   tuple((entry["key"], shown_kpi(kpi["name"], kpi["unit"], entry["value"],
                                                  currency))
                         for entry in kpi.get("breakdown", ())))
            for kpi in body.get("kpis", [])]


def shown_risk(name: str, value: int | None, currency: str) -> str:
    if value is None:
        return NOTHING
    if name in RISK_AMOUNTS:
        return format_amount(int(value), currency)
    if name.endswith("_seconds"):
        return shown_seconds(int(value))
    return f"{int(value):,}"


def risk_rows(body: Mapping[str, Any]) -> list[tuple[str, int | None, str]]:
    """(figure, value, as shown) of the risk report, in RISK_ORDER (then any other)."""
    currency, risk = body.get("currency", "CNY"), body.get("risk") or {}
    names = [n for n in RISK_ORDER if n in risk] + sorted(set(risk) - set(RISK_ORDER))
    return [(name, risk[name], shown_risk(name, risk[name], currency)) for name in names]
