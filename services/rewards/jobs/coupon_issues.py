"""The bulk coupon issuance job: running jobs' members issued a batch per transaction
(`store/coupon_issue_jobs.py:issue_batch`), oldest job first, a bounded number of batches
per round (every `PATRONAGE_REWARDS_COUPON_ISSUE_EVERY_SECONDS`). Leader-locked
(`rewards.coupon_issues`): one replica works a round. The lock only saves work: a batch
locks its job's row, so two runners could never issue one member twice."""

from __future__ import annotations

from services.rewards.settings import RewardsSettings
from services.rewards.store import coupon_issue_jobs, coupons
from shared.jobs import PeriodicJob, leads, periodic
from shared.service import ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)
LEADER_JOB = "rewards.coupon_issues"


async def issue_pending(context: ServiceContext[RewardsSettings]) -> int:
    """Issue running jobs, oldest first, up to `coupon_issue_batches_per_round` batches;
    the coupons issued by this round (the next round goes on from the cursor)."""
    issued = 0
    for _ in range(context.settings.coupon_issue_batches_per_round):
        async with context.uow() as uow:
            if not await leads(uow.connection, LEADER_JOB):
                return issued
            job_id = await coupon_issue_jobs.next_running_job(uow.connection)
            if job_id is None:
                return issued
            job = await coupon_issue_jobs.job(uow.connection, job_id)
            template = await coupons.template(uow.connection, job["template_id"])
            if template is None:  # retired since the job was made: nothing more to issue
                log.warning("coupon_issue_template_gone", job_id=str(job_id))
                await uow.connection.execute(coupon_issue_jobs.ADVANCE, {
                    "job_id": job_id, "n": 0, "finished": True, "cursor": None,
                    "now": uow.clock.now()})
                continue
            issued += await coupon_issue_jobs.issue_batch(
                uow, job_id, context.settings.coupon_issue_batch, template)
    return issued


def coupon_issue_job(context: ServiceContext[RewardsSettings]) -> PeriodicJob:
    async def run_once() -> int:
        return await issue_pending(context)

    return periodic("coupon_issues", context.settings.coupon_issue_every_seconds, run_once)
