"""Scheduled reports rendered for ops recipients, in both locales: money in the report's
currency, counts, rates from basis points, the risk section, names without a label shown as
they came; recipients' addresses, report kinds and unsubscribe tokens."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from services.notifier.rules.ops_reports import (
    LABELS,
    TEMPLATE,
    checked_email,
    checked_kinds,
    read_recipient_unsubscribe_token,
    recipient_unsubscribe_token,
    report_facts,
)
from services.notifier.rules.templates import render
from services.notifier.rules.unsubscribe import read_unsubscribe_token, unsubscribe_token
from shared.rule_violations import RuleViolation

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPORT = {
    "report_id": "rpt_w_2027_09", "kind": "weekly", "period_start": "2027-03-01",
    "period_end": "2027-03-07", "currency": "CNY",
    "figures": [
        {"name": "recharge_volume", "value": 12_345_600, "unit": "minor_units"},
        {"name": "renewal_rate", "value": 7_250, "unit": "bps"},
        {"name": "active_members", "value": 12_840, "unit": "count"},
        {"name": "bonus_held", "value": 3, "unit": "count"},
        {"name": "bonus_held_amount", "value": 150_000, "unit": "minor_units"},
        {"name": "bonus_approved", "value": 2, "unit": "count"},
        {"name": "bonus_approved_amount", "value": 80_000, "unit": "minor_units"},
        {"name": "bonus_rejected", "value": 1, "unit": "count"},
        {"name": "visits_per_member", "value": 4, "unit": "count"},
    ],
}


def test_an_english_report_has_its_period_figures_and_risk_section():
    rendered = render(TEMPLATE, "en", report_facts(REPORT, "en"), SHANGHAI, "https://n/u/t")
    assert rendered.subject == "Weekly report: March 1, 2027 – March 7, 2027"
    text = rendered.text
    for line in ("Recharge volume: CN¥123,456.00", "Renewal rate: 72.5%",
                 "Active members: 12,840", "visits_per_member: 4",
                 "Bonuses held for review: 3 (CN¥1,500.00)",
                 "Bonuses approved: 2 (CN¥800.00)", "Bonuses rejected: 1 (—)",
                 "Report rpt_w_2027_09.", "Stop these reports: https://n/u/t"):
        assert line in text, line
    # the risk figures are in the risk section only
    assert "Bonus amount held" not in text and text.count("Bonuses held") == 1


def test_a_chinese_report_says_the_same_in_chinese():
    rendered = render(TEMPLATE, "zh-CN", report_facts(REPORT, "zh-CN"), SHANGHAI, "https://n/u/t")
    assert rendered.subject == "每周报告：2027年3月1日 – 2027年3月7日"
    for line in ("充值金额：¥123,456.00", "续费率：72.5%", "活跃会员：12,840",
                 "visits_per_member：4", "待审核赠送：3（¥1,500.00）", "已批准赠送：2（¥800.00）",
                 "已拒绝赠送：1（—）", "不再接收此类报告: https://n/u/t"):
        assert line in rendered.text, line


def test_money_follows_the_reports_currency_and_its_minor_unit():
    report = {**REPORT, "kind": "daily", "currency": "JPY", "figures": [
        {"name": "bonus_cost", "value": 5_000, "unit": "minor_units"}]}
    assert "Bonus cost: ¥5,000" in render(TEMPLATE, "en", report_facts(report, "en"),
                                          SHANGHAI).text
    assert "Daily report" in render(TEMPLATE, "en", report_facts(report, "en"), SHANGHAI).subject


def test_a_report_without_risk_figures_has_no_risk_section():
    report = {**REPORT, "figures": [{"name": "active_members", "value": 1, "unit": "count"}]}
    for locale, heading in (("en", "Risk review"), ("zh-CN", "风控审核")):
        assert heading not in render(TEMPLATE, locale, report_facts(report, locale), SHANGHAI).text


def test_a_name_is_markup_escaped():
    report = {**REPORT, "figures": [{"name": "<b>x</b>", "value": 1, "unit": "count"}]}
    assert "&lt;b&gt;x&lt;/b&gt;" in render(TEMPLATE, "en", report_facts(report, "en"), SHANGHAI).html


def test_every_label_exists_in_both_locales():
    assert all(set(labels) == {"en", "zh-CN"} for labels in LABELS.values())


@pytest.mark.parametrize("address", ["ops@merchant.example", " Li.Lei+reports@a.b.cn "])
def test_a_good_address_is_kept_trimmed(address):
    assert checked_email(address) == address.strip()


@pytest.mark.parametrize("address", ["ops", "ops@merchant", "o ps@m.example", "a@b@c.d",
                                     "x" * 250 + "@m.example"])
def test_a_bad_address_is_refused_with_its_code(address):
    with pytest.raises(RuleViolation) as refused:
        checked_email(address)
    assert refused.value.code == "ops_recipient_email_invalid"


def test_report_kinds_are_known_each_once_and_at_least_one():
    assert checked_kinds(["weekly", "daily", "weekly"]) == ["daily", "weekly"]
    for kinds, code in (([], "ops_recipient_no_report_kinds"), (["monthly"], "unknown_report_kind")):
        with pytest.raises(RuleViolation) as refused:
            checked_kinds(kinds)
        assert refused.value.code == code


def test_a_recipients_link_and_a_members_link_do_not_stand_for_each_other():
    token = recipient_unsubscribe_token("secret", "opr_1")
    assert read_recipient_unsubscribe_token("secret", token) == "opr_1"
    with pytest.raises(RuleViolation):
        read_recipient_unsubscribe_token("secret", unsubscribe_token("secret", "m_1", "email"))
    with pytest.raises(RuleViolation):
        read_recipient_unsubscribe_token("other-secret", token)
    # a member's route reads it as channel "ops-reports", which it refuses (not a channel)
    assert read_unsubscribe_token("secret", token)[1] == "ops-reports"
