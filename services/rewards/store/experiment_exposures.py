"""Who was exposed to an experiment, and what they brought and cost afterwards.

Each write is one statement for a consumer batch and idempotent: assignments and exposures
are inserted if absent (the first wins, once per experiment and member, and only a new
exposure publishes ExperimentExposed), outcomes once per experiment and source event. An
outcome counts when it happened at or after the member's exposure and before the
experiment closed (one that reaches rewards before the exposure it follows, on another
topic, is not counted); the recharge that exposed them brings no revenue to it (it happened
before the member could react), but what its campaign paid is its cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from services.rewards.rules.experiments import Exposure
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import ExperimentExposed
from shared.events.tiering import TieringExperimentExposed


@dataclass(frozen=True)
class Exposed:
    member_id: str
    source_id: str  # the recharge id
    at: datetime
    exposure: Exposure


@dataclass(frozen=True)
class Revenue:
    """A recharge or purchase (its amount), or a renewal: a conversion of a renewal-price
    experiment, with no amount of its own (the purchase that paid it is the revenue)."""

    kind: str  # recharge | purchase | renewal
    member_id: str
    source_id: str  # the recharge, purchase or term id
    amount: int
    at: datetime


@dataclass(frozen=True)
class CampaignCost:
    member_id: str
    recharge_id: str
    offer_id: str
    amount: int
    at: datetime


INSERT_ASSIGNMENTS = text("""
    INSERT INTO experiment_assignments (experiment_id, member_id, arm, assigned_at)
    SELECT * FROM unnest(CAST(:experiments AS text[]), CAST(:members AS text[]),
                         CAST(:arms AS text[]), CAST(:ats AS timestamptz[]))
    ON CONFLICT DO NOTHING
""")
INSERT_EXPOSURES = text("""
    INSERT INTO experiment_exposures (experiment_id, member_id, arm, source_id, exposed_at)
    SELECT * FROM unnest(CAST(:experiments AS text[]), CAST(:members AS text[]),
                         CAST(:arms AS text[]), CAST(:sources AS text[]),
                         CAST(:ats AS timestamptz[]))
    ON CONFLICT DO NOTHING
    RETURNING experiment_id, member_id, arm, source_id, exposed_at
""")
INSERT_REVENUE = text("""
    INSERT INTO experiment_outcomes (experiment_id, source_id, member_id, kind, revenue, cost,
                                     occurred_at)
    SELECT e.experiment_id, r.kind || ':' || r.source_id, r.member_id, r.kind, r.amount, 0, r.at
    FROM unnest(CAST(:kinds AS text[]), CAST(:members AS text[]), CAST(:sources AS text[]),
                CAST(:amounts AS bigint[]), CAST(:ats AS timestamptz[]))
         AS r(kind, member_id, source_id, amount, at)
    JOIN experiment_exposures e ON e.member_id = r.member_id AND r.at >= e.exposed_at
        AND NOT (r.kind = 'recharge' AND e.source_id = r.source_id)
    JOIN experiments x ON x.experiment_id = e.experiment_id
        AND r.at < LEAST(x.ends_at, coalesce(x.stopped_at, x.ends_at))
    ON CONFLICT DO NOTHING
""")
INSERT_COSTS = text("""
    INSERT INTO experiment_outcomes (experiment_id, source_id, member_id, kind, revenue, cost,
                                     occurred_at)
    SELECT x.experiment_id, 'cost:' || c.recharge_id, c.member_id, 'cost', 0, c.amount, c.at
    FROM unnest(CAST(:members AS text[]), CAST(:recharges AS text[]),
                CAST(:offers AS text[]), CAST(:amounts AS bigint[]),
                CAST(:ats AS timestamptz[])) AS c(member_id, recharge_id, offer_id, amount, at)
    JOIN experiments x ON x.subject_kind = 'campaign' AND x.subject_id = c.offer_id
        AND c.at < LEAST(x.ends_at, coalesce(x.stopped_at, x.ends_at))
    JOIN experiment_exposures e ON e.experiment_id = x.experiment_id
        AND e.member_id = c.member_id AND c.at >= e.exposed_at
    ON CONFLICT DO NOTHING
""")


async def record_exposures(uow: UnitOfWork, exposed: Sequence[Exposed]) -> None:
    """Record the batch's exposures (the first per experiment and member counts) and publish
    ExperimentExposed for each new one."""
    if not exposed:
        return
    params = {"experiments": [e.exposure.experiment_id for e in exposed],
              "members": [e.member_id for e in exposed],
              "arms": [e.exposure.arm for e in exposed], "ats": [e.at for e in exposed]}
    await uow.connection.execute(INSERT_ASSIGNMENTS, params)
    new = (await uow.connection.execute(INSERT_EXPOSURES, {
        **params, "sources": [e.source_id for e in exposed]})).mappings().all()
    for row in sorted(new, key=lambda r: (r["exposed_at"], r["member_id"], r["experiment_id"])):
        uow.emit(ExperimentExposed(
            member_id=row["member_id"], occurred_at=uow.clock.now(),
            experiment_id=row["experiment_id"], arm=row["arm"], source_id=row["source_id"],
            exposed_at=row["exposed_at"]))


async def record_tiering_exposure(uow: UnitOfWork, event: TieringExperimentExposed) -> None:
    """Keep tiering's exposure (a renewal quote shown) for the report; tiering published it."""
    params = {"experiments": [event.experiment_id], "members": [event.member_id],
              "arms": [event.arm], "ats": [event.exposed_at]}
    await uow.connection.execute(INSERT_ASSIGNMENTS, params)
    await uow.connection.execute(INSERT_EXPOSURES, {**params, "sources": ["renewal_quotes"]})


async def record_revenue(uow: UnitOfWork, revenue: Sequence[Revenue]) -> None:
    if revenue:
        await uow.connection.execute(INSERT_REVENUE, {
            "kinds": [r.kind for r in revenue], "members": [r.member_id for r in revenue],
            "sources": [r.source_id for r in revenue],
            "amounts": [r.amount for r in revenue], "ats": [r.at for r in revenue]})


async def record_costs(uow: UnitOfWork, costs: Sequence[CampaignCost]) -> None:
    if costs:
        await uow.connection.execute(INSERT_COSTS, {
            "members": [c.member_id for c in costs], "recharges": [c.recharge_id for c in costs],
            "offers": [c.offer_id for c in costs], "amounts": [c.amount for c in costs],
            "ats": [c.at for c in costs]})
