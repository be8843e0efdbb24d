"""The dashboard's second half, read from rewards as the signed-in user: the KPI panel for
the days shown with the KPI API's store and segment filters (`GET /v1/kpis`), the renewal
rate by month of term end (that KPI's cohorts), every experiment that has started with its
report (`GET /v1/experiments`, `/v1/experiments/{id}/report`) and each live campaign's cost
against its budget (`GET /v1/offers/live`). All calls at once; a refusal is kept so the
page can name it, and a filter the KPI API refused is shown next to its field."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime

from services.console.platform_apis import Answer, PlatformApis
from services.console.rules.charts import BarChart, bar_chart
from services.console.rules.interval_chart import ArmRow, IntervalChart, arm_rows, lift_charts
from services.console.rules.kpi_panel import (
    CampaignBudget,
    KpiRow,
    campaign_budgets,
    kpi_rows,
    renewal_cohorts,
)
from services.console.store.users import OpsUser

EXPERIMENTS_SHOWN = 20  # the newest by id; the dashboard is a glance, not an archive


@dataclass(frozen=True)
class ExperimentResult:
    experiment_id: str
    name: str
    starts_at: str
    ends_at: str
    stopped: bool
    arms: list[ArmRow]
    charts: dict[str, IntervalChart]


@dataclass
class Insights:
    kpis: list[KpiRow] = field(default_factory=list)
    cohorts: BarChart | None = None
    experiments: list[ExperimentResult] = field(default_factory=list)
    budgets: list[CampaignBudget] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    filter_errors: dict[str, str] = field(default_factory=dict)  # store_id / segment_id


def problem_code(answer: Answer) -> str:
    return str(answer.problem.get("code") or answer.status)


def filter_errors(answer: Answer) -> dict[str, str]:
    """The KPI API's refusal of a filter, by the field it concerns (an unknown segment is
    a 404 `segment_not_found`; a malformed id a 422 naming its query parameter)."""
    if answer.problem.get("code") == "segment_not_found":
        return {"segment_id": str(answer.problem.get("detail") or "segment_not_found")}
    return {name: message for name, message in answer.field_errors().items()
            if name in ("store_id", "segment_id")}


async def read_insights(apis: PlatformApis, user: OpsUser, first: date, last: date,
                        store_id: str, segment_id: str, currency: str,
                        now: datetime) -> Insights:
    query = {"from": first.isoformat(), "to": last.isoformat(),
             **({"store_id": store_id} if store_id else {}),
             **({"segment_id": segment_id} if segment_id else {})}
    kpis, listed, live = await asyncio.gather(
        apis.get(user, "rewards", "/v1/kpis", query),
        apis.get(user, "rewards", "/v1/experiments", {"limit": EXPERIMENTS_SHOWN}),
        apis.get(user, "rewards", "/v1/offers/live", {"currency": currency}))
    found = Insights()
    if kpis.ok:
        found.kpis = kpi_rows(kpis.body, currency)
        found.cohorts = bar_chart("renewal_cohorts", renewal_cohorts(kpis.body))
    else:
        found.filter_errors = filter_errors(kpis)
        if not found.filter_errors:
            found.failed.append(problem_code(kpis))
    if live.ok:
        found.budgets = campaign_budgets(live.body.get("items", []))
    else:
        found.failed.append(problem_code(live))
    if not listed.ok:
        found.failed.append(problem_code(listed))
        return found
    started = [e for e in listed.body.get("items", [])
               if datetime.fromisoformat(e["starts_at"]) <= now]
    reports = await asyncio.gather(*(apis.get(
        user, "rewards", f"/v1/experiments/{e['experiment_id']}/report") for e in started))
    for experiment, report in zip(started, reports, strict=True):
        if not report.ok:
            found.failed.append(problem_code(report))
            continue
        found.experiments.append(ExperimentResult(
            experiment["experiment_id"], experiment["name"], experiment["starts_at"],
            experiment["ends_at"], experiment.get("stopped_at") is not None,
            arm_rows(report.body, currency), lift_charts(report.body, currency)))
    return found
