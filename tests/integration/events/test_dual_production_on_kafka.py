"""Dual production on real Kafka and PostgreSQL: one outbox write of a `v2` event puts
both `v2` and its `v1` copy on the topic, and a consumer that handles both versions
applies the fact once. The pair is test-only (tests/support/dual_versions.py), registered
for the test as a producer's module would register a real one."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert

from shared.events import catalog, dual_production
from shared.events.dual_production import older_copy_id
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support import probe
from tests.support.dual_versions import ProbeNotedV1, ProbeNotedV2, probe_noted_until
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration


async def on_noted_v1(event: ProbeNotedV1, uow, settings) -> None:
    await uow.connection.execute(insert(probe.applied).values(
        event_id=event.event_id, member_id=event.member_id, recharge_id=f"{event.note_id}@v1"))


async def on_noted_v2(event: ProbeNotedV2, uow, settings) -> None:
    await uow.connection.execute(insert(probe.applied).values(
        event_id=event.event_id, member_id=event.member_id, recharge_id=f"{event.note_id}@v2"))


async def test_one_write_publishes_both_versions_and_the_fact_is_applied_once(
        platform, kafka, monkeypatch):
    monkeypatch.setattr(dual_production, "DUAL_PRODUCTIONS",
                        (probe_noted_until(date(2099, 12, 31)),))
    for kind in (ProbeNotedV1, ProbeNotedV2):
        monkeypatch.setitem(catalog.BY_CE_TYPE, kind.ce_type(), kind)
    spec = replace(probe.SPEC, handlers={ProbeNotedV1: [on_noted_v1], ProbeNotedV2: [on_noted_v2]},
                   subscribes_to=("probe",))
    now = datetime.now(UTC)
    # written before the switch to v2: only v1 exists, and it must not be taken for a copy
    earlier = ProbeNotedV1(occurred_at=now, member_id="m-dual", note_id="n0", amount=100)
    fact = ProbeNotedV2(occurred_at=now, member_id="m-dual", note_id="n1", amount=250,
                        currency="CNY")

    async with running(spec, platform, KafkaTransport(kafka.bootstrap_servers)) as service:
        async with service.context.uow() as uow:
            uow.emit(earlier)
        async with service.context.uow() as uow:
            uow.emit(fact)
        records = await read_topic(kafka.bootstrap_servers,
                                   Topics(platform.topic_prefix).events("probe"), 3)
        stats = await eventually(lambda: service.consumer.stats,
                                 lambda s: s.applied + s.duplicates >= 3)

    headers = [dict(r.headers) for r in records]
    assert [h["ce_type"].decode() for h in headers] == [
        ProbeNotedV1.ce_type(), ProbeNotedV2.ce_type(), ProbeNotedV1.ce_type()]
    assert {r.partition for r in records} == {records[0].partition}  # one key, one partition
    copy = json.loads(records[2].value)
    assert headers[2]["ce_id"].decode() == str(older_copy_id(fact.event_id, 1))
    assert copy["event_id"] == str(older_copy_id(fact.event_id, 1))
    assert (copy["version"], copy["note_id"], copy["amount"]) == (1, "n1", 250)
    assert "currency" not in copy
    assert headers[2]["ce_time"] == headers[1]["ce_time"]

    rows = await fetch_all(platform.database_url,
                           "SELECT event_id, recharge_id FROM probe.applied ORDER BY seq")
    assert [(r["event_id"], r["recharge_id"]) for r in rows] == [
        (earlier.event_id, "n0@v1"), (fact.event_id, "n1@v2")]
    assert (stats.applied, stats.duplicates) == (2, 1)
