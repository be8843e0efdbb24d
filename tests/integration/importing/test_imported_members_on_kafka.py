"""A merchant's members imported with their tiers, past spend, balances and terms, on real
Kafka and PostgreSQL with tiering, the wallet and the notifier running: each member gets the
right tier and segment, the wallet holds their balances as opening lots with the ledger
verified, the wallet and the notifier learn of them through `MemberEnrolled`, and their
imported terms bring the T-30 reminder on its day."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.notifier.service import SPEC as NOTIFIER
from services.tiering.jobs import TieringScheduler
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.events.tiering import MemberEnrolled, MembershipExpiring, TierChanged
from shared.events.wallet import RechargeCompleted
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.importing.files import csv_file, iso, jsonl_file, run
from tests.support.auth import ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration
DAY = timedelta(days=1)


def client(runtime, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                             base_url=f"http://{name}", headers=ops_headers("ops:report"))


async def test_imported_members_get_their_tier_segment_balances_and_reminders(
        platform, kafka, tmp_path):
    now = datetime.now(UTC)
    topics = Topics(platform.topic_prefix)
    await ensure_topics(kafka.bootstrap_servers, list(topics.all_event_topics()))
    term_end = now + 40 * DAY
    members = csv_file(
        tmp_path / "members.csv", "member_id,member_number,phone,birthday,tier,enrolled_at",
        f"m_gold,OLD-1,+8613800000001,08-15,gold,{iso(now - 800 * DAY)}",
        "m_spender,OLD-2,,,,",
        "m_plain,OLD-3,,,regular,",
        "m_lapsed,,,,,")
    history = jsonl_file(
        tmp_path / "history.jsonl",
        # 1,200,000 + 900,000 in the last 12 months: gold (2,000,000) and the core segment
        {"import_id": "p1", "member_id": "m_spender", "kind": "purchase", "amount": 1_200_000,
         "currency": "CNY", "occurred_at": now - 100 * DAY},
        {"import_id": "p2", "member_id": "m_spender", "kind": "purchase", "amount": 900_000,
         "currency": "CNY", "occurred_at": now - 5 * DAY},
        # older than 12 months: counts for nothing now
        {"import_id": "p3", "member_id": "m_lapsed", "kind": "purchase", "amount": 3_000_000,
         "currency": "CNY", "occurred_at": now - 400 * DAY})
    balances = jsonl_file(
        tmp_path / "balances.jsonl",
        {"import_id": "b1", "member_id": "m_gold", "currency": "CNY", "principal": 10_000,
         "bonus": 500, "bonus_expires_at": now + 90 * DAY},
        {"import_id": "b2", "member_id": "m_plain", "currency": "CNY", "principal": 2_500})
    terms = csv_file(tmp_path / "terms.csv", "import_id,member_id,term_start,term_end,price,currency",
                     f"t1,m_plain,{iso(term_end - 365 * DAY)},{iso(term_end)},32400,CNY")

    transport = KafkaTransport(kafka.bootstrap_servers)
    async with AsyncExitStack() as stack:
        tiering = await stack.enter_async_context(running(TIERING, platform, transport))
        wallet = await stack.enter_async_context(running(WALLET, platform, transport))
        await stack.enter_async_context(running(NOTIFIER, platform, transport))
        for kind, path in (("members", members), ("history", history),
                           ("balances", balances), ("terms", terms)):
            outcome = await run(kind, path, platform)
            assert outcome.problems == [] and outcome.counts["imported"] > 0, (kind, outcome)

        async with client(tiering, "tiering") as http:
            tiers = {m: (await http.get(f"/v1/members/{m}")).json()["tier"]
                     for m in ("m_gold", "m_spender", "m_plain", "m_lapsed")}
            offer = (await http.get("/v1/members/m_spender/renewal-quotes")).json()
            gold = (await http.get("/v1/members/m_gold")).json()
        assert tiers == {"m_gold": "gold", "m_spender": "gold", "m_plain": "regular",
                         "m_lapsed": "regular"}
        assert (offer["segment"], offer["annual_spend"]) == ("core", 2_100_000)
        assert gold["member_number"] == "OLD-1"
        assert datetime.fromisoformat(gold["enrolled_at"]) == now - 800 * DAY

        async with client(wallet, "wallet") as http:
            held = (await http.get("/v1/wallets/m_gold")).json()
            plain = (await http.get("/v1/wallets/m_plain")).json()
            verified = (await http.get("/v1/ops/ledger/verify")).json()
        assert (held["principal"], held["bonus"]) == (10_000, 500)
        assert (plain["principal"], plain["bonus"]) == (2_500, 0)
        assert verified["ok"] is True, verified
        # A member who brought a balance recharged before: no first-recharge bonus here.
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://w", headers=pos_headers("store_1")) as pos:
            again = await pos.post("/v1/recharges", headers={"Idempotency-Key": "after-import"},
                                   json={"member_id": "m_plain", "amount": 10_000,
                                         "currency": "CNY", "payment_method": "cash",
                                         "payment_reference": "after-import",
                                         "pos_reference": "after-import"})
        assert again.status_code == 201, again.text

        # The wallet's registered members and the notifier's contacts, fed by MemberEnrolled
        everyone = {"m_gold", "m_spender", "m_plain", "m_lapsed"}
        await eventually(lambda: fetch_all(platform.database_url,
                                           "SELECT member_id FROM wallet.registered_members"),
                         lambda rows: {r["member_id"] for r in rows} == everyone)
        await eventually(lambda: fetch_all(platform.database_url,
                                           "SELECT member_id FROM notifier.contacts"),
                         lambda rows: {r["member_id"] for r in rows} >= everyone)

        # The imported term is on the reminder schedule: its T-30 reminder comes on its day.
        ran = await TieringScheduler(tiering.context).run_once(term_end - 30 * DAY)
        assert ran.reminders == 1
        # 4 enrolments, 2 tier changes (one carried over, one earned), 1 reminder
        records = await read_topic(kafka.bootstrap_servers, topics.events("tiering"), 7)
    [reminder] = of_type(records, MembershipExpiring)
    assert (reminder.member_id, reminder.days_left) == ("m_plain", 30)
    changes = sorted((c.member_id, c.to_tier, c.reason) for c in of_type(records, TierChanged))
    assert [(m, t) for m, t, _ in changes] == [("m_gold", "gold"), ("m_spender", "gold")]
    assert changes[0][2] == "carried over from the previous system"
    assert len(of_type(records, MemberEnrolled)) == 4
    [recharge] = of_type(await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 1),
                         RechargeCompleted)
    assert (recharge.member_id, recharge.is_first_recharge) == ("m_plain", False)


def of_type(records: list, event_class) -> list:
    wanted = event_class.ce_type().encode()
    return [event_class.model_validate_json(r.value) for r in records
            if dict(r.headers).get("ce_type") == wanted]
