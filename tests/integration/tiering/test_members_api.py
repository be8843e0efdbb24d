"""Enrolment and lookup over HTTP: who may enrol whom, problem+json for bad input."""

from __future__ import annotations

import pytest

from shared.http.paging import encode_cursor
from tests.integration.tiering.wallet_events import tiering_events
from tests.support.auth import member_headers, ops_headers, pos_headers

pytestmark = pytest.mark.integration


async def test_a_pos_enrols_a_member_at_its_store_and_contact_details_stay_private(client, bus_platform):
    response = await client.post("/v1/members", headers=pos_headers("store_9"), json={
        "member_id": "m_1", "member_number": "SH-0001", "birthday": "08-15", "locale": "en-GB",
        "phone": "+8613800000000", "email": "ann@example.com", "referral_code": "FRIEND1"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["store_id"], body["tier"], body["member_number"]) == ("store_9", "regular", "SH-0001")
    assert body["review_at"].startswith("2028-03-01")
    [event] = await tiering_events(bus_platform.database_url, "MemberEnrolled")
    # the birthday stays with tiering (announced on the day by MemberBirthday)
    assert (event["store_id"], event["birthday"], event["referral_code"]) == ("store_9", None, "FRIEND1")
    assert "phone" not in event and "email" not in event
    assert "08-15" not in str(event)


async def test_a_member_number_is_assigned_when_the_merchant_gives_none(client):
    first = await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_a"})
    second = await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_b"})
    numbers = first.json()["member_number"], second.json()["member_number"]
    assert numbers[0] != numbers[1] and all(n.startswith("M") for n in numbers)


async def test_lookup_by_member_id_and_by_member_number(client):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_2", "member_number": "N-2"})
    by_number = await client.get("/v1/members/by-number/N-2", headers=pos_headers())
    assert by_number.status_code == 200 and by_number.json()["member_id"] == "m_2"
    own = await client.get("/v1/members/m_2", headers=member_headers("m_2"))
    assert own.status_code == 200 and own.json()["member_number"] == "N-2"
    missing = await client.get("/v1/members/by-number/nope", headers=ops_headers("ops:report"))
    assert (missing.status_code, missing.json()["code"]) == (404, "member_not_found")


async def test_a_member_app_enrols_only_itself(client):
    own = await client.post("/v1/members", headers=member_headers("m_3"),
                            json={"member_id": "m_3", "channel": "app"})
    assert own.status_code == 201
    other = await client.post("/v1/members", headers=member_headers("m_3"),
                              json={"member_id": "m_4", "channel": "app"})
    assert (other.status_code, other.json()["code"]) == (403, "forbidden")
    as_pos = await client.post("/v1/members", headers=member_headers("m_5"),
                               json={"member_id": "m_5", "channel": "pos"})
    assert (as_pos.status_code, as_pos.json()["code"]) == (422, "channel_not_allowed")


async def test_members_see_only_themselves_and_terminals_only_their_stores(client):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_6"})
    peek = await client.get("/v1/members/m_6", headers=member_headers("m_7"))
    assert (peek.status_code, peek.json()["code"]) == (403, "forbidden")
    elsewhere = await client.post("/v1/members", headers=pos_headers("store_1"),
                                  json={"member_id": "m_8", "store_id": "store_2"})
    assert elsewhere.status_code == 403
    anonymous = await client.get("/v1/members/m_6")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthorized")


async def test_enrolling_twice_or_reusing_a_member_number_is_a_conflict(client):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_9", "member_number": "X"})
    again = await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_9"})
    assert (again.status_code, again.json()["code"]) == (409, "member_already_enrolled")
    reused = await client.post("/v1/members", headers=pos_headers(),
                               json={"member_id": "m_10", "member_number": "X"})
    assert (reused.status_code, reused.json()["code"]) == (409, "member_number_taken")


@pytest.mark.parametrize("body", [
    {"member_id": "m_x", "birthday": "02-30"},
    {"member_id": "m_x", "birthday": "13-01"},
    {"member_id": "m_x", "birthday": "1990-02-01"},
    {"member_id": "m_x", "locale": "not a locale"},
    {"member_id": "m_x", "channel": "fax"},
    {"member_id": "m_x", "email": "nobody"},
    {"member_id": ""},
    {"member_id": "m_x", "surprise": 1},
])
async def test_bad_enrolments_are_422_problems(client, body):
    response = await client.post("/v1/members", headers=pos_headers(), json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_request"


async def test_a_body_that_is_not_json_is_a_400_problem(client):
    response = await client.post("/v1/members", headers={**pos_headers(), "content-type": "application/json"},
                                 content=b"{nope")
    assert (response.status_code, response.json()["code"]) == (400, "malformed_json")


async def test_ops_list_members_by_tier_in_pages(client):
    for n in range(5):
        await client.post("/v1/members", headers=pos_headers(), json={"member_id": f"m_list_{n}"})
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "tier": "regular", **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/members", headers=ops_headers("ops:report"), params=params)
        assert response.status_code == 200, response.text
        seen += [m["member_id"] for m in response.json()["items"]]
        if not (cursor := response.json()["next_cursor"]):
            break
    assert seen == [f"m_list_{n}" for n in range(5)]
    refused = await client.get("/v1/members", headers=ops_headers("ops:config"))
    assert refused.status_code == 403
    for cursor in ("%%%", encode_cursor([7]), encode_cursor(["a\u0000"]), encode_cursor([1, 2])):
        garbage = await client.get("/v1/members", headers=ops_headers("ops:report"),
                                   params={"cursor": cursor})
        assert (garbage.status_code, garbage.json()["code"]) == (400, "invalid_cursor")
    too_many = await client.get("/v1/members", headers=ops_headers("ops:report"), params={"limit": 201})
    assert too_many.status_code == 422


async def test_the_openapi_document_lists_every_tiering_route(client):
    document = (await client.get("/openapi.json")).json()
    assert {"/v1/members", "/v1/members/by-number/{member_number}", "/v1/members/{member_id}/tier",
            "/v1/members/{member_id}/renewal-quotes", "/v1/tiers/rules", "/v1/reports/renewals",
            } <= set(document["paths"])


async def test_a_nul_character_anywhere_is_a_422_not_a_database_error(client):
    responses = [
        await client.get("/v1/members/a%00b", headers=pos_headers()),
        await client.get("/v1/members/a%00b/tier", headers=pos_headers()),
        await client.get("/v1/members/by-number/a%00b", headers=pos_headers()),
        await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m\u0000x"}),
        await client.post("/v1/members", headers=pos_headers(),
                          json={"member_id": "m_nul", "email": "a\u0000@b.cn"}),
        await client.get("/v1/members", headers=ops_headers("ops:report"), params={"tier": "a\u0000"}),
    ]
    assert [(r.status_code, r.json()["code"]) for r in responses] == [(422, "invalid_request")] * 6
