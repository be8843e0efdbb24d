"""Scheduled reports for ops recipients: who may receive them, and what a report message says.

Rewards publishes a daily or weekly report (`ScheduledReportPublished`) as headline figures,
each a KPI's name, a value and its unit. The notifier renders it for each ops recipient in
their locale: money in the report's currency (Babel, the currency's own minor unit), counts
as numbers, rates given in basis points as percentages. Names it knows get a label in both
locales; any other name is shown as it came, so a KPI added in rewards reaches the
recipients before a label is written for it. The risk section (held, approved, rejected
bonuses, with their amounts when the report carries them) is its own table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from services.notifier.rules.templates import money
from services.notifier.rules.unsubscribe import read_unsubscribe_token, unsubscribe_token
from shared.rule_violations import RuleViolation

REPORT_KINDS = ("daily", "weekly")
TEMPLATE = "scheduled_report"
# The same shape the member contact API accepts: one @, a dot in the domain, no spaces.
EMAIL = re.compile(r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")

LABELS: dict[str, dict[str, str]] = {
    # the risk report (rewards' risk_report.py): counts, and the amount each is about
    "bonus_held": {"en": "Bonuses held for review", "zh-CN": "待审核赠送"},
    "bonus_approved": {"en": "Bonuses approved", "zh-CN": "已批准赠送"},
    "bonus_rejected": {"en": "Bonuses rejected", "zh-CN": "已拒绝赠送"},
    "bonus_held_amount": {"en": "Recharges held (principal)", "zh-CN": "待审核充值本金"},
    "bonus_approved_amount": {"en": "Bonus paid after review", "zh-CN": "审核后发放赠送"},
    "bonus_rejected_amount": {"en": "Recharges rejected (principal)", "zh-CN": "已拒绝充值本金"},
    "bonus_still_held": {"en": "Still waiting for review", "zh-CN": "仍待审核"},
    # the headline KPIs (rewards' rules/kpis.py HEADLINE; docs/kpis.md)
    "active_members": {"en": "Active members", "zh-CN": "活跃会员"},
    "recharge_conversion": {"en": "Recharge conversion", "zh-CN": "充值转化率"},
    "arpu": {"en": "Revenue per active member", "zh-CN": "活跃会员人均收入"},
    "repeat_purchase_rate": {"en": "Repeat-purchase rate", "zh-CN": "复购率"},
    "paid_member_share": {"en": "Paid-member share", "zh-CN": "付费会员占比"},
    "renewal_rate": {"en": "Renewal rate", "zh-CN": "续费率"},
    "referral_share": {"en": "New members by referral", "zh-CN": "推荐新会员占比"},
    "bonus_cost": {"en": "Bonus cost", "zh-CN": "赠送成本"},
    "breakage": {"en": "Bonus expired unspent", "zh-CN": "过期未用赠送"},
    "bonus_liability": {"en": "Outstanding bonus", "zh-CN": "未使用赠送余额"},
    "recharge_volume": {"en": "Recharge volume", "zh-CN": "充值金额"},
}
# The risk report: a decision's count figure, and its amount figure `<name>_amount`.
RISK = ("bonus_held", "bonus_approved", "bonus_rejected")
PERIOD_KIND = {"daily": {"en": "Daily", "zh-CN": "每日"},
               "weekly": {"en": "Weekly", "zh-CN": "每周"}}


@dataclass(frozen=True)
class Figure:
    name: str
    value: int
    unit: str


def checked_email(address: str) -> str:
    """An ops recipient's email address, or 422 `ops_recipient_email_invalid`."""
    address = address.strip()
    if len(address) > 254 or not EMAIL.match(address):
        raise RuleViolation("ops_recipient_email_invalid",
                            "The email address is not valid (name@domain.tld).")
    return address


def checked_kinds(kinds: Iterable[str]) -> list[str]:
    """The report kinds a recipient gets, each once, in a fixed order; at least one."""
    wanted = set(kinds)
    if not wanted:
        raise RuleViolation("ops_recipient_no_report_kinds", "Name at least one report kind.")
    unknown = sorted(wanted - set(REPORT_KINDS))
    if unknown:
        raise RuleViolation("unknown_report_kind", f"No report kind {', '.join(unknown)}; "
                            f"known: {', '.join(REPORT_KINDS)}.")
    return [kind for kind in REPORT_KINDS if kind in wanted]


def label(name: str, locale: str) -> str:
    return LABELS.get(name, {}).get(locale, name)


def formatted(figure: Figure, currency: str, locale: str) -> str:
    babel_locale = locale.replace("-", "_")
    if figure.unit == "minor_units":
        return money(figure.value, currency, locale)
    if figure.unit == "bps":
        return format_percent(Decimal(figure.value).scaleb(-4), "#,##0.##%", locale=babel_locale)
    return format_decimal(figure.value, locale=babel_locale)


def report_facts(report: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """What the `scheduled_report` template shows, from the stored report (the event's
    fields as JSON): every value already formatted for `locale`."""
    currency = report["currency"]
    figures = [Figure(f["name"], f["value"], f["unit"]) for f in report["figures"]]
    by_name = {figure.name: figure for figure in figures}
    in_risk = {name for name in RISK} | {f"{name}_amount" for name in RISK}
    risk = [{"label": label(name, locale),
             "count": formatted(by_name[name], currency, locale) if name in by_name else "—",
             "amount": (formatted(by_name[f"{name}_amount"], currency, locale)
                        if f"{name}_amount" in by_name else "—")}
            for name in RISK if name in by_name or f"{name}_amount" in by_name]
    babel_locale = locale.replace("-", "_")
    return {
        "report_id": report["report_id"],
        "period_kind": PERIOD_KIND[report["kind"]][locale],
        "period_start": format_date(date.fromisoformat(report["period_start"]), "long",
                                    locale=babel_locale),
        "period_end": format_date(date.fromisoformat(report["period_end"]), "long",
                                  locale=babel_locale),
        "headline": [{"label": label(figure.name, locale),
                      "value": formatted(figure, currency, locale)}
                     for figure in figures if figure.name not in in_risk],
        "risk": risk,
    }


# A recipient's unsubscribe token is a member link's token for this pseudo-channel: no
# member link names it (their route refuses it) and this route refuses theirs.
UNSUBSCRIBE_CHANNEL = "ops-reports"


def recipient_unsubscribe_token(secret: str, recipient_id: str) -> str:
    return unsubscribe_token(secret, recipient_id, UNSUBSCRIBE_CHANNEL)


def read_recipient_unsubscribe_token(secret: str, token: str) -> str:
    """The recipient id; 400 `invalid_unsubscribe_link` for anything else."""
    recipient_id, channel = read_unsubscribe_token(secret, token)
    if channel != UNSUBSCRIBE_CHANNEL:
        raise RuleViolation("invalid_unsubscribe_link", "This unsubscribe link is not valid.",
                            status=400)
    return recipient_id
