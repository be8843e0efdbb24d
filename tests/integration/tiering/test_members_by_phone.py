"""Ops find members by phone (GET /v1/members/by-phone, `ops:pii`): numbers compare by
their digits, as tiering stores them typed; 0, 1 or several matches, paged; on the index
`members_by_phone` (migration 0011)."""

from __future__ import annotations

import asyncpg
import pytest

from shared.db.engine import plain_url
from tests.support.auth import member_headers, ops_headers, pos_headers

pytestmark = pytest.mark.integration
PII = ops_headers("ops:pii")


async def enrol(client, member_id: str, phone: str | None) -> None:
    response = await client.post("/v1/members", headers=pos_headers(), json={
        "member_id": member_id, **({"phone": phone} if phone else {})})
    assert response.status_code == 201, response.text


async def by_phone(client, phone: str, **params: object):
    return await client.get("/v1/members/by-phone", params={"phone": phone, **params},
                            headers=PII)


async def test_phone_lookup_finds_none_one_or_several_members_by_the_digits(client):
    await enrol(client, "m_p1", "+86 138-0000-1111")
    await enrol(client, "m_p2", "8613800002222")
    await enrol(client, "m_p3", "+86 138 0000 2222")  # a shared (family) number
    await enrol(client, "m_p4", None)

    none = await by_phone(client, "+8613800009999")
    assert (none.status_code, none.json()) == (200, {"items": [], "next_cursor": None})
    one = (await by_phone(client, "8613800001111")).json()
    assert [(m["member_id"], m["phone"]) for m in one["items"]] == [("m_p1", "+86 138-0000-1111")]
    several = (await by_phone(client, "+86-138-0000-2222")).json()
    assert [m["member_id"] for m in several["items"]] == ["m_p2", "m_p3"]

    first = (await by_phone(client, "8613800002222", limit=1)).json()
    assert [m["member_id"] for m in first["items"]] == ["m_p2"] and first["next_cursor"]
    rest = (await by_phone(client, "8613800002222", limit=1, cursor=first["next_cursor"])).json()
    assert [m["member_id"] for m in rest["items"]] == ["m_p3"] and rest["next_cursor"] is None


async def test_phone_lookup_needs_ops_pii_and_a_number(client):
    await enrol(client, "m_q1", "+8613800003333")
    for headers in (ops_headers("ops:report"), pos_headers(), member_headers("m_q1")):
        refused = await client.get("/v1/members/by-phone", params={"phone": "+8613800003333"},
                                   headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert (await client.get("/v1/members/by-phone", params={"phone": "x"})).status_code == 401
    for bad in ("- - -", "call me", ""):
        answer = await by_phone(client, bad)
        assert answer.status_code == 422, bad
        assert answer.headers["content-type"] == "application/problem+json"
    assert (await by_phone(client, "-----")).json()["code"] == "phone_too_short"
    garbled = await by_phone(client, "+8613800003333", cursor="garbage")
    assert (garbled.status_code, garbled.json()["code"]) == (400, "invalid_cursor")


async def test_the_lookup_uses_the_phone_digits_index(bus_platform):
    connection = await asyncpg.connect(plain_url(bus_platform.database_url))
    try:
        async with connection.transaction():
            await connection.execute("SET LOCAL enable_seqscan = off")
            plan = "\n".join(row[0] for row in await connection.fetch(
                "EXPLAIN SELECT * FROM tiering.members WHERE phone IS NOT NULL AND "
                "regexp_replace(phone, '[^0-9]', '', 'g') = '8613800001111'"))
    finally:
        await connection.close()
    assert "members_by_phone" in plan, plan
