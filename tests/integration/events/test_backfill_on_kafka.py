"""`patronage events export` on real Kafka and PostgreSQL: the events of recharges and a
purchase (the wallet's, and rewards' answers to them) come out of the outboxes in order and
equal to what a Kafka subscriber received, and the export puts nothing on any topic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from services.rewards.service import SPEC as REWARDS
from services.wallet.service import SPEC as WALLET
from shared.events.structured_mode import from_kafka_headers
from shared.messaging.kafka_offsets import KafkaOffsets
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.wallet.money import purchase, recharge
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]

UNPUBLISHED = """
    SELECT (SELECT count(*) FROM wallet.outbox WHERE published_at IS NULL)
         + (SELECT count(*) FROM rewards.outbox WHERE published_at IS NULL) AS waiting,
           (SELECT count(*) FROM rewards.inbox) AS rewards_applied,
           (SELECT count(*) FROM wallet.outbox WHERE ce_type LIKE '%RechargeCompleted%'
              OR ce_type LIKE '%PurchaseCompleted%') AS wallet_facts
"""


def export(platform, tmp_path: Path, *options: str) -> tuple[list[dict], str]:
    out = tmp_path / f"export-{len(list(tmp_path.iterdir()))}.jsonl"
    env = {**os.environ, "PATRONAGE_ENVIRONMENT": "test",
           "PATRONAGE_DATABASE_URL": platform.database_url}
    done = subprocess.run([sys.executable, "-m", "patronage", "events", "export", *options,
                           "--out", str(out)], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in out.read_text().splitlines()], done.stderr


def per_topic_and_member(events: list[dict]) -> dict[tuple[str, str], list[dict]]:
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for event in events:
        grouped[(event["source"], event["subject"])].append(event)
    return dict(grouped)


async def test_export_replays_what_subscribers_received_in_order_and_publishes_nothing(
        platform, kafka, tmp_path):
    topics = Topics(platform.topic_prefix)
    names = [topics.events("wallet"), topics.events("rewards")]
    transport = KafkaTransport(kafka.bootstrap_servers)
    async with running(WALLET, platform, transport) as wallet, \
            running(REWARDS, platform, transport):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wallet.app),
                                     base_url="http://wallet", headers=pos_headers()) as client:
            await recharge(client, "m_a", 50_000)
            await recharge(client, "m_b", 20_000)
            await purchase(client, "m_a", 3_000)
            await recharge(client, "m_a", 10_000)
        # rewards has answered all four facts and both relays have sent everything
        await eventually(lambda: fetch_all(platform.database_url, UNPUBLISHED),
                         lambda rows: rows[0]["waiting"] == 0 and rows[0]["wallet_facts"] == 4
                         and rows[0]["rewards_applied"] >= 4, timeout=60)
        await eventually(lambda: fetch_all(platform.database_url, UNPUBLISHED),
                         lambda rows: rows[0]["waiting"] == 0, timeout=30)
    offsets = KafkaOffsets(kafka.bootstrap_servers)
    try:
        before = await offsets.span(names)
        received = []
        for name in names:
            records = await read_topic(kafka.bootstrap_servers, name, before.of(name).size)
            received += sorted(records, key=lambda r: (r.partition, r.offset))
        exported, progress = export(platform, tmp_path, "--since", "2000-01-01")
        after = await offsets.span(names)
    finally:
        await offsets.close()

    assert after.end == before.end, "the export published something"
    assert "exported" in progress and str(len(received)) in progress
    subscriber = [from_kafka_headers(r.headers, r.value) for r in received]
    assert {e["source"] for e in subscriber} == {"/patronage/wallet", "/patronage/rewards"}
    # the same events, JSON-equal, and in each topic one member's in the order received
    assert sorted(exported, key=lambda e: e["id"]) == sorted(subscriber, key=lambda e: e["id"])
    assert per_topic_and_member(exported) == per_topic_and_member(subscriber)
    # across topics: a member's caused events come after their causes
    position = {e["id"]: index for index, e in enumerate(exported)}
    for event in exported:
        if (cause := event.get("causationid")) in position:
            assert position[cause] < position[event["id"]], event["type"]
    for topic in ("/patronage/wallet", "/patronage/rewards"):
        times = [e["time"] for e in exported if e["source"] == topic]
        assert times == sorted(times)
    wallet_types = [e["type"].split(".")[2] for e in exported
                    if e["source"] == "/patronage/wallet" and e["subject"] == "m_a"]
    assert [t for t in wallet_types if t.endswith("Completed")] == [
        "RechargeCompleted", "PurchaseCompleted", "RechargeCompleted"]

    only_a, _ = export(platform, tmp_path, "--since", "2000-01-01", "--member", "m_a",
                       "--types", "RechargeCompleted,patronage.wallet.PurchaseCompleted.v1")
    assert [e["type"] for e in only_a] == [
        "patronage.wallet.RechargeCompleted.v1", "patronage.wallet.PurchaseCompleted.v1",
        "patronage.wallet.RechargeCompleted.v1"]
    assert [e["data"] for e in only_a] == [e["data"] for e in exported
                                          if e["subject"] == "m_a" and e["id"] in
                                          {x["id"] for x in only_a}]
    last_time = max(e["time"] for e in exported)
    later, _ = export(platform, tmp_path, "--since", last_time)
    assert later and all(e["time"] >= last_time for e in later) and len(later) < len(exported)
    nothing, _ = export(platform, tmp_path, "--since", "2000-01-01", "--until", "2000-01-02")
    assert nothing == []
