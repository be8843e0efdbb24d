"""Done-when of the referral service, on real Kafka and PostgreSQL with the four services
running: A refers B, B's recharge over the threshold rewards both sides once even when
every event is delivered twice, B's refund takes both rewards back; a self-referral and a
ring are never rewarded; a capped referrer's eleventh friend is recorded, not rewarded."""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx
import pytest

from services.referral.service import SPEC as REFERRAL
from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.events.cloudevents import decode
from shared.events.referral import ReferralQualified
from shared.events.tiering import MemberEnrolled
from shared.events.wallet import RechargeCompleted
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.referral.story import REVIEWER, Story, once
from tests.support.runtime import eventually, fetch_all, produce_raw, read_topic, running

pytestmark = pytest.mark.integration


async def services(stack: AsyncExitStack, platform, kafka) -> Story:
    transport = KafkaTransport(kafka.bootstrap_servers)
    runtimes = [await stack.enter_async_context(running(spec, platform, transport))
                for spec in (WALLET, TIERING, REWARDS, REFERRAL)]

    async def client(runtime) -> httpx.AsyncClient:
        return await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=runtime.app), base_url="http://test"))

    wallet, tiering, _, referral = [await client(r) for r in runtimes]
    return Story(tiering, wallet, referral, platform.database_url)


async def redeliver(kafka, topic: str, wanted) -> None:
    """Put every record of `topic` that `wanted(event)` picks on the topic a second time."""
    records = await read_topic(kafka.bootstrap_servers, topic, 1)
    records = await read_topic(kafka.bootstrap_servers, topic, len(records))
    again = [(r.key.decode(), r.value, list(r.headers)) for r in records
             if wanted(decode(r.value, r.headers))]
    assert again, f"nothing to redeliver on {topic}"
    await produce_raw(kafka.bootstrap_servers, topic, again)


async def test_both_sides_rewarded_once_under_redelivery_and_reversed_on_refund(platform, kafka):
    topics = Topics(platform.topic_prefix)
    async with AsyncExitStack() as stack:
        story = await services(stack, platform, kafka)
        await story.enrol("m_a")
        code = await story.code_of("m_a")
        await story.enrol("m_b", code)
        recharge = await story.recharge("m_b", 100_000)

        await eventually(lambda: story.referral_coupons("m_a", "m_b"), lambda c: len(c) == 2)
        await eventually(lambda: story.referral_points("m_a"), lambda p: p == [("earn", 100)])
        assert await story.referral_coupons("m_a", "m_b") == [
            ("m_a", "referral_friend_50", False), ("m_b", "referral_friend_50", False)]

        # every event of the story delivered a second time
        await redeliver(kafka, topics.events("tiering"),
                        lambda e: isinstance(e, MemberEnrolled) and e.member_id == "m_b")
        await redeliver(kafka, topics.events("wallet"),
                        lambda e: isinstance(e, RechargeCompleted) and e.member_id == "m_b")
        await redeliver(kafka, topics.events("referral"),
                        lambda e: isinstance(e, ReferralQualified))
        # the refund's events follow the duplicates on the same partitions (keys m_b, m_a):
        # once the reversal shows, every duplicate has been consumed
        await story.refund_recharge(recharge)
        await eventually(lambda: story.referral_points("m_a"),
                         lambda p: p == [("earn", 100), ("reverse", -100)])
        await eventually(lambda: story.referral_coupons("m_a", "m_b"),
                         lambda c: all(voided for *_, voided in c))
        assert await story.referral_coupons("m_a", "m_b") == [
            ("m_a", "referral_friend_50", True), ("m_b", "referral_friend_50", True)]
        assert await story.status_of("m_b") == "revoked"
        page = await story.page("m_a")
        assert (page["code"], page["invited"], page["qualified"]) == (code, 1, 0)


async def test_self_referral_and_ring_never_rewarded_capped_friend_recorded(platform, kafka):
    async with AsyncExitStack() as stack:
        story = await services(stack, platform, kafka)
        # self: a member who got a code before enrolling enrols with it
        own = await story.code_of("m_self")
        await story.enrol("m_self", own)
        await story.recharge("m_self", 100_000)

        # ring: E invites F; ops then attribute E late to F's code (A→B→A)
        await story.enrol("m_e")
        await story.enrol("m_f", await story.code_of("m_e"))
        await eventually(lambda: story.status_of("m_f"), lambda s: s == "registered")
        late = await story.referral.post("/v1/referrals", headers={**REVIEWER, **once()}, json={
            "invitee_id": "m_e", "code": await story.code_of("m_f"), "note": "asked at till"})
        assert late.status_code == 201, late.text
        assert late.json()["flags"] == ["ring"]
        await story.recharge("m_e", 100_000)
        await eventually(lambda: story.status_of("m_e"), lambda s: s == "held")

        # cap: G's eleven friends all qualify this month; the eleventh is capped
        await story.enrol("m_g")
        code = await story.code_of("m_g")
        friends = [f"m_g_friend_{i:02}" for i in range(11)]
        for friend in friends:
            await story.enrol(friend, code)
            await eventually(lambda f=friend: story.status_of(f), lambda s: s == "registered")
            await story.recharge(friend, 20_000)
            await eventually(lambda f=friend: story.status_of(f), lambda s: s != "registered")

        statuses = [await story.status_of(f) for f in friends]
        assert statuses == ["qualified"] * 10 + ["capped"]
        await eventually(lambda: story.referral_coupons(*friends), lambda c: len(c) == 10)
        assert [m for m, *_ in await story.referral_coupons(*friends)] == friends[:10]
        refused = await fetch_all(story.database_url, "SELECT reason FROM "
                                  "referral.attribution_refusals WHERE invitee_id = 'm_self'")
        assert [r["reason"] for r in refused] == ["self_referral"]
        assert await story.status_of("m_self") is None
        assert await story.referral_coupons("m_self", "m_e", "m_f") == []
        assert await story.referral_points("m_f") == []
        queue = await story.referral.get("/v1/reviews", headers=REVIEWER)
        assert [r["invitee_id"] for r in queue.json()["items"]] == ["m_e"]
        report = await story.referral.get("/v1/reports/program", headers=REVIEWER, params={
            "from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"})
        assert report.status_code == 200, report.text
        shown = report.json()
        assert (shown["qualified"], shown["capped"], shown["held"]) == (10, 1, 1)
        assert (shown["refused_codes"], shown["idle_after_qualifying"]) == (1, 10)
        assert shown["top_referrers"][0] == {"referrer_id": "m_g", "qualified": 10}
