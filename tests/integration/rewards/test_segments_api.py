"""The segments API: rules refused with stable problem codes, immutable versions, a list
segment uploaded in bounded batches and read back paged, a kind that cannot change."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.integration.rewards.feed import api
from tests.support.auth import ops_headers
from tests.support.runtime import running

pytestmark = pytest.mark.integration
CONFIG = ops_headers("ops:config")


@pytest.fixture
async def rewards(bus_platform) -> AsyncIterator[ServiceRuntime]:
    async with running(REWARDS, bus_platform, BusTransport()) as runtime:
        yield runtime


@pytest.mark.parametrize(("body", "code"), [
    ({"name": "x", "rule": {"fact": "shoe_size", "op": "eq", "value": 42}}, "unknown_fact"),
    ({"name": "x", "rule": {"fact": "tier", "op": "gte", "value": "gold"}}, "unknown_operator"),
    ({"name": "x", "rule": {"all": "tier"}}, "invalid_segment_rule"),
    ({"name": "x"}, "invalid_segment_rule"),
    ({"name": "x", "kind": "list", "rule": {"all": []}}, "invalid_segment_rule"),
])
async def test_a_bad_rule_is_a_422_with_a_stable_code(rewards, body, code):
    async with api(rewards) as client:
        refused = await client.post("/v1/segments/s_bad/versions", headers=CONFIG, json=body)
        missing = await client.get("/v1/segments/s_bad/preview", headers=CONFIG)

    assert refused.status_code == 422 and refused.json()["code"] == code
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert missing.status_code == 404 and missing.json()["code"] == "segment_not_found"


async def test_a_list_segment_is_uploaded_in_batches_and_read_back_paged(rewards):
    async with api(rewards) as client:
        created = await client.post("/v1/segments/vip_list/versions", headers=CONFIG,
                                    json={"name": "VIP list", "kind": "list"})
        first = await client.post("/v1/segments/vip_list/members", headers=CONFIG,
                                  json={"member_ids": [f"m_{n}" for n in range(3)]})
        again = await client.post("/v1/segments/vip_list/members", headers=CONFIG,
                                  json={"member_ids": ["m_2", "m_3"]})
        too_many = await client.post("/v1/segments/vip_list/members", headers=CONFIG,
                                     json={"member_ids": [f"m_{n}" for n in range(1001)]})
        page_one = (await client.get("/v1/segments/vip_list/members?limit=3",
                                     headers=CONFIG)).json()
        page_two = (await client.get(f"/v1/segments/vip_list/members?limit=3&cursor="
                                     f"{page_one['next_cursor']}", headers=CONFIG)).json()
        to_rule = await client.post("/v1/segments/vip_list/versions", headers=CONFIG, json={
            "name": "VIP", "rule": {"fact": "tier", "op": "eq", "value": "gold"}})
        renamed = await client.post("/v1/segments/vip_list/versions", headers=CONFIG,
                                    json={"name": "VIP list 2027", "kind": "list"})
        versions = (await client.get("/v1/segments/vip_list/versions", headers=CONFIG)).json()

    assert created.status_code == 201 and created.json()["members"] == 0
    assert (first.json()["added"], again.json()["added"]) == (3, 1)
    assert too_many.status_code == 422
    assert [m["member_id"] for m in page_one["items"]] == ["m_0", "m_1", "m_2"]
    assert [m["member_id"] for m in page_two["items"]] == ["m_3"]
    assert page_two["next_cursor"] is None
    assert to_rule.status_code == 409 and to_rule.json()["code"] == "segment_kind_mismatch"
    assert renamed.json()["members"] == 4  # a new version keeps the uploaded members
    assert [(v["version"], v["name"]) for v in versions["items"]] == [
        (1, "VIP list"), (2, "VIP list 2027")]


async def test_members_cannot_be_uploaded_to_a_rule_segment(rewards):
    async with api(rewards) as client:
        await client.post("/v1/segments/golds/versions", headers=CONFIG, json={
            "name": "Gold", "rule": {"fact": "tier", "op": "eq", "value": "gold"}})
        refused = await client.post("/v1/segments/golds/members", headers=CONFIG,
                                    json={"member_ids": ["m_1"]})

    assert refused.status_code == 409 and refused.json()["code"] == "segment_not_a_list"
