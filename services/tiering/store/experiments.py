"""Renewal-price experiments in tiering: a projection of rewards' ExperimentPublished and
ExperimentStopped (the definitions are rewards'), and the exposures tiering logs when it
shows a member renewal quotes while one runs.

The member's arm is `shared.experiments.assign`, the same function rewards uses, so both
services place a member alike with no call between them. A member is exposed once per
experiment (insert-if-absent; only a new exposure publishes TieringExperimentExposed),
whatever their arm: the holdout is exposed at the standard price it is shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Table, Text, select
from sqlalchemy.dialects.postgresql import JSONB, insert

from services.tiering.store.members import lock_member
from services.tiering.store.tables import metadata
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import ExperimentPublished, ExperimentStopped
from shared.events.tiering import TieringExperimentExposed
from shared.experiments import Arm, assign

experiments = Table(
    "experiments", metadata,
    Column("experiment_id", Text, primary_key=True),
    Column("arms", JSONB, nullable=False),  # [{"arm", "weight_bps", "price_bps"}] in order
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("stopped_at", DateTime(timezone=True)),
)
experiment_exposures = Table(
    "experiment_exposures", metadata,
    Column("experiment_id", Text, primary_key=True), Column("member_id", Text, primary_key=True),
    Column("arm", Text, nullable=False),
    Column("exposed_at", DateTime(timezone=True), nullable=False),
)


async def record_published(uow: UnitOfWork, event: ExperimentPublished) -> None:
    """Keep a renewal-price experiment (others are rewards' own); a redelivery is a no-op."""
    if event.subject_kind != "renewal_price":
        return
    arms = [{"arm": a.arm, "weight_bps": a.weight_bps,
             "price_bps": next((p.value for p in a.parameters if p.figure == "price_bps"), 0)}
            for a in event.arms]
    await uow.connection.execute(insert(experiments).values(
        experiment_id=event.experiment_id, arms=arms, starts_at=event.starts_at,
        ends_at=event.ends_at).on_conflict_do_nothing())


async def record_stopped(uow: UnitOfWork, event: ExperimentStopped) -> None:
    await uow.connection.execute(experiments.update().where(
        experiments.c.experiment_id == event.experiment_id,
        experiments.c.stopped_at.is_(None)).values(stopped_at=event.stopped_at))


async def expose_at_quote(uow: UnitOfWork, member_id: str, now: datetime) -> int:
    """Expose the member to every renewal-price experiment running now (once each) and
    return the discount their arms give, in bps (0 for the holdout and without any)."""
    rows = (await uow.connection.execute(select(experiments).where(
        experiments.c.starts_at <= now, experiments.c.ends_at > now,
        experiments.c.stopped_at.is_(None) | (experiments.c.stopped_at > now),
    ).order_by(experiments.c.experiment_id))).mappings().all()
    if rows:  # it may emit about the member: their lock first, as every such transaction
        await lock_member(uow.connection, member_id)
    total_bps = 0
    for row in rows:
        arms = [Arm(a["arm"], a["weight_bps"]) for a in row["arms"]]
        arm = assign(row["experiment_id"], member_id, arms)
        total_bps += next(a["price_bps"] for a in row["arms"] if a["arm"] == arm.name)
        new = (await uow.connection.execute(insert(experiment_exposures).values(
            experiment_id=row["experiment_id"], member_id=member_id, arm=arm.name,
            exposed_at=now).on_conflict_do_nothing().returning(
            experiment_exposures.c.member_id))).first()
        if new is not None:
            uow.emit(TieringExperimentExposed(
                member_id=member_id, occurred_at=now, experiment_id=row["experiment_id"],
                arm=arm.name, exposed_at=now))
    return total_bps
