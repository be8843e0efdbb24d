"""Audit trails of corrections keep masked values: enough to tell them apart, not a copy."""

from __future__ import annotations

from shared.masked_values import mask, masked_changes


def test_each_kind_of_personal_value_is_masked():
    assert mask("email", "li.lei@example.com") == "l***@example.com"
    assert mask("phone", "+86 138-0000-1234") == "***1234"
    assert mask("birthday", "08-15") == "**-**"
    assert mask("push_token", "tok-abcdef9876") == "***9876"
    assert mask("wechat_open_id", "o6_bmjrPTlm6_2sgVt7hMZOPfL2M") == "***fL2M"


def test_preferences_are_kept_and_none_stays_none():
    assert mask("locale", "zh-CN") == "zh-CN"
    assert mask("preferred_channel", "sms") == "sms"
    assert mask("email", None) is None


def test_only_the_fields_that_change_are_recorded():
    before = {"email": "a@example.com", "phone": "+8613800001111", "locale": "zh-CN"}
    given = {"email": "a@example.com", "phone": None, "locale": "en-GB"}
    assert masked_changes(before, given) == {"phone": {"from": "***1111", "to": None},
                                            "locale": {"from": "zh-CN", "to": "en-GB"}}
