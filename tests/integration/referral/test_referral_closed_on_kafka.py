"""ReferralClosed on real Kafka and PostgreSQL (issue 20: before, a rejected, capped,
expired or held-then-refunded referral changed the referrer's page and told no
subscriber): ops reject a held referral, and the expiry sweep closes one whose window
passed; both reach `referral.events`, keyed by the referrer."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.referral.service import SPEC as REFERRAL
from services.referral.store.expiry import expire_due
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.events.cloudevents import decode
from shared.events.referral import ReferralClosed
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.referral.story import REVIEWER, Story, once
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration


async def test_a_rejected_and_an_expired_referral_are_published_closed(platform, kafka):
    transport = KafkaTransport(kafka.bootstrap_servers)
    async with AsyncExitStack() as stack:
        wallet, tiering, referral = [await stack.enter_async_context(running(s, platform, transport))
                                     for s in (WALLET, TIERING, REFERRAL)]
        wallet_api, tiering_api, referral_api = [
            await stack.enter_async_context(httpx.AsyncClient(
                transport=httpx.ASGITransport(app=r.app), base_url="http://test"))
            for r in (wallet, tiering, referral)]
        story = Story(tiering_api, wallet_api, referral_api, platform.database_url)
        enrolled = await tiering_api.post("/v1/members", headers=pos_headers(),
                                          json={"member_id": "m_a", "device_hash": "dev-a"})
        assert enrolled.status_code == 201, enrolled.text
        code = await eventually(lambda: story.code_of("m_a"), lambda c: bool(c))
        # the referrer's device is known to referral before the invitee enrols (two members'
        # enrolments are on two partitions, in no order), so the same-device rule can fire
        await eventually(lambda: fetch_all(platform.database_url,
                                           "SELECT 1 FROM referral.members WHERE member_id = 'm_a'"),
                         lambda rows: len(rows) == 1)
        same_device = await tiering_api.post("/v1/members", headers=pos_headers(), json={
            "member_id": "m_twin", "device_hash": "dev-a", "referral_code": code})
        assert same_device.status_code == 201, same_device.text
        await story.enrol("m_idle", code)
        await eventually(lambda: story.status_of("m_twin"), lambda s: s == "registered")
        await story.recharge("m_twin", 10_000)
        await eventually(lambda: story.status_of("m_twin"), lambda s: s == "held")
        [held] = (await referral_api.get("/v1/reviews", headers=REVIEWER)).json()["items"]
        rejected = await referral_api.post(f"/v1/reviews/{held['referral_id']}/reject",
                                           headers={**REVIEWER, **once()},
                                           json={"note": "one device, two accounts"})
        assert rejected.status_code == 200, rejected.text
        await eventually(lambda: story.status_of("m_idle"), lambda s: s == "registered")
        swept = await expire_due(referral.context.uow, datetime.now(UTC) + timedelta(days=3650))

        # two registered, one held, one rejected, one expired
        records = await read_topic(kafka.bootstrap_servers,
                                   Topics(platform.topic_prefix).events("referral"), 5,
                                   distinct=lambda r: dict(r.headers)["ce_id"])

    closing = [r for r in records if dict(r.headers)["ce_type"] == ReferralClosed.ce_type().encode()]
    closed = sorted((decode(r.value, r.headers) for r in closing), key=lambda e: e.outcome)
    assert swept == 1
    assert [(e.invitee_id, e.outcome, e.reasons, e.decided_by) for e in closed] == [
        ("m_idle", "expired", ("window_closed",), "referral"),
        ("m_twin", "rejected", ("same_device",), "ops:ops_rita")]
    assert {e.member_id for e in closed} == {"m_a"}
    assert {r.key for r in closing} == {b"m_a"}
