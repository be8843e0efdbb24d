"""A member's data export on real Kafka and PostgreSQL with every service running and served
over HTTP: the member asks tiering, every service builds its part from its own tables and
announces it (MemberDataExportRequested → *DataExportPartReady), progress reaches 5/5, the
archive holds every part and validates against docs/privacy/export-archive.schema.json, only
the member and ops:pii get it, every download is audited, and after expiry it is 410."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest

from shared.clock import TravellingClock
from shared.events.tiering import MemberDataExportRequested
from shared.topics import Topics
from tests.integration.privacy.history import PERSONAL, make_history, ok
from tests.integration.privacy.served import every_service
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all, read_topic

pytestmark = pytest.mark.integration

SCHEMA = json.loads((Path(__file__).parents[3] / "docs" / "privacy" /
                     "export-archive.schema.json").read_text())
MEMBER, FRIEND = "m_export", "m_friend"


def rows(archive: dict, part: str, section: str) -> list[dict]:
    return archive["parts"][part]["sections"][section]


async def test_a_member_with_a_full_history_gets_every_services_part(platform, kafka):
    clock = TravellingClock()
    async with every_service(platform, kafka.bootstrap_servers, clock) as clients:
        tiering, me = clients["tiering"], member_headers(MEMBER)
        await make_history(clients, platform.database_url, MEMBER, FRIEND)

        exports = f"/v1/members/{MEMBER}/data-exports"
        key = {"Idempotency-Key": "export-1"}
        requested = ok(await tiering.post(exports, headers={**me, **key}))
        again = ok(await tiering.post(exports, headers={**me, **key}))
        assert again["export_id"] == requested["export_id"]  # a retry is the same export
        assert (requested["parts_done"], requested["parts_total"]) == (1, 5)  # tiering's own
        export = f"{exports}/{requested['export_id']}"
        done = await eventually(lambda: tiering.get(export, headers=me),
                                lambda r: r.json()["parts_done"] == 5, timeout=60)
        assert done.json()["status"] == "ready"
        assert done.json()["parts"] == dict.fromkeys(
            ("tiering", "wallet", "rewards", "referral", "notifier"), True)

        archive = ok(await tiering.get(f"{export}/archive", headers=me))
        jsonschema.validate(archive, SCHEMA, format_checker=jsonschema.FormatChecker())
        [profile] = rows(archive, "tiering", "profile")
        assert {k: profile[k] for k in PERSONAL} == PERSONAL and profile["tier"] == "silver"
        assert len(rows(archive, "tiering", "tier_changes")) == 1
        assert len(rows(archive, "tiering", "membership_terms")) == 1
        assert len(rows(archive, "wallet", "recharges")) == 1
        assert len(rows(archive, "wallet", "purchases")) == 3
        assert rows(archive, "wallet", "statement_entries")
        assert rows(archive, "wallet", "balances")
        assert rows(archive, "rewards", "points_ledger")
        assert len(rows(archive, "rewards", "coupons")) == 1
        assert len(rows(archive, "rewards", "bonus_decisions")) == 1
        assert [r["invitee_id"] for r in rows(archive, "referral", "referrals_given")] == [FRIEND]
        assert len(rows(archive, "referral", "codes")) == 1
        [contact] = rows(archive, "notifier", "contact")
        assert (contact["email"], contact["sms"]) == (PERSONAL["email"], PERSONAL["phone"])
        assert {(c["channel"], c["category"]) for c in rows(archive, "notifier", "consents")} == {
            ("email", "marketing")}
        assert any(m["status"] == "sent" for m in rows(archive, "notifier", "messages"))
        assert all(part["records"] == sum(map(len, part["sections"].values()))
                   for part in archive["parts"].values())

        # the request's event carries ids and the deadline, never the member's data
        records = await read_topic(kafka.bootstrap_servers,
                                   Topics(platform.topic_prefix).events("tiering"), 4)
        [raw] = [r.value for r in records
                 if dict(r.headers)["ce_type"] == MemberDataExportRequested.ce_type().encode()]
        assert str(MemberDataExportRequested.model_validate_json(raw).export_id) == (
            requested["export_id"])
        assert not any(value in raw.decode() for value in PERSONAL.values())

        # ops with ops:pii may download on the member's behalf; nobody else may read it
        ok(await tiering.get(f"{export}/archive", headers=ops_headers("ops:pii")))
        other = f"/v1/members/{FRIEND}/data-exports/{requested['export_id']}"
        refusals = {
            "another member": (await tiering.get(f"{export}/archive",
                                                 headers=member_headers(FRIEND))).status_code,
            "another member, own path": (await tiering.get(
                f"{other}/archive", headers=member_headers(FRIEND))).status_code,
            "a POS terminal": (await tiering.get(f"{export}/archive",
                                                 headers=pos_headers())).status_code,
            "ops:report": (await tiering.get(f"{export}/archive",
                                             headers=ops_headers("ops:report"))).status_code,
            "another member at the wallet": (await clients["wallet"].get(
                f"{export}/part", headers=member_headers(FRIEND))).status_code,
        }
        assert refusals == {"another member": 403, "another member, own path": 404,
                            "a POS terminal": 403, "ops:report": 403,
                            "another member at the wallet": 403}

        downloads = ok(await tiering.get(export, headers=ops_headers("ops:pii")))["downloads"]
        assert [d["actor"] for d in downloads] == [f"member:{MEMBER}", "ops:ops_alice"]
        [requested_row] = await fetch_all(platform.database_url,
                                          "SELECT requested_by FROM tiering.data_exports")
        assert requested_row["requested_by"] == f"member:{MEMBER}"

        clock.travel_to(clock.now() + timedelta(days=7, minutes=1))
        gone = await tiering.get(f"{export}/archive", headers=me)
        assert (gone.status_code, gone.json()["code"]) == (410, "data_export_expired")
        assert ok(await tiering.get(export, headers=me))["status"] == "expired"
