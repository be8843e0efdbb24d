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


def report_kpis(body: Mapping[str, Any]) -> list[KpiRow]:
    """Every KPI of the report in the order rewards stored them."""
    currency = body.get("currency", "CNY")
    return [KpiRow(kpi["name"], kpi["value"],
                   shown_kpi(kpi["name"], kpi["unit"], kpi["value"], currency),
                   kpi.get("numerator"), kpi.get("denominator"))
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
    """(figure, value, as shown) of the risk report."""
    currency = body.get("currency", "CNY")
    return [(name, value, shown_risk(name, value, currency))
            for name, value in (body.get("risk") or {}).items()]
