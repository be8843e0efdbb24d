"""ConsentChanged on real Kafka and PostgreSQL (issue 20: before, a consent given or
withdrawn changed what the member may be sent and told no subscriber): the member's own
choice and an unsubscribe link's are published once each, keyed by the member, without an
address; a choice that changes nothing publishes nothing."""

from __future__ import annotations

import httpx
import pytest

from services.notifier.rules.unsubscribe import unsubscribe_token
from services.notifier.service import SPEC as NOTIFIER
from shared.events.cloudevents import decode
from shared.events.notifier import ConsentChanged
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.auth import member_headers
from tests.support.runtime import fetch_all, read_topic, running

pytestmark = pytest.mark.integration


async def test_each_consent_change_is_published_once(platform, kafka):
    me = member_headers("m_consent")
    async with running(NOTIFIER, platform, KafkaTransport(kafka.bootstrap_servers)) as notifier:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                                     base_url="http://notifier") as client:
            for granted in (True, True):  # the second changes nothing
                answer = await client.put("/v1/members/m_consent/consents/sms/marketing",
                                          headers=me, json={"granted": granted})
                assert answer.status_code == 200, answer.text
            secret = notifier.settings.link_secret.get_secret_value()
            link = await client.post(f"/v1/unsubscribe/{unsubscribe_token(secret, 'm_consent', 'sms')}")
            assert link.status_code == 200, link.text
            records = await read_topic(kafka.bootstrap_servers,
                                       Topics(platform.topic_prefix).events("notifier"), 2)
            outbox = await fetch_all(platform.database_url,
                                     "SELECT ce_type FROM notifier.outbox ORDER BY position")

    changes = [decode(r.value, r.headers) for r in records]
    assert all(isinstance(c, ConsentChanged) for c in changes)
    assert [(c.channel, c.category, c.granted, c.actor) for c in changes] == [
        ("sms", "marketing", True, "member:m_consent"),
        ("sms", "marketing", False, "unsubscribe_link")]
    assert {r.key for r in records} == {b"m_consent"}
    assert [r["ce_type"] for r in outbox] == [ConsentChanged.ce_type()] * 2
