"""Settings: what is refused at start rather than found out in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.notifier.settings import NotifierSettings


@pytest.mark.parametrize("bad", [{"default_time_zone": "Mars/Olympus"}, {"default_locale": "fr"},
                                 {"fallback_order": ("email", "fax")}, {"statement_day": 32}])
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValidationError):
        NotifierSettings(**bad)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PATRONAGE_NOTIFIER_QUIET_START", "22:30")
    monkeypatch.setenv("PATRONAGE_NOTIFIER_FALLBACK_ORDER", '["sms", "inbox"]')
    monkeypatch.setenv("PATRONAGE_NOTIFIER_SMS_PROVIDER_URL", "https://sms.example/v1/messages")
    settings = NotifierSettings()
    assert settings.quiet_hours().start.isoformat() == "22:30:00"
    assert settings.fallback_order == ("sms", "inbox")
    assert settings.provider_urls() == {"sms": "https://sms.example/v1/messages"}
