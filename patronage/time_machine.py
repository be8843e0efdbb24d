"""Time travel for demos (dev only): `patronage tick --until 2027-01-15` moves the clock of
a running `patronage dev` forward step by step and, at every step, runs every job on a clock
(membership reminders and expiries, tier reviews, birthdays, points expiry, referral
expiry, the notifier's schedules and deliveries) and lets the events they cause settle. So
the T-30 / T-7 / T-1 reminders, a downgrade at review or an expiry can be watched in
seconds, each on its own day, as they would happen over a month.

`patronage dev` serves this on its control port (8100 by default, loopback only):
`GET /v1/dev/clock` and `POST /v1/dev/clock/tick`, which streams one JSON line per step.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import exists, select

from shared.clock import TravellingClock
from shared.http.problems import Problem, install_problem_handlers
from shared.jobs import PeriodicJob
from shared.messaging.in_process_bus import InProcessBus
from shared.runtime import ServiceRuntime

SETTLE_TIMEOUT_SECONDS = 30
MAX_ROUNDS_PER_STEP = 4  # jobs -> events -> handlers -> more work for the jobs (deliveries)


class TickRequest(BaseModel):
    until: str = Field(description="A day (2027-01-15: its midnight, UTC) or a moment with its "
                       "offset (2027-01-15T09:00:00+08:00).", examples=["2027-01-15"])
    step_hours: Annotated[float, Field(gt=0, le=24 * 31)] = 24


def moment_of(text: str) -> datetime:
    try:
        if len(text) == len("2027-01-15"):
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Problem(422, "invalid_request", f"`until` is not a day or a moment: {text!r}.") from None
    if moment.tzinfo is None:
        raise Problem(422, "invalid_request", "`until` needs a time zone offset, e.g. +08:00.")
    return moment


class TimeMachine:
    def __init__(self, clock: TravellingClock, runtimes: Sequence[ServiceRuntime],
                 bus: InProcessBus) -> None:
        self.clock, self.runtimes, self.bus = clock, runtimes, bus
        self._lock = asyncio.Lock()  # one journey at a time

    async def tick(self, until: datetime, step: timedelta) -> AsyncIterator[dict]:
        async with self._lock:
            moment = self.clock.now()
            while moment < until:
                moment = min(moment + step, until)
                self.clock.travel_to(moment)
                yield {"at": self.clock.now().isoformat(), "ran": await self._run_step()}

    async def _run_step(self) -> dict[str, object]:
        ran: dict[str, object] = {}
        for _ in range(MAX_ROUNDS_PER_STEP):
            did_something = False
            for runtime in self.runtimes:
                for job in runtime.jobs:
                    if not isinstance(job, PeriodicJob):
                        continue
                    result = await job.run_once()
                    if result:
                        did_something = True
                        ran.setdefault(f"{runtime.spec.name}.{job.name}", []).append(_plain(result))
            await self.settle()
            if not did_something:
                break
        return ran

    async def settle(self) -> None:
        """Until every outbox is relayed and every consumer has caught up, twice in a row."""
        deadline = asyncio.get_running_loop().time() + SETTLE_TIMEOUT_SECONDS
        quiet_checks = 0
        while quiet_checks < 2 and asyncio.get_running_loop().time() < deadline:
            quiet_checks = quiet_checks + 1 if await self._quiet() else 0
            await asyncio.sleep(0.1)

    async def _quiet(self) -> bool:
        for runtime in self.runtimes:
            if runtime.consumed and self.bus.backlog(runtime.spec.name, runtime.consumed):
                return False
            outbox = runtime.spec.outbox
            async with runtime.engine.connect() as db:
                if await db.scalar(select(exists().where(outbox.c.published_at.is_(None)))):
                    return False
        return True


def _plain(result: object) -> object:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    return result if isinstance(result, (int, float, str, list, dict)) else str(result)


def control_app(machine: TimeMachine) -> FastAPI:
    app = FastAPI(title="Patronage dev control", docs_url="/docs")
    install_problem_handlers(app)

    @app.get("/v1/dev/clock", summary="The platform's clock (moved forward by ticks)")
    async def clock() -> dict:
        return {"now": machine.clock.now().isoformat()}

    @app.post("/v1/dev/clock/tick", summary="Move the clock forward, running every job per step",
              description="Streams one JSON line per step: the moment and what each job did.")
    async def tick(body: TickRequest) -> StreamingResponse:
        until = moment_of(body.until)
        if until <= machine.clock.now():
            raise Problem(422, "until_not_in_future",
                          f"The clock is at {machine.clock.now().isoformat()}; it only moves forward.")

        async def lines() -> AsyncIterator[bytes]:
            async for step in machine.tick(until, timedelta(hours=body.step_hours)):
                yield (json.dumps(step, default=str) + "\n").encode()

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    return app
