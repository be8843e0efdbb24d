"""A test-only service that consumes `RechargeCompleted` and writes down every application.

Its table has no unique key on purpose: if the inbox ever let an event through twice, the
test would see two rows. A member id starting with `poison` makes the handler fail every
time (until healed), to drive the retry-then-dead-letter path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import BaseSettings
from sqlalchemy import BigInteger, Column, Identity, MetaData, Table, Text, insert
from sqlalchemy.dialects.postgresql import UUID

from shared.db.messaging_tables import define_messaging_tables
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import RechargeCompleted
from shared.http.app import service_app
from shared.service import ServiceContext, ServiceSpec

metadata = MetaData()
outbox, inbox = define_messaging_tables(metadata)
applied = Table(
    "applied",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("member_id", Text, nullable=False),
    Column("recharge_id", Text, nullable=False),
)


class HandlerAlwaysFails(ValueError):
    pass


# Members whose "fault was fixed": the DLQ replay test heals one before re-driving it.
HEALED_MEMBERS: set[str] = set()


async def on_recharge_completed(event: RechargeCompleted, uow: UnitOfWork) -> None:
    if event.member_id.startswith("poison") and event.member_id not in HEALED_MEMBERS:
        raise HandlerAlwaysFails(f"cannot apply {event.recharge_id}")
    await uow.connection.execute(insert(applied).values(
        event_id=event.event_id, member_id=event.member_id, recharge_id=event.recharge_id))


# The size of every call of the batch handler, so a test can tell the batch path ran.
BATCH_SIZES: list[int] = []


async def on_recharges_completed(events: Sequence[RechargeCompleted], uow: UnitOfWork) -> None:
    """`on_recharge_completed` as a batch handler: one statement for the whole batch, and a
    poison member fails the whole call (the engine then isolates the event)."""
    BATCH_SIZES.append(len(events))
    for event in events:
        if event.member_id.startswith("poison") and event.member_id not in HEALED_MEMBERS:
            raise HandlerAlwaysFails(f"cannot apply {event.recharge_id}")
    await uow.connection.execute(insert(applied), [
        {"event_id": e.event_id, "member_id": e.member_id, "recharge_id": e.recharge_id}
        for e in events])


async def on_recharge_completed_with(event: RechargeCompleted, uow: UnitOfWork,
                                     settings: BaseSettings) -> None:
    """The probe as a service wires it: handlers get the service's settings too."""
    await on_recharge_completed(event, uow)


def create_app(context: ServiceContext) -> FastAPI:
    return service_app(context, title="probe", description="test probe", routers=[])


SPEC = ServiceSpec(
    name="probe",
    metadata=metadata,
    outbox=outbox,
    inbox=inbox,
    migrations=Path(__file__).parent / "probe_migrations",
    load_settings=BaseSettings,
    create_app=create_app,
    handlers={RechargeCompleted: [on_recharge_completed_with]},
    subscribes_to=("wallet",),
)
