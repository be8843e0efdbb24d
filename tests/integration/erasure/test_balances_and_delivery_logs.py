"""The wallet's `forfeit` rule: an erased member's whole balance becomes breakage, in one
entry, and the books still verify; a second erasure finds nothing left. The notifier's
delivery-log retention deletes old finished rows only."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from services.notifier.jobs.delivery_log_retention import apply_delivery_log_retention
from services.notifier.service import SPEC as NOTIFIER
from services.notifier.settings import NotifierSettings
from services.wallet.handlers import on_member_erasure_started
from services.wallet.service import SPEC as WALLET
from services.wallet.settings import WalletSettings
from shared.events.tiering import MemberErasureStarted
from shared.events.wallet import WalletMemberErased
from shared.transport import BusTransport
from tests.integration.erasure.history import clients, ok, once
from tests.support.auth import ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration
REPORT = ops_headers("ops:report")


async def test_forfeit_makes_the_whole_balance_breakage_and_the_books_verify(bus_platform):
    member = f"m_forfeit_{uuid.uuid4().hex[:6]}"
    settings = WalletSettings(erasure_balance="forfeit", risk=())
    async with running(WALLET, bus_platform, BusTransport(), settings=settings) as wallet:
        [http] = clients({"wallet": wallet}).values()
        await ok(await http.post("/v1/recharges", headers={**pos_headers(), **once()}, json={
            "member_id": member, "amount": 30_000, "currency": "CNY", "payment_method": "cash",
            "payment_reference": f"c-{member}", "store_id": "store_1", "terminal_id": "pos_1",
            "channel": "pos", "pos_reference": uuid.uuid4().hex}), 201)
        [before] = (await ok(await http.get("/v1/ops/reports/liability", headers=REPORT)))["currencies"]
        for request_id in (uuid.uuid4(), uuid.uuid4()):  # the second: nothing left to settle
            event = MemberErasureStarted(member_id=member, occurred_at=wallet.clock.now(),
                                         request_id=request_id, reason="request")
            async with wallet.context.uow() as uow:
                await on_member_erasure_started(event, uow, settings)
        [after] = (await ok(await http.get("/v1/ops/reports/liability", headers=REPORT)))["currencies"]
        verified = await ok(await http.get("/v1/ops/ledger/verify", headers=REPORT))
        await http.aclose()

    assert verified["ok"], verified["problems"]
    assert after == {**before, "principal": before["principal"] - 30_000,
                     "breakage": before["breakage"] + 30_000,
                     "wallets_with_balance": before["wallets_with_balance"] - 1}
    rows = await fetch_all(bus_platform.database_url, "SELECT payload FROM wallet.outbox "
                           "WHERE key = $1 AND ce_type = $2 ORDER BY position", member,
                           WalletMemberErased.ce_type())
    settled = [WalletMemberErased.model_validate_json(r["payload"]).balances for r in rows]
    assert [[(b.principal, b.bonus, b.treatment) for b in s] for s in settled] == [
        [(30_000, 0, "forfeit")], []]


async def test_delivery_log_retention_deletes_old_finished_rows_only(bus_platform):
    member = f"m_logs_{uuid.uuid4().hex[:6]}"
    # the job as the runtime runs it, every 0.2 s
    settings = NotifierSettings(retention_interval_seconds=0.2)
    async with running(NOTIFIER, bus_platform, BusTransport(), settings=settings) as notifier:
        now = notifier.clock.now()
        rows = {"old_sent": ("sent", now - timedelta(days=366)),
                "old_pending": ("pending", now - timedelta(days=366)),
                "recent_sent": ("sent", now - timedelta(days=364))}
        for key, (status, created_at) in rows.items():
            await fetch_all(bus_platform.database_url, """
                INSERT INTO notifier.notifications (notification_id, member_id, kind, category,
                  dedup_key, facts, status, created_at)
                VALUES ($1, $2, 'receipt', 'transactional', $3, $4::jsonb, $5, $6)""",
                uuid.uuid4(), member, f"{member}:{key}", json.dumps({}), status, created_at)
        left = await eventually(
            lambda: fetch_all(bus_platform.database_url, "SELECT dedup_key FROM notifier."
                              "notifications WHERE member_id = $1 ORDER BY dedup_key", member),
            lambda rows: len(rows) < 3)
        again = await apply_delivery_log_retention(notifier.context, now)
    assert [r["dedup_key"] for r in left] == [f"{member}:old_pending", f"{member}:recent_sent"]
    assert again == 0
