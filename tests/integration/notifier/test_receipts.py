"""Providers' delivery receipts on the signed webhook: recorded against the message that
went out under the provider's id; unsigned, stale or unknown receipts refused."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest

from services.notifier.jobs.delivery import DeliveryJob
from services.notifier.rules.signatures import signature
from shared.topics import Topics
from tests.integration.notifier.conftest import START
from tests.integration.notifier.outreach import applied, deliver, expiring, messages, set_contact
from tests.integration.notifier.stand_ins import PROVIDER_SECRET

pytestmark = pytest.mark.integration


def signed(body: dict, at=START, secret: str = PROVIDER_SECRET) -> tuple[bytes, dict]:
    raw, timestamp = orjson.dumps(body), str(int(at.timestamp()))
    return raw, {"Content-Type": "application/json", "X-Patronage-Timestamp": timestamp,
                 "X-Patronage-Signature": signature(secret, timestamp, raw)}


async def test_a_signed_receipt_marks_the_message_delivered_and_others_are_refused(
        notifier, client, transport, bus_platform, provider):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_rcpt", phone="+8613800000003", preferred_channel="sms")
    await deliver(transport.bus, topics, expiring("m_rcpt", START))
    await applied(db, 1)
    await DeliveryJob(notifier.context).run_once(START)
    [accepted] = provider.accepted()

    receipt = {"message_id": accepted["message_id"], "status": "delivered",
               "at": "2027-03-01T03:00:05Z"}
    refusals = [
        ("sms", *signed(receipt, secret="wrong"), 401, "invalid_signature"),
        ("sms", *signed(receipt, at=START - timedelta(minutes=6)), 401, "stale_receipt"),
        ("sms", *signed({**receipt, "message_id": "prov-unknown"}), 404, "message_not_found"),
        ("push", *signed(receipt), 404, "message_not_found"),  # the id is the SMS provider's
        ("sms", *signed({**receipt, "status": "read"}), 422, "invalid_receipt"),
    ]
    for channel, raw, headers, status, code in refusals:
        refused = await client.post(f"/v1/delivery-receipts/{channel}", content=raw, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (status, code), (channel, code)
    assert (await messages(db, "m_rcpt"))[0]["receipt_status"] is None

    raw, headers = signed(receipt)
    assert (await client.post("/v1/delivery-receipts/sms", content=raw, headers=headers)).status_code == 204
    [message] = await messages(db, "m_rcpt")
    assert (message["receipt_status"], message["receipt_at"]) == ("delivered", START + timedelta(seconds=5))
    unsigned = await client.post("/v1/delivery-receipts/sms", content=raw,
                                 headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 422  # the signature headers are required
