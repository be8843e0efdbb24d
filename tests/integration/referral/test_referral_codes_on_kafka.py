"""ReferralCodeChanged on real Kafka and PostgreSQL (issue 20: before, a member's code was
made, rotated and deactivated without an event): each change is published once, keyed
by the code's owner, in order; asking again for an active code publishes nothing."""

from __future__ import annotations

import httpx
import pytest

from services.referral.service import SPEC as REFERRAL
from shared.events.cloudevents import decode
from shared.events.referral import ReferralCodeChanged
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.auth import member_headers
from tests.support.runtime import fetch_all, read_topic, running

pytestmark = pytest.mark.integration


async def test_making_rotating_and_deactivating_a_code_are_published(platform, kafka):
    me = member_headers("m_owner")
    path = "/v1/members/m_owner/referral-code"
    async with running(REFERRAL, platform, KafkaTransport(kafka.bootstrap_servers)) as referral:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=referral.app),
                                     base_url="http://referral") as client:
            first = (await client.post(path, headers=me)).json()["code"]
            assert (await client.post(path, headers=me)).json()["code"] == first  # no change
            second = (await client.post(f"{path}/rotate", headers=me)).json()["code"]
            assert (await client.post(f"{path}/deactivate", headers=me)).status_code == 200
            records = await read_topic(kafka.bootstrap_servers,
                                       Topics(platform.topic_prefix).events("referral"), 4)
            outbox = await fetch_all(platform.database_url, "SELECT count(*) FROM referral.outbox")

    changes = [decode(r.value, r.headers) for r in sorted(records, key=lambda r: r.offset)]
    assert all(isinstance(c, ReferralCodeChanged) for c in changes)
    assert [(c.code, c.status) for c in changes] == [
        (first, "active"), (first, "inactive"), (second, "active"), (second, "inactive")]
    assert {r.key for r in records} == {b"m_owner"} and outbox[0]["count"] == 4
