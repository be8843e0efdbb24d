"""Every service's merchant time zone is checked at start: rewards took any string before
and would have failed on the first member day computed in it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.notifier.settings import NotifierSettings
from services.rewards.settings import RewardsSettings
from services.tiering.settings import TieringSettings


@pytest.mark.parametrize(("settings", "field"), [
    (RewardsSettings, "timezone"), (TieringSettings, "time_zone"),
    (NotifierSettings, "default_time_zone")])
def test_an_unknown_time_zone_is_refused_by_name(settings, field):
    with pytest.raises(ValidationError, match="unknown time zone Mars/Olympus"):
        settings(**{field: "Mars/Olympus"})
    assert getattr(settings(**{field: "Europe/Berlin"}), field) == "Europe/Berlin"
