"""A data export's progress, expiry and archive, as tiering's rules decide them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from services.tiering.rules.data_exports import PARTS, archive, expiry, progress, status_of

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
EXPORT = {"export_id": uuid4(), "member_id": "m_1", "requested_by": "member:m_1",
          "requested_at": NOW, "expires_at": expiry(NOW, 7)}


def test_an_export_is_building_until_every_service_has_stored_its_part():
    assert status_of({"tiering"}, EXPORT["expires_at"], NOW) == "building"
    assert status_of(set(PARTS) - {"notifier"}, EXPORT["expires_at"], NOW) == "building"
    assert status_of(set(PARTS), EXPORT["expires_at"], NOW) == "ready"


def test_an_export_expires_at_its_time_whatever_was_built():
    assert EXPORT["expires_at"] == NOW + timedelta(days=7)
    assert status_of(set(PARTS), EXPORT["expires_at"], EXPORT["expires_at"]) == "expired"
    assert status_of({"tiering"}, EXPORT["expires_at"], NOW + timedelta(days=8)) == "expired"


def test_progress_counts_only_the_five_services_parts():
    seen = progress(EXPORT, {"tiering", "wallet", "somebody_else"}, NOW)
    assert (seen["parts_done"], seen["parts_total"], seen["status"]) == (2, 5, "building")
    assert seen["parts"] == {"tiering": True, "wallet": True, "rewards": False,
                             "referral": False, "notifier": False}


def test_the_archive_holds_every_part_under_its_service():
    parts = {name: {"built_at": NOW.isoformat(), "records": 1,
                    "sections": {"rows": [{"n": name}]}} for name in PARTS}
    made = archive(EXPORT, parts, NOW)
    assert (made["format"], made["version"], made["member_id"]) == (
        "patronage.member-data-export", 1, "m_1")
    assert list(made["parts"]) == list(PARTS)
    assert made["parts"]["wallet"] == {"service": "wallet", "built_at": NOW.isoformat(),
                                       "records": 1, "sections": {"rows": [{"n": "wallet"}]}}


def test_an_archive_missing_a_part_is_never_assembled():
    parts = {name: {"built_at": "", "records": 0, "sections": {}} for name in PARTS[:-1]}
    with pytest.raises(ValueError, match="notifier"):
        archive(EXPORT, parts, NOW)
