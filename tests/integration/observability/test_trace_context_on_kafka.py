"""W3C trace context from an HTTP request into the outbox and the Kafka record's headers,
and out again in the consumer whose handling span is its child, on real Kafka and
PostgreSQL, with the spans recorded by an in-memory exporter."""

from __future__ import annotations

import uuid

import httpx
import orjson
import pytest
from opentelemetry.trace import SpanKind

from services.rewards.service import SPEC as REWARDS
from services.wallet.service import SPEC as WALLET
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all, read_topic, running
from tests.support.tracing import recorded_spans, traceparent_of

pytestmark = pytest.mark.integration
TRACE_ID, CALLER_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"


def headers_of(record) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


async def test_a_requests_trace_continues_through_kafka_into_the_consumer(platform, kafka):
    spans = recorded_spans()
    spans.clear()
    transport, topics = KafkaTransport(kafka.bootstrap_servers), Topics(platform.topic_prefix)
    body = {"member_id": "m_traced", "amount": 80_000, "currency": "CNY",
            "payment_method": "alipay", "payment_reference": "ali-1", "store_id": "store_1",
            "terminal_id": "pos_3", "channel": "pos", "pos_reference": uuid.uuid4().hex}

    async with running(WALLET, platform, transport) as wallet, running(REWARDS, platform, transport):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://wallet") as client:
            response = await client.post("/v1/recharges", json=body, headers={
                **pos_headers("store_1", "pos_3"), "Idempotency-Key": "traced-1",
                "traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"})
        assert response.status_code == 201
        decision = (await read_topic(kafka.bootstrap_servers, topics.events("rewards"), 1))[0]

        def handling_spans():
            return [s for s in spans.get_finished_spans() if s.kind == SpanKind.CONSUMER
                    and s.name == "rewards process RechargeCompleted"]
        [handled] = await eventually(handling_spans, lambda found: len(found) == 1)

    requests = [s for s in spans.get_finished_spans()
                if s.kind == SpanKind.SERVER and s.name == "POST /v1/recharges"]
    assert len(requests) == 1, [(s.name, s.parent, s.attributes) for s in requests]
    [request] = requests
    assert f"{request.context.trace_id:032x}" == TRACE_ID
    assert f"{request.parent.span_id:016x}" == CALLER_SPAN  # continues the caller's trace

    [row] = await fetch_all(platform.database_url,
                            "SELECT headers FROM wallet.outbox WHERE key = 'm_traced'")
    record = (await read_topic(kafka.bootstrap_servers, topics.events("wallet"), 1))[0]
    assert record.key == b"m_traced"
    stored = orjson.loads(row["headers"]) if isinstance(row["headers"], str) else row["headers"]
    assert stored["ce_traceparent"] == traceparent_of(request)
    assert headers_of(record)["ce_traceparent"] == traceparent_of(request)

    assert handled.context.trace_id == request.context.trace_id
    assert handled.parent.span_id == request.context.span_id  # the consumer's span: a child
    # and what rewards decided carries rewards' handling span on to the next consumer
    assert headers_of(decision)["ce_traceparent"] == traceparent_of(handled)
