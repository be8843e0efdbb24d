"""The dashboard (`ops:report`): recharge volume and bonus cost per day, liability, renewal
rate by month, members per tier, referral share, campaign results, dead letters and
consumer lag, drawn as server-side SVG bar charts from the services' own reports (the
program, renewal, tier, referral and liability reports) and their `/metrics`; and rewards'
KPI panel, experiment results and campaign budgets (api/dashboard_insights.py), filtered by
store and segment as the KPI API is. Every figure is read through the APIs as the signed-in
user; a report that fails is named on the page."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from services.console.api.dashboard_insights import read_insights
from services.console.api.pages import Page, signed_in
from services.console.platform_apis import Answer
from services.console.rules.charts import bar_chart
from services.console.rules.consumer_health import consumer_lag, dead_letters
from services.console.rules.dashboard_figures import (
    DAY_CHOICES,
    MONTHS,
    campaign_costs,
    local_days,
    local_months,
    members_per_tier,
    next_month,
    per_day,
    per_group,
    renewal_rates,
    span,
)
from services.console.settings import ConsoleSettings
from shared.service import ServiceContext

SERVICES = ("wallet", "tiering", "rewards", "referral", "notifier")


def dashboard_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    settings = context.settings
    zone = ZoneInfo(settings.timezone)
    currency = settings.currency

    @router.get("/dashboard")
    async def dashboard(days: str = "7", store_id: str = "", segment_id: str = "",
                        page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require("ops:report")
        filters = {"store_id": store_id.strip(), "segment_id": segment_id.strip()}
        if not days.isdigit() or int(days) not in DAY_CHOICES:
            return page.render("dashboard.html", status=422, days_error=True, days=days,
                               choices=DAY_CHOICES, filters=filters)
        now = context.clock.now()
        today = now.astimezone(zone).date()
        shown_days, months = local_days(today, int(days)), local_months(today, MONTHS)
        user, apis = page.session.user, page.apis

        def program(first: date, after: date):
            return apis.get(user, "rewards", "/v1/reports/program",
                            {**span(first, after, zone), "currency": currency})

        one_day = [program(day, date.fromordinal(day.toordinal() + 1)) for day in shown_days]
        period = span(shown_days[0], date.fromordinal(today.toordinal() + 1), zone)
        insights = read_insights(apis, user, shown_days[0], today, filters["store_id"],
                                 filters["segment_id"], currency, now)
        found, *answers = await asyncio.gather(
            insights,
            *one_day,
            *(apis.get(user, "tiering", "/v1/reports/renewals", span(m, next_month(m), zone))
              for m in months),
            apis.get(user, "rewards", "/v1/reports/program", {**period, "currency": currency}),
            apis.get(user, "tiering", "/v1/reports/tiers"),
            apis.get(user, "tiering", "/v1/tiers"),
            apis.get(user, "wallet", "/v1/ops/reports/liability"),
            apis.get(user, "referral", "/v1/reports/program", period),
            *(apis.text(service, "/metrics") for service in SERVICES))
        daily, rest = answers[:len(shown_days)], answers[len(shown_days):]
        renewals, rest = rest[:MONTHS], rest[MONTHS:]
        whole, tiers_now, tier_rules, liability, referral, *metrics = rest
        failed = sorted({problem_name(a) for a in answers if not a.ok} | set(found.failed))
        charts: dict[str, Any] = {}
        if all(a.ok for a in daily):
            bodies = [a.body for a in daily]
            charts["recharge_volume"] = bar_chart(
                "recharge_volume", per_day(shown_days, bodies, "recharge_volume", currency))
            charts["bonus_cost"] = bar_chart(
                "bonus_cost", per_day(shown_days, bodies, "bonus_cost", currency))
        if all(a.ok for a in renewals):
            charts["renewal_rate"] = bar_chart(
                "renewal_rate", renewal_rates(months, [a.body for a in renewals]))
        if tiers_now.ok:
            order = [t["name"] for t in tier_rules.body["tiers"]] if tier_rules.ok else []
            charts["members_per_tier"] = bar_chart(
                "members_per_tier", members_per_tier(tiers_now.body, order))
        if whole.ok:
            charts["campaign_cost"] = bar_chart("campaign_cost", campaign_costs(whole.body, currency))
        texts = [a.body for a in metrics if a.ok]
        charts["consumer_lag"] = bar_chart("consumer_lag", per_group(consumer_lag(texts)))
        charts["dead_letters"] = bar_chart("dead_letters", per_group(dead_letters(texts)))
        return page.render(
            "dashboard.html", status=422 if found.filter_errors else 200, days=days,
            choices=DAY_CHOICES, charts=charts, failed=failed, insights=found, filters=filters,
            period=(shown_days[0], today),
            liability=[c for c in (liability.body or {}).get("currencies", [])
                       if c["currency"] == currency] if liability.ok else [],
            referral=referral.body if referral.ok else None,
            campaigns=whole.body["campaigns"] if whole.ok else [], currency=currency)

    return router


def problem_name(answer: Answer) -> str:
    return str(answer.problem.get("code") or answer.status)
