"""Catalog completeness on real PostgreSQL: a walk through the write paths of every service
(enrolment; referral codes made, rotated and deactivated; referrals registered, held,
approved, rejected, revoked while held, expired and qualified; recharges and their bonuses
(granted, held, approved, rejected), purchases, refunds, freezes, adjustments, points,
coupons; a tier earned, a membership bought and refunded, tier rules; consents; terminal
keys; and the jobs on a clock: bonus lots, points, referrals and a membership past their
dates, tier reviews, a birthday), with every write to member-visible state audited
(tests/support/write_audit.py). Each must commit together with one of the events
its table is described by (tests/support/member_state.py); a write path that changes what
a member sees and emits nothing fails here. Over the in-process bus: what is checked is
each transaction's writes and outbox rows, which the transport does not touch; the flows
themselves are proven on Kafka in each service's tests."""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx
import pytest

from services.notifier.service import SPEC as NOTIFIER
from services.referral.service import SPEC as REFERRAL
from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.transport import BusTransport
from tests.integration.events.member_walk import run_the_jobs, walk
from tests.support.member_state import DESCRIBED
from tests.support.runtime import eventually, fetch_all, running
from tests.support.write_audit import audited_writes, install, silent_writes

pytestmark = pytest.mark.integration

SETTLED = """
    SELECT (SELECT count(*) FROM wallet.outbox WHERE published_at IS NULL)
         + (SELECT count(*) FROM tiering.outbox WHERE published_at IS NULL)
         + (SELECT count(*) FROM rewards.outbox WHERE published_at IS NULL)
         + (SELECT count(*) FROM referral.outbox WHERE published_at IS NULL)
         + (SELECT count(*) FROM notifier.outbox WHERE published_at IS NULL) AS waiting,
           (SELECT count(*) FROM public.write_audit) AS writes
"""


@pytest.fixture
async def services(bus_platform):
    """All five services over one in-process bus: (runtimes, an HTTP client for each)."""
    transport = BusTransport()
    async with AsyncExitStack() as stack:
        runtimes = {spec.name: await stack.enter_async_context(
            running(spec, bus_platform, transport))
            for spec in (WALLET, TIERING, REWARDS, REFERRAL, NOTIFIER)}
        clients = {name: await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=runtime.app), base_url=f"http://{name}"))
            for name, runtime in runtimes.items()}
        yield runtimes, clients


async def settle(database: str) -> None:
    seen: list[int] = []

    def settled(rows) -> bool:  # every outbox sent, and no write since the previous look
        seen.append(rows[0]["writes"])
        return rows[0]["waiting"] == 0 and len(seen) > 1 and seen[-1] == seen[-2]

    await eventually(lambda: fetch_all(database, SETTLED), settled, timeout=60, interval=0.5)


async def test_every_write_to_member_visible_state_commits_with_its_event(services, bus_platform):
    database = bus_platform.database_url
    await install(database)

    runtimes, clients = services
    await walk(clients, runtimes, bus_platform)
    await settle(database)
    await run_the_jobs(runtimes, database)
    await settle(database)
    writes = await audited_writes(database)

    silent = silent_writes(writes)
    assert not silent, "writes that told no subscriber:\n" + "\n".join(silent)
    # the walk reaches every described table, so none passes by not being written
    assert sorted(set(DESCRIBED) - {write.table for write in writes}) == []

    # and the audit does see a write that tells nobody
    await fetch_all(database, "UPDATE wallet.wallets SET bonus = bonus + 1 WHERE member_id = 'm_a'")
    assert silent_writes(await audited_writes(database)) == [
        "UPDATE of bonus wallet.wallets (member m_a) with no event"]
