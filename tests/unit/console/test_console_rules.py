"""The console's pure rules: every word in both languages, amounts in the merchant's
format, the locale choice, safe redirects, roles as scopes, the login lockout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.console.rules.amounts import format_amount
from services.console.rules.locales import choose_locale, safe_return_path, translate
from services.console.rules.login_attempts import LoginAttempts
from services.console.rules.roles import ROLES, scopes_of
from services.console.rules.words import WORDS
from shared.http.scopes import OPS_SCOPES
from shared.rule_violations import RuleViolation


def test_every_word_is_in_english_and_chinese():
    missing = [key for key, entry in WORDS.items() if not entry.get("en") or not entry.get("zh")]
    assert not missing


@pytest.mark.parametrize(("minor", "currency", "shown"), [
    (123_450, "CNY", "¥1,234.50"), (0, "CNY", "¥0.00"), (-5, "CNY", "-¥0.05"),
    (100_000_000, "USD", "$1,000,000.00"), (1_999, "JPY", "19.99 JPY"),
])
def test_amounts_in_the_currencys_format(minor, currency, shown):
    assert format_amount(minor, currency) == shown


def test_the_cookie_wins_then_accept_language_then_english():
    assert choose_locale("zh", "en-US") == "zh"
    assert choose_locale(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert choose_locale("fr", "en-GB,zh;q=0.5") == "en"
    assert choose_locale(None, "de-DE") == "en"
    assert translate("zh", "log_out") == "退出" and translate("en", "no_such_key") == "no_such_key"


@pytest.mark.parametrize(("given", "kept"), [
    ("/members/m_1?cursor=x", "/members/m_1?cursor=x"), ("//evil.example/", "/"),
    ("https://evil.example/", "/"), ("/\\evil.example", "/"), (None, "/"),
])
def test_redirects_stay_on_the_console(given, kept):
    assert safe_return_path(given) == kept


def test_roles_are_scopes_of_the_catalog():
    assert all(scopes <= OPS_SCOPES.keys() for scopes in ROLES.values())
    assert scopes_of("admin") == frozenset(OPS_SCOPES)
    assert "ops:review" not in scopes_of("viewer") and "ops:review" in scopes_of("reviewer")
    with pytest.raises(RuleViolation):
        scopes_of("root")


def test_failures_lock_a_key_out_until_the_window_passes():
    attempts, now = LoginAttempts(3, timedelta(minutes=15)), datetime(2026, 11, 29, tzinfo=UTC)
    for _ in range(3):
        assert not attempts.locked_out(now, "user:a", "address:1")
        attempts.failed(now, "user:a", "address:1")
    assert attempts.locked_out(now, "user:a") and attempts.locked_out(now, "address:1")
    assert not attempts.locked_out(now, "user:b")
    assert not attempts.locked_out(now + timedelta(minutes=15), "user:a")
