"""Bulk coupon issuance (`ops:config`): `POST /v1/coupon-issues` makes a job (its members
listed at once; Idempotency-Key: a retried request makes one job), the job on a clock
issues them (jobs/coupon_issues.py), `GET /v1/coupon-issues/{job_id}` shows its progress."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from services.rewards.api.schemas import CouponIssueRequest
from services.rewards.settings import RewardsSettings
from services.rewards.store import coupon_issue_jobs, coupons
from shared.db.unit_of_work import UnitOfWork
from shared.http.auth import Caller, require_scope
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext


def coupon_issues_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/coupon-issues", tags=["coupons"], responses=PROBLEM_RESPONSES)

    @router.post("", status_code=201,
                 summary="Issue a coupon to a member list or a segment, as a job (ops:config)")
    async def create(body: CouponIssueRequest, caller: Caller,
                     idempotency_key: IdempotencyKey = None) -> Response:
        require_scope(caller, "ops:config")

        async def make_job(uow: UnitOfWork) -> dict:
            await coupons.existing_template(uow.connection, body.template_id)
            return await coupon_issue_jobs.create_job(
                uow.connection, template_id=body.template_id, member_ids=body.member_ids,
                segment=body.segment, segment_id=body.segment_id, actor=caller.identity, now=uow.clock.now(),
                settings=context.settings)

        return await idempotent_post(context.uow, caller, "POST /v1/coupon-issues",
                                     idempotency_key, body, make_job)

    @router.get("/{job_id}", summary="A bulk issue's progress: total, issued, status (ops:config)")
    async def progress(job_id: UUID, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        async with context.engine.connect() as db:
            found = await coupon_issue_jobs.job(db, job_id)
        if found is None:
            raise Problem(404, "coupon_issue_not_found", f"No bulk coupon issue {job_id}.")
        return found

    return router
