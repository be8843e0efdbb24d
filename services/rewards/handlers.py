"""Rewards' event handlers, and the one map that wires events to them."""

from __future__ import annotations

from shared.events.wallet import RechargeCompleted
from sqlalchemy import insert

from services.rewards import tables
from shared.db.unit_of_work import UnitOfWork
from shared.messaging.consumer import HandlerMap


async def on_recharge_completed(event: RechargeCompleted, uow: UnitOfWork) -> None:
    """Record the recharge. The inbox guarantees this runs once per event; the primary key
    on recharge_id guards against a second event for the same recharge."""
    await uow.connection.execute(insert(tables.recharges_seen).values(
        recharge_id=event.recharge_id, member_id=event.member_id, amount=event.amount,
        currency=event.currency, event_id=event.event_id, occurred_at=event.occurred_at,
    ))


EVENT_HANDLERS: HandlerMap = {
    RechargeCompleted: [on_recharge_completed],
}
