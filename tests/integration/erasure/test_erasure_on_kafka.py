"""Issue 21, done when: on real Kafka and PostgreSQL with every service running, a member
with a full history is erased; afterwards no column of the data map in any service holds
their phone, email, birthday or name, the wallet ledger verifies, the liability report
changed only by the documented treatment of their balance, and a second erasure is a
no-op. An erasure requested while a service is down completes once it is back."""

from __future__ import annotations

import pytest

from services.notifier.service import SPEC as NOTIFIER
from services.referral.service import SPEC as REFERRAL
from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from services.wallet.service import SPEC as WALLET
from shared.events.wallet import WalletMemberErased
from shared.transport import KafkaTransport
from tests.integration.erasure.history import (
    OPS,
    SETTLE,
    Person,
    clients,
    find_person,
    give_full_history,
    ok,
)
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration
AT_ONCE = TieringSettings(erasure_cooling_off_days=0)
REPORT = ops_headers("ops:report")


async def liability(wallet) -> dict:
    [cny] = (await ok(await wallet.get("/v1/ops/reports/liability", headers=REPORT)))["currencies"]
    return cny


async def test_a_member_with_a_full_history_is_erased_everywhere(platform, kafka):
    transport, person = KafkaTransport(kafka.bootstrap_servers), Person.new()
    member, me = person.member_id, member_headers(person.member_id)
    async with running(WALLET, platform, transport) as wallet, \
            running(TIERING, platform, transport, settings=AT_ONCE) as tiering, \
            running(REWARDS, platform, transport) as rewards, \
            running(REFERRAL, platform, transport) as referral, \
            running(NOTIFIER, platform, transport) as notifier:
        http = clients({"wallet": wallet, "tiering": tiering, "rewards": rewards,
                        "referral": referral, "notifier": notifier})
        await give_full_history(http, platform.database_url, person)
        before = await find_person(platform.database_url, person)
        balance = await ok(await http["wallet"].get(f"/v1/wallets/{member}", headers=me))
        owed_before = await liability(http["wallet"])

        asked = await http["tiering"].post(f"/v1/members/{member}/erasure", headers=me)
        assert asked.status_code == 202, asked.text
        done = await eventually(
            lambda: http["tiering"].get(f"/v1/members/{member}/erasure", headers=OPS),
            lambda answer: answer.json()["status"] == "completed", timeout=SETTLE)
        after = await find_person(platform.database_url, person)
        verified = await ok(await http["wallet"].get("/v1/ops/ledger/verify", headers=REPORT))
        owed_after = await liability(http["wallet"])
        again = await http["tiering"].post(f"/v1/members/{member}/erasure",
                                           headers=ops_headers("ops:pii"))
        left = {table: await fetch_all(platform.database_url,
                                       f"SELECT 1 FROM notifier.{table} WHERE member_id = $1",
                                       member)
                for table in ("contacts", "consents", "consent_changes", "inbox_messages")}
        for client in http.values():
            await client.aclose()

    # the scan is not vacuous: every one of the four was somewhere before
    assert {what for found in before.values() for what in found} == {
        "phone", "email", "birthday", "name"}, before
    assert {"tiering.data_export_parts.content", "notifier.data_export_parts.content",
            "notifier.contacts.email", "tiering.members.phone",
            "referral.decisions.note"} <= before.keys(), before
    assert after == {}, after
    assert all(not rows for rows in left.values()), left
    view = done.json()
    assert [c["service"] for c in view["confirmations"] if c["confirmed_at"]] == [
        "tiering", "wallet", "rewards", "referral", "notifier"]
    assert verified["ok"], verified["problems"]
    # the documented treatment (default `refund`): principal owed back, bonus breakage
    principal, bonus = balance["principal"], balance["bonus"]
    assert principal > 0 and bonus > 0
    expected = {**owed_before, "principal": owed_before["principal"] - principal,
                "bonus": owed_before["bonus"] - bonus,
                "breakage": owed_before["breakage"] + bonus,
                "refund_due": owed_before["refund_due"] + principal,
                "wallets_with_balance": owed_before["wallets_with_balance"] - 1}
    assert owed_after == expected
    assert again.status_code == 200 and again.json() == view  # a second erasure: a no-op
    requests = await fetch_all(platform.database_url, "SELECT status FROM "
                               "tiering.erasure_requests WHERE member_id = $1", member)
    actions = await fetch_all(platform.database_url, "SELECT action, actor FROM "
                              "tiering.erasure_actions WHERE member_id = $1 ORDER BY action_id",
                              member)
    assert [r["status"] for r in requests] == ["completed"]
    assert [(a["action"], a["actor"]) for a in actions] == [
        ("requested", f"member:{member}"), ("started", "tiering"), ("completed", "tiering")]
    [published] = await fetch_all(platform.database_url, "SELECT payload FROM wallet.outbox "
                                  "WHERE key = $1 AND ce_type = $2 AND published_at IS NOT NULL",
                                  member, WalletMemberErased.ce_type())
    erased = WalletMemberErased.model_validate_json(published["payload"])
    assert [(b.principal, b.bonus, b.treatment) for b in erased.balances] == [
        (principal, bonus, "refund")]


async def test_an_erasure_asked_while_a_service_is_down_completes_when_it_is_back(platform, kafka):
    transport, person = KafkaTransport(kafka.bootstrap_servers), Person.new()
    member = person.member_id
    async with running(WALLET, platform, transport), \
            running(TIERING, platform, transport, settings=AT_ONCE) as tiering, \
            running(REWARDS, platform, transport), running(REFERRAL, platform, transport):
        [http] = clients({"tiering": tiering}).values()
        await ok(await http.post("/v1/members", headers=pos_headers(), json={
            "member_id": member, "email": person.email, "phone": person.phone}), 201)
        await ok(await http.post(f"/v1/members/{member}/erasure",
                                 headers=ops_headers("ops:pii")), 202)
        waiting = await eventually(
            lambda: http.get(f"/v1/members/{member}/erasure", headers=OPS),
            lambda answer: sum(bool(c["confirmed_at"]) for c in answer.json()["confirmations"]) == 4,
            timeout=SETTLE)
        assert waiting.json()["status"] == "erasing"
        assert [c["service"] for c in waiting.json()["confirmations"]
                if not c["confirmed_at"]] == ["notifier"]
        async with running(NOTIFIER, platform, transport):
            done = await eventually(
                lambda: http.get(f"/v1/members/{member}/erasure", headers=OPS),
                lambda answer: answer.json()["status"] == "completed", timeout=SETTLE)
        await http.aclose()
    assert all(c["confirmed_at"] for c in done.json()["confirmations"])
