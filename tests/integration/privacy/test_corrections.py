"""Correction (docs/privacy.md): the member changes their contact details at the notifier and
their profile at tiering; the change takes effect, each is in an audit trail ops read with
`ops:pii` (who, when, which fields, old → new masked), nobody else reads the trail, and bad
values are refused as problem+json 422 with a stable code."""

from __future__ import annotations

import pytest

from tests.support.auth import member_headers, ops_headers, pos_headers

pytestmark = pytest.mark.integration

MEMBER = "m_fix"
PII = ops_headers("ops:pii")


async def test_a_contact_correction_changes_the_contact_and_is_in_the_audit_trail(clients):
    notifier, me = clients["notifier"], member_headers(MEMBER)
    contact = f"/v1/members/{MEMBER}/contact"
    first = await notifier.patch(contact, headers=me, json={"email": "old@example.com",
                                                            "phone": "+8613800001111"})
    fixed = await notifier.patch(contact, headers=me, json={"email": "new@example.org",
                                                            "preferred_channel": "sms"})
    assert (first.status_code, fixed.status_code) == (200, 200), (first.text, fixed.text)
    now = (await notifier.get(contact, headers=me)).json()
    assert (now["email"], now["phone"], now["preferred_channel"]) == (
        "new@example.org", "+8613800001111", "sms")

    trail = await notifier.get(f"{contact}/changes", headers=PII)
    assert trail.status_code == 200, trail.text
    assert [(c["actor"], c["changes"]) for c in trail.json()["items"]] == [
        (f"member:{MEMBER}", {"email": {"from": None, "to": "o***@example.com"},
                             "phone": {"from": None, "to": "***1111"}}),
        (f"member:{MEMBER}", {"email": {"from": "o***@example.com", "to": "n***@example.org"},
                             "preferred_channel": {"from": None, "to": "sms"}})]
    assert "new@example.org" not in trail.text and "1380000" not in trail.text

    unchanged = await notifier.patch(contact, headers=me, json={"email": "new@example.org"})
    assert unchanged.status_code == 200
    again = (await notifier.get(f"{contact}/changes", headers=PII)).json()["items"]
    assert len(again) == 2  # a correction that changes nothing is not audited

    for who, headers in (("the member", me), ("ops:report", ops_headers("ops:report")),
                         ("a terminal", pos_headers())):
        refused = await notifier.get(f"{contact}/changes", headers=headers)
        assert refused.status_code == 403, who
    bad = await notifier.patch(contact, headers=me, json={"email": "not an address"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_request")
    assert bad.headers["content-type"].startswith("application/problem+json")


async def test_a_profile_correction_changes_the_profile_and_is_in_the_audit_trail(clients):
    tiering, me = clients["tiering"], member_headers(MEMBER)
    enrolled = await tiering.post("/v1/members", headers=pos_headers(), json={
        "member_id": MEMBER, "phone": "+8613800002222", "birthday": "05-01"})
    assert enrolled.status_code == 201, enrolled.text
    fixed = await tiering.patch(f"/v1/members/{MEMBER}", headers=me, json={
        "phone": "+8613900003333", "birthday": "05-02", "locale": "en-GB"})
    assert fixed.status_code == 200, fixed.text
    assert {k: fixed.json()[k] for k in ("phone", "birthday", "locale", "email")} == {
        "phone": "+8613900003333", "birthday": "05-02", "locale": "en-GB", "email": None}

    trail = await tiering.get(f"/v1/members/{MEMBER}/corrections", headers=PII)
    assert trail.status_code == 200, trail.text
    [correction] = trail.json()["items"]
    assert (correction["actor"], correction["changes"]) == (f"member:{MEMBER}", {
        "phone": {"from": "***2222", "to": "***3333"},
        "birthday": {"from": "**-**", "to": "**-**"},
        "locale": {"from": "zh-CN", "to": "en-GB"}})
    assert (await tiering.get(f"/v1/members/{MEMBER}/corrections", headers=me)).status_code == 403
    other = await tiering.patch(f"/v1/members/{MEMBER}", headers=member_headers("m_other"),
                                json={"phone": "+8613900004444"})
    assert other.status_code == 403

    for body, code in (({"birthday": "02-30"}, "invalid_request"),
                       ({"phone": "call me"}, "invalid_request"),
                       ({"locale": None}, "locale_required"),
                       ({"name": "Mei"}, "invalid_request")):
        refused = await tiering.patch(f"/v1/members/{MEMBER}", headers=me, json=body)
        assert (refused.status_code, refused.json()["code"]) == (422, code), body
    missing = await tiering.patch("/v1/members/m_nobody", headers=member_headers("m_nobody"),
                                  json={"locale": "en-GB"})
    assert (missing.status_code, missing.json()["code"]) == (404, "member_not_found")
