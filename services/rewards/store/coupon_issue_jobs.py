"""Bulk coupon issuance: a job, the members it issues to (`coupon_issue_members`, one row
per job and member, so a member is listed once), and the batches that issue them.

A job is created with its members listed at once (an uploaded list, a built-in segment's
members at that moment, `store/segment_members.py`, or a segment as data's rows in
`segment_members` at that moment; a segment id that does not exist is 404
`segment_not_found`). `issue_batch` issues the next batch in member
id order after the job's `cursor`: the job row locked, the coupons written in one
statement, the members marked with their coupon, the cursor and `issued` moved, the
CouponIssued events queued: all in one transaction. A batch that does not commit (the
service stopped mid-batch) leaves the cursor where it was, and the next run issues the same
members again from there; one that commits never runs again. So each member gets exactly
one coupon however often the job is stopped and restarted."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.coupons import new_code
from services.rewards.settings import RewardsSettings
from services.rewards.store import segments
from services.rewards.store.members import lock_members
from services.rewards.store.segment_members import segment_member_ids
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import CouponIssued

JOB_FIELDS = ("job_id", "template_id", "source", "total", "issued", "status", "created_by",
              "created_at", "finished_at")
INSERT_JOB = text("""
    INSERT INTO coupon_issue_jobs (job_id, template_id, source, total, status, created_by, created_at)
    VALUES (:job_id, :template_id, :source, 0, 'running', :actor, :now)
""")
LIST_MEMBERS = text("""
    INSERT INTO coupon_issue_members (job_id, member_id)
    SELECT :job_id, m FROM unnest(CAST(:members AS text[])) AS m ON CONFLICT DO NOTHING
""")
COUNT_MEMBERS = text("""
    UPDATE coupon_issue_jobs SET total = (SELECT count(*) FROM coupon_issue_members
        WHERE job_id = :job_id),
        status = CASE WHEN EXISTS (SELECT FROM coupon_issue_members WHERE job_id = :job_id)
                      THEN 'running' ELSE 'done' END,
        finished_at = CASE WHEN EXISTS (SELECT FROM coupon_issue_members WHERE job_id = :job_id)
                           THEN NULL ELSE CAST(:now AS timestamptz) END
    WHERE job_id = :job_id RETURNING *
""")
LIST_SEGMENT_MEMBERS = text("""
    INSERT INTO coupon_issue_members (job_id, member_id)
    SELECT CAST(:job_id AS uuid), member_id FROM segment_members WHERE segment_id = :segment_id
""")
NEXT_RUNNING = text("""
    SELECT job_id FROM coupon_issue_jobs WHERE status = 'running' ORDER BY created_at, job_id LIMIT 1
""")
LOCK_JOB = text("SELECT * FROM coupon_issue_jobs WHERE job_id = :job_id FOR UPDATE")
NEXT_MEMBERS = text("""
    SELECT member_id FROM coupon_issue_members
    WHERE job_id = :job_id AND member_id > :cursor ORDER BY member_id LIMIT :n
""")
INSERT_COUPONS = text("""
    INSERT INTO coupons (coupon_id, code, member_id, template_id, kind, value, currency,
        min_spend, valid_from, valid_until, reason, issued_at)
    SELECT c.coupon_id, c.code, c.member_id, :template_id, :kind, :value, :currency, :min_spend,
        :now, :until, :reason, :now
    FROM unnest(CAST(:ids AS uuid[]), CAST(:codes AS text[]), CAST(:members AS text[]))
         AS c(coupon_id, code, member_id)
""")
MARK_ISSUED = text("""
    UPDATE coupon_issue_members SET coupon_id = c.coupon_id
    FROM unnest(CAST(:ids AS uuid[]), CAST(:members AS text[])) AS c(coupon_id, member_id)
    WHERE coupon_issue_members.job_id = :job_id AND coupon_issue_members.member_id = c.member_id
""")
ADVANCE = text("""
    UPDATE coupon_issue_jobs SET issued = issued + :n, cursor = :cursor,
        status = CASE WHEN :finished THEN 'done' ELSE 'running' END,
        finished_at = CASE WHEN :finished THEN CAST(:now AS timestamptz) END
    WHERE job_id = :job_id
""")


def job_view(row: Mapping[str, Any]) -> dict:
    # the driver's UUID type is not the standard one: a plain string for the response
    return {**{k: row[k] for k in JOB_FIELDS}, "job_id": str(row["job_id"])}


async def create_job(db: AsyncConnection, *, template_id: str, member_ids: Sequence[str] | None,
                     segment: str | None, actor: str, now: datetime,
                     settings: RewardsSettings, segment_id: str | None = None) -> dict:
    """A running job with its members listed (a list's duplicates once); one with no member
    is done at once."""
    job_id = uuid.uuid4()
    source = (f"segment:{segment}" if segment
              else f"segment_id:{segment_id}" if segment_id else "list")
    if segment_id:
        await segments.segment_versions(db, segment_id)  # 404 segment_not_found
    await db.execute(INSERT_JOB, {"job_id": job_id, "template_id": template_id,
                                  "source": source, "actor": actor, "now": now})
    if segment_id:
        await db.execute(LIST_SEGMENT_MEMBERS, {"job_id": job_id, "segment_id": segment_id})
    elif segment:
        query, params = segment_member_ids(segment, now, settings)
        await db.execute(text(f"INSERT INTO coupon_issue_members (job_id, member_id) "
                              f"SELECT CAST(:job_id AS uuid), member_id FROM ({query.text}) s"),
                         {**params, "job_id": job_id})
    else:
        await db.execute(LIST_MEMBERS, {"job_id": job_id, "members": list(member_ids or ())})
    return job_view((await db.execute(COUNT_MEMBERS, {"job_id": job_id, "now": now})).mappings().one())


async def job(db: AsyncConnection, job_id: uuid.UUID) -> dict | None:
    row = (await db.execute(text("SELECT * FROM coupon_issue_jobs WHERE job_id = :job_id"),
                            {"job_id": job_id})).mappings().first()
    return None if row is None else job_view(row)


async def next_running_job(db: AsyncConnection) -> uuid.UUID | None:
    return (await db.execute(NEXT_RUNNING)).scalar()


async def issue_batch(uow: UnitOfWork, job_id: uuid.UUID, size: int,
                      template: Mapping[str, Any]) -> int:
    """Issue the job's next `size` members their coupon; how many were issued (0: done)."""
    db, now = uow.connection, uow.clock.now()
    job_row = (await db.execute(LOCK_JOB, {"job_id": job_id})).mappings().one()
    if job_row["status"] != "running":
        return 0
    members = (await db.execute(NEXT_MEMBERS, {"job_id": job_id, "n": size,
                                               "cursor": job_row["cursor"] or ""})).scalars().all()
    if members:
        await lock_members(db, members)
        ids, codes = [uuid.uuid4() for _ in members], [new_code() for _ in members]
        until = now + timedelta(days=template["valid_days"])
        reason = f"bulk:{job_id}"
        await db.execute(INSERT_COUPONS, {
            "ids": ids, "codes": codes, "members": list(members), "now": now, "until": until,
            "reason": reason, **{k: template[k] for k in (
                "template_id", "kind", "value", "currency", "min_spend")}})
        await db.execute(MARK_ISSUED, {"job_id": job_id, "ids": ids, "members": list(members)})
        for coupon_id, code, member_id in zip(ids, codes, members, strict=True):
            uow.emit(CouponIssued(
                occurred_at=now, member_id=member_id, coupon_id=str(coupon_id), code=code,
                template_id=template["template_id"], kind=template["kind"],
                value=template["value"], currency=template["currency"],
                min_spend=template["min_spend"], valid_from=now, valid_until=until,
                reason=reason))
    finished = len(members) < size or job_row["issued"] + len(members) >= job_row["total"]
    await db.execute(ADVANCE, {"job_id": job_id, "n": len(members), "finished": finished,
                               "cursor": members[-1] if members else job_row["cursor"],
                               "now": now})
    return len(members)
