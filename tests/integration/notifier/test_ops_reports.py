"""Ops recipients and scheduled reports on PostgreSQL, with a real SMTP server in the test
and the report delivery job run at chosen moments: the API (codes, paging, audit), one
email per recipient and report in the recipient's locale, a report published again with
a new event id sending nothing more, the unsubscribe link, a crash between two sends not
sending the first again, quiet hours and retries. The Kafka path: test_ops_reports_on_kafka.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.notifier.channels import Outgoing, TransientFailure
from services.notifier.handlers import on_scheduled_report_published
from services.notifier.jobs.delivery_log_retention import apply_delivery_log_retention
from services.notifier.jobs.report_delivery import ReportDeliveryJob
from services.notifier.rules.ops_reports import recipient_unsubscribe_token
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from tests.integration.notifier.conftest import START
from tests.integration.notifier.ops_reports import RECIPIENTS, add_recipient, weekly_report
from tests.support.auth import ops_headers
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration

CONFIG = ops_headers("ops:config")


@pytest.fixture
async def ops(notifier) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                                 base_url="http://notifier.test", headers=CONFIG) as client:
        yield client


@pytest.fixture
async def job(notifier) -> AsyncIterator[ReportDeliveryJob]:
    delivering = ReportDeliveryJob(notifier.context)
    yield delivering
    await delivering.client.aclose()


async def publish(notifier: ServiceRuntime, event) -> None:
    async with notifier.context.uow() as uow:
        await on_scheduled_report_published(event, uow, notifier.settings)


async def deliveries(notifier: ServiceRuntime) -> list[dict]:
    return await fetch_all(notifier.platform.database_url,
                           "SELECT * FROM notifier.report_deliveries ORDER BY recipient_id")


async def test_ops_add_list_and_remove_recipients_with_stable_codes_and_audit(notifier, ops):
    first = await add_recipient(ops, "ops@merchant.example", "zh-CN", ["weekly", "daily"])
    assert (first["report_kinds"], first["unsubscribed_at"]) == (["daily", "weekly"], None)
    for body, status, code in (
            ({"email": "ops@merchant", "locale": "en", "report_kinds": ["daily"]}, 422,
             "ops_recipient_email_invalid"),
            ({"email": "a@m.example", "locale": "en", "report_kinds": ["monthly"]}, 422,
             "unknown_report_kind"),
            ({"email": "a@m.example", "locale": "en", "report_kinds": []}, 422,
             "ops_recipient_no_report_kinds"),
            ({"email": "a@m.example", "locale": "en", "report_kinds": ["daily"],
              "time_zone": "Mars/Olympus"}, 422, "invalid_time_zone"),
            ({"email": "a@m.example", "locale": "fr", "report_kinds": ["daily"]}, 422,
             "invalid_request"),
            ({"email": "ops@merchant.example", "locale": "en", "report_kinds": ["daily"]}, 409,
             "ops_recipient_exists")):
        refused = await ops.post(RECIPIENTS, json=body)
        assert (refused.status_code, refused.json()["code"]) == (status, code), body
    await add_recipient(ops, "b@m.example", "en", ["daily"], time_zone="Europe/London")
    await add_recipient(ops, "c@m.example", "en", ["weekly"])
    one = (await ops.get(RECIPIENTS, params={"limit": 2})).json()
    two = (await ops.get(RECIPIENTS, params={"limit": 2, "cursor": one["next_cursor"]})).json()
    assert two["next_cursor"] is None
    assert sorted(r["email"] for r in one["items"] + two["items"]) == [
        "b@m.example", "c@m.example", "ops@merchant.example"]
    assert (await ops.delete(f"{RECIPIENTS}/{first['recipient_id']}")).status_code == 204
    gone = await ops.delete(f"{RECIPIENTS}/{first['recipient_id']}")
    assert (gone.status_code, gone.json()["code"]) == (404, "ops_recipient_not_found")
    assert (await ops.get(RECIPIENTS, headers=ops_headers("ops:report"))).status_code == 403

    audited = await fetch_all(notifier.platform.database_url,
                              "SELECT method, status FROM notifier.ops_audit ORDER BY audit_id")
    assert [(r["method"], r["status"]) for r in audited] == [
        ("POST", 201), ("POST", 422), ("POST", 422), ("POST", 422), ("POST", 422),
        ("POST", 422), ("POST", 409), ("POST", 201), ("POST", 201), ("DELETE", 204),
        ("DELETE", 404)]


async def test_each_recipient_gets_the_report_once_in_their_locale(notifier, ops, job, mailbox):
    en = await add_recipient(ops, "en@m.example", "en", ["weekly"])
    await add_recipient(ops, "zh@m.example", "zh-CN", ["daily", "weekly"])
    await add_recipient(ops, "daily@m.example", "en", ["daily"])
    gone = await add_recipient(ops, "gone@m.example", "en", ["weekly"])
    token = recipient_unsubscribe_token("link-test-secret", gone["recipient_id"])
    assert (await ops.get(f"{RECIPIENTS}/unsubscribe/{token}", headers={})).status_code == 200
    forged = await ops.post(f"{RECIPIENTS}/unsubscribe/{token[:-2]}xx", headers={})
    assert (forged.status_code, forged.json()["code"]) == (400, "invalid_unsubscribe_link")

    report = weekly_report(START)
    await publish(notifier, report)
    assert await job.run_once(START) == 2
    # rewards publishing the same report again (a new event id): nothing more queued or sent
    await publish(notifier, weekly_report(START, report.report_id))
    assert await job.run_once(START + timedelta(minutes=1)) == 0

    assert sorted(m["To"] for m in mailbox.received) == ["en@m.example", "zh@m.example"]
    [english], [chinese] = mailbox.to("en@m.example"), mailbox.to("zh@m.example")
    assert english["Subject"] == "Weekly report: February 22, 2027 – February 28, 2027"
    text = english.get_body(("plain",)).get_content()
    assert "Recharge volume: CN¥123,456.00" in text and "Renewal rate: 72.5%" in text
    assert "Bonuses held for review: 3 (CN¥1,500.00)" in text
    unsubscribe = "http://notifier.test/v1/ops-recipients/unsubscribe/"
    assert unsubscribe + recipient_unsubscribe_token("link-test-secret", en["recipient_id"]) in text
    assert chinese["Subject"] == "每周报告：2027年2月22日 – 2027年2月28日"
    assert "待审核赠送：3（¥1,500.00）" in chinese.get_body(("plain",)).get_content()
    rows = await deliveries(notifier)
    assert [(r["status"], r["attempts"]) for r in rows] == [("sent", 1), ("sent", 1)]
    assert all(r["source_event_id"] == report.event_id for r in rows)


class CrashOnSecond:
    """Sends the first message by the real channel, then the process 'dies' mid-send."""

    def __init__(self, channel) -> None:
        self.channel, self.calls = channel, 0

    async def send(self, message: Outgoing) -> str | None:
        self.calls += 1
        if self.calls == 2:
            raise asyncio.CancelledError("killed between two sends")
        return await self.channel.send(message)


async def test_a_crash_between_two_sends_does_not_send_the_first_again(notifier, ops, job, mailbox):
    for address in ("a@m.example", "b@m.example"):
        await add_recipient(ops, address, "en", ["weekly"])
    await publish(notifier, weekly_report(START))
    real, job.email = job.email, CrashOnSecond(job.email)
    with pytest.raises(asyncio.CancelledError):
        await job.run_once(START)
    job.email = real
    assert await job.run_once(START) == 1
    assert sorted(m["To"] for m in mailbox.received) == ["a@m.example", "b@m.example"]


class Unreachable:
    async def send(self, message: Outgoing) -> str | None:
        raise TransientFailure("SMTP unreachable")


async def test_quiet_hours_defer_and_failures_retry_then_fail(notifier, ops, job, mailbox):
    # 03:00 UTC is 03:00 in London: quiet until 08:00 there
    await add_recipient(ops, "london@m.example", "en", ["weekly"], time_zone="Europe/London")
    await publish(notifier, weekly_report(START))
    await job.run_once(START)
    [row] = await deliveries(notifier)
    assert (row["status"], row["next_attempt_at"]) == ("pending", datetime(2027, 3, 1, 8, tzinfo=UTC))

    real, job.email = job.email, Unreachable()
    at = datetime(2027, 3, 1, 8, tzinfo=UTC)
    for _ in range(notifier.settings.max_attempts):
        await job.run_once(at)
        [row] = await deliveries(notifier)
        at = row["next_attempt_at"] or at
    assert (row["status"], row["attempts"], row["last_error"]) == ("failed", 3, "SMTP unreachable")
    job.email = real
    assert await job.run_once(at + timedelta(days=1)) == 0 and mailbox.received == []


async def test_delivery_log_retention_deletes_old_finished_report_deliveries(notifier, ops, job):
    await add_recipient(ops, "a@m.example", "en", ["weekly"])
    for number, at in enumerate((START - timedelta(days=400), START - timedelta(days=400),
                                 START - timedelta(days=10))):
        async with notifier.context.uow() as uow:  # the clock moved back: rows made then
            uow.clock = FrozenClock(at)
            await on_scheduled_report_published(weekly_report(at, f"rpt_{number}"), uow,
                                                notifier.settings)
    await job.run_once(START - timedelta(days=400))  # the two old ones sent; the recent one waits
    assert await apply_delivery_log_retention(notifier.context, START) >= 1
    left = await deliveries(notifier)
    assert sorted((r["report_id"], r["status"]) for r in left) == [("rpt_2", "pending")]
