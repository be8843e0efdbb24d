"""Experiments' definitions and the report's totals (rules/experiments.py decides, this
module keeps). A definition is fixed once published: the same definition again is answered
with the stored one, any other change is 409 `experiment_defined` (so no member's arm moves
while the experiment runs). Stopping sets `stopped_at` once and publishes ExperimentStopped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.experiment_stats import ArmTotals
from services.rewards.rules.experiments import Experiment, same_definition
from services.rewards.store.experiment_tables import experiments
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import (
    EXPERIMENTS_KEY,
    ExperimentArm,
    ExperimentArmParameter,
    ExperimentPublished,
    ExperimentStopped,
)
from shared.experiments import Arm
from shared.rule_violations import Conflict, NotFound

CAMPAIGN_EXISTS = text("SELECT 1 FROM offers WHERE offer_id = :offer_id AND kind = 'campaign' "
                       "LIMIT 1")


def arms_json(arms: Sequence[Arm]) -> list[dict[str, Any]]:
    return [{"arm": a.name, "weight_bps": a.weight_bps, "parameters": dict(a.parameters)}
            for a in arms]


def experiment_from(row: Mapping[str, Any]) -> Experiment:
    return Experiment(
        row["experiment_id"], row["subject_kind"], row["subject_id"],
        tuple(Arm(a["arm"], a["weight_bps"], a["parameters"]) for a in row["arms"]),
        row["starts_at"], row["ends_at"], row["stopped_at"])


async def define(uow: UnitOfWork, experiment: Experiment, name: str,
                 created_by: str) -> tuple[Mapping[str, Any], bool]:
    """The stored definition, and whether this call created it (and published it)."""
    db, now = uow.connection, uow.clock.now()
    if experiment.subject_kind == "campaign" and (await db.execute(
            CAMPAIGN_EXISTS, {"offer_id": experiment.subject_id})).first() is None:
        raise NotFound("campaign_not_found", f"No campaign offer {experiment.subject_id}.")
    inserted = (await db.execute(insert(experiments).values(
        experiment_id=experiment.experiment_id, name=name,
        subject_kind=experiment.subject_kind, subject_id=experiment.subject_id,
        arms=arms_json(experiment.arms), starts_at=experiment.starts_at,
        ends_at=experiment.ends_at, created_by=created_by, created_at=now,
    ).on_conflict_do_nothing().returning(*experiments.c))).mappings().first()
    if inserted is None:
        stored = await read(db, experiment.experiment_id)
        if not same_definition(experiment_from(stored), experiment):
            raise Conflict("experiment_defined", "An experiment's subject, arms and window are "
                           "fixed once published (members' arms would move); define a new one.")
        return stored, False
    uow.emit(ExperimentPublished(
        member_id=EXPERIMENTS_KEY, occurred_at=now, experiment_id=experiment.experiment_id,
        subject_kind=experiment.subject_kind, subject_id=experiment.subject_id,
        arms=tuple(ExperimentArm(arm=a.name, weight_bps=a.weight_bps, parameters=tuple(
            ExperimentArmParameter(figure=k, value=v) for k, v in sorted(a.parameters.items())))
            for a in experiment.arms),
        starts_at=experiment.starts_at, ends_at=experiment.ends_at))
    return inserted, True


async def read(db: AsyncConnection, experiment_id: str, *, lock: bool = False
               ) -> Mapping[str, Any]:
    query = select(experiments).where(experiments.c.experiment_id == experiment_id)
    row = (await db.execute(query.with_for_update() if lock else query)).mappings().first()
    if row is None:
        raise NotFound("experiment_not_found", f"No experiment {experiment_id}.")
    return row


async def listed(db: AsyncConnection, after: str | None, limit: int) -> list[Mapping[str, Any]]:
    query = select(experiments).order_by(experiments.c.experiment_id).limit(limit + 1)
    if after is not None:
        query = query.where(experiments.c.experiment_id > after)
    return list((await db.execute(query)).mappings().all())


async def stop(uow: UnitOfWork, experiment_id: str) -> Mapping[str, Any]:
    """Stop it now; stopping a stopped experiment answers it as it is."""
    db, now = uow.connection, uow.clock.now()
    row = await read(db, experiment_id, lock=True)
    if row["stopped_at"] is not None:
        return row
    await db.execute(experiments.update().where(
        experiments.c.experiment_id == experiment_id).values(stopped_at=now))
    uow.emit(ExperimentStopped(member_id=EXPERIMENTS_KEY, occurred_at=now,
                               experiment_id=experiment_id, stopped_at=now))
    return {**row, "stopped_at": now}


async def running(db: AsyncConnection, earliest: datetime,
                  latest: datetime) -> list[Experiment]:
    """The experiments whose window overlaps [earliest, latest]: read once per batch."""
    rows = (await db.execute(select(experiments).where(
        experiments.c.starts_at <= latest, experiments.c.ends_at > earliest,
        (experiments.c.stopped_at.is_(None)) | (experiments.c.stopped_at > earliest),
    ).order_by(experiments.c.experiment_id))).mappings().all()
    return [experiment_from(row) for row in rows]


NO_ONE = ArmTotals(0, 0, 0, 0, 0)  # an arm no exposed member is in yet
ARM_TOTALS = text("""
    SELECT e.arm, count(*) AS exposed, count(*) FILTER (WHERE m.conversions > 0) AS converted,
           coalesce(sum(m.revenue), 0) AS revenue,
           coalesce(sum(m.revenue * m.revenue), 0) AS revenue_squares,
           coalesce(sum(m.cost), 0) AS cost
    FROM experiment_exposures e
    LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE CASE WHEN :renewals THEN o.kind = 'renewal'
                                           ELSE o.revenue > 0 END) AS conversions,
               coalesce(sum(o.revenue), 0) AS revenue, coalesce(sum(o.cost), 0) AS cost
        FROM experiment_outcomes o
        WHERE o.experiment_id = e.experiment_id AND o.member_id = e.member_id
    ) m ON true
    WHERE e.experiment_id = :experiment_id
    GROUP BY e.arm
""")


async def arm_totals(db: AsyncConnection, experiment_id: str,
                     subject_kind: str) -> dict[str, ArmTotals]:
    """Per arm; a member converts by renewing (a renewal price) or by any revenue (a campaign)."""
    rows = (await db.execute(ARM_TOTALS, {"experiment_id": experiment_id,
                                          "renewals": subject_kind == "renewal_price"})
            ).mappings().all()
    return {row["arm"]: ArmTotals(int(row["exposed"]), int(row["converted"]),
                                  int(row["revenue"]), int(row["revenue_squares"]),
                                  int(row["cost"])) for row in rows}
