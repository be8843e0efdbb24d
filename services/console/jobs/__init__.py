"""What the console does on a clock: forgetting sessions long past their end
(jobs/session_sweep.py). Safe on every replica at once: a delete of the same rows."""

from __future__ import annotations

from services.console.jobs.session_sweep import session_sweep
from services.console.settings import ConsoleSettings
from shared.service import BackgroundJob, ServiceContext


def background_jobs(context: ServiceContext[ConsoleSettings]) -> tuple[BackgroundJob, ...]:
    return (session_sweep(context),)
