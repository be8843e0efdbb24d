"""The recharge hot path: one statement in autocommit, and an outbox row that is the catalog's
RechargeCompleted (model and exported JSON Schema), the document `outbox_row(event)` would
have written, with the wallet-state fields filled in by SQL."""

from __future__ import annotations

import asyncio

import asyncpg
import orjson
import pytest
from sqlalchemy import event

from shared.db.outbox import outbox_row
from shared.events.cloudevents import decode
from shared.events.wallet import RechargeCompleted
from shared.topics import Topics
from tests.integration.wallet.money import outbox_events, recharge
from tests.support.catalog import validated

pytestmark = pytest.mark.integration
TRACE_HEADERS = {"ce_traceparent", "ce_tracestate"}


async def test_the_outbox_row_is_the_catalog_event_with_wallet_state_filled_in(client, bus_platform):
    first = await recharge(client, "m_hot", 30_000)
    second = await recharge(client, "m_hot", 12_345)

    rows = await outbox_events(bus_platform.database_url, RechargeCompleted.ce_type())
    events = [validated(RechargeCompleted, bytes(r["payload"])) for r in rows]
    assert [(e.recharge_id, e.amount, e.is_first_recharge, e.lifetime_recharged) for e in events] == [
        (first["recharge_id"], 30_000, True, 30_000),
        (second["recharge_id"], 12_345, False, 42_345)]
    for row, published in zip(rows, events, strict=True):
        assert row["headers"]["ce_id"] == str(published.event_id) == str(row["event_id"])
        assert row["key"] == "m_hot" and row["topic"].endswith("wallet.events")
        expected = outbox_row(published, Topics(bus_platform.topic_prefix))
        # The same JSON document `outbox_row(event)` writes (jsonb spells it with other
        # spacing and key order, which no JSON reader sees).
        assert orjson.loads(bytes(row["payload"])) == orjson.loads(expected["payload"])
        # Trace context joins the headers only when a trace is active (an SDK installed by an
        # earlier test of the session, or a caller's traceparent): the rest are the catalog's.
        traced = {k: v for k, v in row["headers"].items() if k in TRACE_HEADERS}
        assert all(v.startswith("00-") for k, v in traced.items() if k == "ce_traceparent")
        untraced = {k: v for k, v in row["headers"].items() if k not in TRACE_HEADERS}
        assert untraced == expected["headers"] and row["ce_type"] == expected["ce_type"]
        assert decode(bytes(row["payload"]), list(row["headers"].items())) == published


async def log_every_pooled_query(pool: asyncpg.Pool, logged: list[str]) -> None:
    """Hold all the pool's connections at once, so the logger reaches each of them."""
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    for connection in held:
        connection.add_query_logger(lambda record: logged.append(record.query))
    for connection in held:
        await pool.release(connection)


async def test_a_recharge_is_one_statement_and_no_transaction_round_trips(client, wallet):
    engine_statements: list[str] = []
    pooled_queries: list[str] = []
    await log_every_pooled_query(wallet.statements.pool, pooled_queries)

    this_request = asyncio.current_task()  # ASGITransport runs the app in this task

    def count(conn, cursor, statement, *args) -> None:
        # only the recharge's own statements: background jobs (the /metrics sampler, the
        # sweeps) may use the engine meanwhile
        if asyncio.current_task() is this_request:
            engine_statements.append(statement)

    event.listen(wallet.engine.sync_engine, "before_cursor_execute", count)
    try:
        await recharge(client, "m_counted", 100)
    finally:
        event.remove(wallet.engine.sync_engine, "before_cursor_execute", count)
    # Not even a reset query when the connection goes back to the pool.
    assert engine_statements == []
    # Group commit is on by default: the recharge's one statement is its group's.
    assert len(pooled_queries) == 1 and "FROM wallet_recharge_group(" in pooled_queries[0]


async def test_the_receipt_reports_balances_after_the_recharge(client):
    await recharge(client, "m_receipt", 10_000)
    receipt = await recharge(client, "m_receipt", 5_000)
    assert (receipt["principal_balance"], receipt["bonus_balance"], receipt["balance"]) == (
        15_000, 0, 15_000)
    assert receipt["bonus"] == {"status": "pending"}
