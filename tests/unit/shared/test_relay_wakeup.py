"""Pokes coalesce: a burst of them makes one NOTIFY, and a poke during a NOTIFY makes one more
(its commit may have come after the first NOTIFY was sent)."""

from __future__ import annotations

import asyncio

from shared.db.relay_wakeup import RelayWakeup


class RecordingStatements:
    def __init__(self) -> None:
        self.sent: list[tuple] = []
        self.in_flight = asyncio.Event()
        self.release = asyncio.Event()

    async def execute(self, query: str, *args: object) -> str:
        self.sent.append((query, *args))
        self.in_flight.set()
        await self.release.wait()
        self.in_flight.clear()
        return "SELECT 1"


async def test_a_burst_of_pokes_is_one_notify_and_a_poke_during_it_one_more():
    statements = RecordingStatements()
    wakeup = RelayWakeup(statements, "wallet_outbox")  # type: ignore[arg-type]
    for _ in range(100):
        wakeup.poke()
    await asyncio.wait_for(statements.in_flight.wait(), 5)
    for _ in range(10):
        wakeup.poke()
    statements.release.set()
    await asyncio.wait_for(wakeup._notifying, 5)
    assert statements.sent == [("SELECT pg_notify($1, '')", "wallet_outbox")] * 2
