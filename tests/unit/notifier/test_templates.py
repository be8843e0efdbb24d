"""Every kind renders in every locale from its sample facts, strictly (a missing fact is an
error, never a blank), with amounts and dates in the locale's own format."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from jinja2 import UndefinedError

from services.notifier.rules.kinds import KINDS
from services.notifier.rules.samples import SAMPLES
from services.notifier.rules.templates import LOCALES, money, render, supported_locale
from shared.rule_violations import RuleViolation

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_in_every_locale(kind, locale):
    rendered = render(kind, locale, SAMPLES[kind], SHANGHAI, "https://n.example/v1/unsubscribe/t")
    assert rendered.subject and "\n" not in rendered.subject
    assert rendered.text and "<" not in rendered.text
    assert len(rendered.version) == 12
    if KINDS[kind].category == "marketing":
        assert 'href="https://n.example/v1/unsubscribe/t"' in rendered.html


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_missing_fact_is_an_error_not_a_blank(kind, locale):
    for fact in SAMPLES[kind]:
        facts = {name: value for name, value in SAMPLES[kind].items() if name != fact}
        with pytest.raises(UndefinedError):
            render(kind, locale, facts, SHANGHAI)


def test_the_renewal_quote_reads_in_the_members_language():
    en = render("renewal_reminder", "en", SAMPLES["renewal_reminder"], SHANGHAI)
    zh = render("renewal_reminder", "zh-CN", SAMPLES["renewal_reminder"], SHANGHAI)
    assert en.subject == "Your membership ends in 7 days"
    assert "1 year: CN¥324.00" in en.text and "2 years: CN¥576.00" in en.text
    assert "January 1, 2028" in en.text  # 16:00 UTC on 31 Dec is the 1st in Shanghai
    assert zh.subject == "您的会员将在 7 天后到期"
    assert "1 年：¥324.00" in zh.text and "2028年1月1日" in zh.text


def test_facts_are_escaped_never_markup():
    facts = {**SAMPLES["coupon_issued"], "code": "<script>x</script>"}
    rendered = render("coupon_issued", "en", facts, SHANGHAI)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html


def test_money_uses_the_currencys_minor_unit():
    assert money(12_345, "CNY", "en") == "CN¥123.45"
    assert money(12_345, "JPY", "en") == "¥12,345"


def test_an_unknown_locale_falls_back_by_language_then_to_the_default():
    assert supported_locale("zh-CN", "en") == "zh-CN"
    assert supported_locale("zh-TW", "en") == "zh-CN"
    assert supported_locale("en-GB", "zh-CN") == "en"
    assert supported_locale("fr", "zh-CN") == "zh-CN"
    assert supported_locale(None, "en") == "en"


def test_a_kind_without_a_template_is_refused():
    with pytest.raises(RuleViolation) as refused:
        render("no_such_kind", "en", {}, SHANGHAI)
    assert refused.value.code == "template_not_found"


def test_plain_text_keeps_the_address_of_a_link():
    rendered = render("win_back", "en", SAMPLES["win_back"], SHANGHAI, "https://n.example/u/t?a=1&b=2")
    assert rendered.text.endswith("Unsubscribe: https://n.example/u/t?a=1&b=2")
    assert 'href="https://n.example/u/t?a=1&amp;b=2"' in rendered.html
