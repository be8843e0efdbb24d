"""How a service keeps its part of a data export, on real PostgreSQL: a long history is read
a keyset page at a time and nothing is lost or repeated between pages; the part is stored
once; the expiry sweep deletes parts whose time is up and only those; the part route
answers 410 once the part has expired."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import httpx
import pytest

from services.rewards.service import SPEC as REWARDS
from services.rewards.store import tables
from shared.clock import TravellingClock
from shared.db.data_export_expiry import data_export_parts_expiry
from shared.db.data_export_parts import MemberSection, build_part, member_rows, part_of, save_part
from shared.transport import BusTransport
from tests.support.auth import member_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration

LEDGER = MemberSection("points_ledger", tables.points_entries, "member_id", ("occurred_at", "entry_id"))


async def test_a_long_history_is_paged_and_a_part_lives_until_its_expiry(bus_platform):
    clock = TravellingClock()
    async with running(REWARDS, bus_platform, BusTransport(), clock=clock) as rewards:
        now = clock.now()
        async with rewards.engine.begin() as db:
            await db.execute(tables.points_entries.insert(), [
                {"entry_id": uuid4(), "member_id": member, "kind": "earn", "points": 1,
                 "balance_after": n, "reason": "purchase", "occurred_at": now + timedelta(seconds=n)}
                for n in range(7) for member in ("m_long", "m_else")])
            paged = [row async for row in member_rows(db, LEDGER, "m_long", batch=3)]
            content = await build_part(db, "m_long", [LEDGER])
            kept, gone = uuid4(), uuid4()
            assert await save_part(db, kept, "m_long", content, now, now + timedelta(days=7)) == 7
            await save_part(db, kept, "m_long", {"points_ledger": []}, now, now)  # stored once
            await save_part(db, gone, "m_long", content, now, now + timedelta(hours=1))
        assert [row["balance_after"] for row in paged] == list(range(7))
        assert {row["member_id"] for row in paged} == {"m_long"}
        assert content == {"points_ledger": paged}

        clock.travel_to(now + timedelta(hours=2))
        part = f"/v1/members/m_long/data-exports/{gone}/part"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=rewards.app),
                                     base_url="http://rewards") as client:
            expired = await client.get(part, headers=member_headers("m_long"))
            assert (expired.status_code, expired.json()["code"]) == (410, "data_export_expired")
            live = await client.get(f"/v1/members/m_long/data-exports/{kept}/part",
                                    headers=member_headers("m_long"))
            assert live.status_code == 200 and live.json()["records"] == 7
            assert len(live.json()["sections"]["points_ledger"]) == 7

        assert await data_export_parts_expiry(rewards.context).run_once() == 1
        async with rewards.engine.connect() as db:
            assert await part_of(db, gone) is None and await part_of(db, kept) is not None
        left = await fetch_all(bus_platform.database_url,
                               "SELECT export_id FROM rewards.data_export_parts")
        assert [row["export_id"] for row in left] == [kept]
