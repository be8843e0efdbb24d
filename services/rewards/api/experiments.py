"""Experiments with holdouts (docs/rewards.md, "Experiments"), on a recharge campaign or on
tiering's renewal price (docs/tiering.md, "Renewal-price experiments"): define and stop one
(`ops:config`), list them and read one's report (`ops:report`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from services.rewards.api.schemas import ExperimentRequest
from services.rewards.rules.experiment_stats import arm_figures
from services.rewards.rules.experiments import Experiment, check_experiment
from services.rewards.settings import RewardsSettings
from services.rewards.store import experiments
from shared.experiments import HOLDOUT, Arm
from shared.http.auth import Caller, require_scope
from shared.http.ids import PathId
from shared.http.paging import Cursor, Limit, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext


def experiment_of(body: ExperimentRequest) -> Experiment:
    arms = tuple(Arm(a.arm, a.weight_bps, {k: v for k, v in (
        ("bonus_bps", a.bonus_bps), ("price_bps", a.price_bps)) if v is not None})
        for a in body.arms)
    experiment = Experiment(body.experiment_id, body.subject_kind, body.subject_id, arms,
                            body.starts_at, body.ends_at)
    check_experiment(experiment)
    return experiment


def view(row: Mapping[str, Any]) -> dict:
    return {k: row[k] for k in ("experiment_id", "name", "subject_kind", "subject_id", "arms",
                                "starts_at", "ends_at", "stopped_at", "created_by",
                                "created_at")}


def experiments_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/experiments", tags=["experiments"],
                       responses=PROBLEM_RESPONSES)

    @router.post("", status_code=201,
                 summary="Define an experiment on a campaign, with a holdout (ops:config)")
    async def define(body: ExperimentRequest, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        experiment = experiment_of(body)
        async with context.uow() as uow:
            row, _ = await experiments.define(uow, experiment, body.name, caller.identity)
        return view(row)

    @router.get("", summary="Every experiment, by id (ops:report)")
    async def listed(caller: Caller, limit: Limit = 50, cursor: Cursor = None) -> dict:
        require_scope(caller, "ops:report")
        key = decode_cursor(cursor, 1)
        if key is not None and not isinstance(key[0], str):
            raise invalid_cursor()
        async with context.engine.connect() as db:
            rows = await experiments.listed(db, key and key[0], limit)
        return page([view(row) for row in rows], limit, lambda row: (row["experiment_id"],))

    @router.get("/{experiment_id}", summary="One experiment's definition (ops:report)")
    async def one(experiment_id: PathId, caller: Caller) -> dict:
        require_scope(caller, "ops:report")
        async with context.engine.connect() as db:
            return view(await experiments.read(db, experiment_id))

    @router.post("/{experiment_id}/stop",
                 summary="Stop an experiment now: no one is exposed or counted after (ops:config)")
    async def stop(experiment_id: PathId, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        async with context.uow() as uow:
            return view(await experiments.stop(uow, experiment_id))

    @router.get("/{experiment_id}/report",
                summary="Each arm against the holdout, with 95 % intervals (ops:report)")
    async def report(experiment_id: PathId, caller: Caller) -> dict:
        require_scope(caller, "ops:report")
        async with context.engine.connect() as db:
            row = await experiments.read(db, experiment_id)
            totals = await experiments.arm_totals(db, experiment_id, row["subject_kind"])
        holdout = totals.get(HOLDOUT)
        arms = []
        for arm in row["arms"]:
            name = arm["arm"]
            figures = arm_figures(totals[name], None if name == HOLDOUT else holdout) \
                if name in totals else arm_figures(experiments.NO_ONE, None)
            arms.append({"arm": name, "weight_bps": arm["weight_bps"], **asdict(figures)})
        return {**view(row), "arms": arms}

    return router
