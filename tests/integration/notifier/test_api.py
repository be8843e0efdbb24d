"""The app's API: contacts, consents (audited), the inbox with unread counts, the
delivery log, unsubscribe links and the ops template preview; bad input is a 4xx."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from services.notifier.jobs.delivery import DeliveryJob
from shared.topics import Topics
from tests.integration.notifier.conftest import START
from tests.integration.notifier.outreach import (
    applied,
    consent,
    coupon,
    deliver,
    messages,
    recharge,
    set_contact,
)
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


async def test_a_member_keeps_contact_details_and_another_member_cannot_see_them(client):
    me = member_headers("m_c")
    assert (await client.get("/v1/members/m_c/contact", headers=me)).json()["email"] is None
    changed = await client.patch("/v1/members/m_c/contact", headers=me, json={
        "email": "c@example.com", "phone": "+8613800000002", "time_zone": "Europe/Paris"})
    assert changed.status_code == 200
    kept = await client.patch("/v1/members/m_c/contact", headers=me, json={"phone": None})
    assert kept.json() == {**changed.json(), "phone": None}

    other = await client.get("/v1/members/m_c/contact", headers=member_headers("m_other"))
    assert (other.status_code, other.json()["code"]) == (403, "forbidden")
    till = await client.get("/v1/members/m_c/contact", headers=pos_headers())
    assert (till.status_code, till.json()["code"]) == (403, "forbidden")
    no_pii = await client.get("/v1/members/m_c/contact", headers=ops_headers("ops:report"))
    assert (no_pii.status_code, no_pii.json()["code"]) == (403, "forbidden")
    assert (await client.get("/v1/members/m_c/contact", headers=ops_headers("ops:pii"))).json()[
        "email"] == "c@example.com"
    for bad in ({"time_zone": "Mars/Olympus"}, {"email": "nope"}, {"preferred_channel": "fax"},
                {"locale": "!!"}, {"unknown": 1}):
        refused = await client.patch("/v1/members/m_c/contact", headers=me, json=bad)
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v1/members/m_c/contact")).status_code == 401


async def test_consents_default_to_transactional_only_and_every_change_is_audited(
        client, bus_platform):
    me = member_headers("m_k")
    before = {(c["channel"], c["category"]): c for c in
              (await client.get("/v1/members/m_k/consents", headers=me)).json()}
    assert before[("email", "transactional")]["granted"] and not before[("email", "marketing")]["granted"]
    assert not before[("email", "marketing")]["explicit"]

    await consent(client, "m_k", "email", "marketing")
    await consent(client, "m_k", "email", "marketing")  # the same choice again: no audit row
    await consent(client, "m_k", "email", "marketing", granted=False)
    after = {(c["channel"], c["category"]): c for c in
             (await client.get("/v1/members/m_k/consents", headers=me)).json()}
    assert after[("email", "marketing")] == {"channel": "email", "category": "marketing",
                                             "granted": False, "explicit": True}
    audit = await fetch_all(bus_platform.database_url, "SELECT granted, actor FROM "
                            "notifier.consent_changes WHERE member_id = 'm_k' ORDER BY change_id")
    assert [(r["granted"], r["actor"]) for r in audit] == [(True, "member:m_k"), (False, "member:m_k")]
    bad = await client.put("/v1/members/m_k/consents/fax/marketing", headers=me, json={"granted": True})
    assert bad.status_code == 422


async def test_the_inbox_pages_newest_first_with_unread_counts(
        notifier, client, transport, bus_platform, clock):
    db, topics, me = bus_platform.database_url, Topics(bus_platform.topic_prefix), member_headers("m_in")
    for minutes in range(3):
        clock.set(START.replace(minute=minutes))
        await deliver(transport.bus, topics, recharge("m_in", 1_000 * (minutes + 1), clock.now()))
        await applied(db, minutes + 1)
        await DeliveryJob(notifier.context).run_once(clock.now())

    first = (await client.get("/v1/members/m_in/inbox?limit=2", headers=me)).json()
    assert first["unread"] == 3
    assert [m["subject"] for m in first["items"]] == ["充值成功：¥30.00", "充值成功：¥20.00"]
    rest = (await client.get(f"/v1/members/m_in/inbox?limit=2&cursor={first['next_cursor']}",
                             headers=me)).json()
    assert [m["subject"] for m in rest["items"]] == ["充值成功：¥10.00"] and rest["next_cursor"] is None

    read = await client.post(f"/v1/members/m_in/inbox/{first['items'][0]['message_id']}/read", headers=me)
    assert read.status_code == 204
    assert (await client.get("/v1/members/m_in/inbox", headers=me)).json()["unread"] == 2
    theirs = await client.post(f"/v1/members/m_x/inbox/{first['items'][1]['message_id']}/read",
                               headers=member_headers("m_x"))
    assert (theirs.status_code, theirs.json()["code"]) == (404, "message_not_found")
    for cursor in ("garbage", "WyJ4IiwgInkiXQ=="):  # not base64 JSON; a key of the wrong types
        bad = await client.get(f"/v1/members/m_in/inbox?cursor={cursor}", headers=me)
        assert (bad.status_code, bad.json()["code"]) == (400, "invalid_cursor")
    assert (await client.get("/v1/members/m_in/inbox?limit=0", headers=me)).status_code == 422

    log = (await client.get("/v1/members/m_in/notifications", headers=me)).json()["items"]
    assert [(m["kind"], m["status"], m["channel"]) for m in log] == \
        [("recharge_receipt", "sent", "inbox")] * 3


async def test_an_unsubscribe_link_stops_marketing_on_that_channel_and_nothing_else(
        notifier, client, transport, bus_platform, mailbox, clock):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_un", email="un@example.com", locale="en")
    await consent(client, "m_un", "email", "marketing")
    await consent(client, "m_un", "inbox", "marketing")
    await deliver(transport.bus, topics, coupon("m_un", START))
    await applied(db, 1)
    job = DeliveryJob(notifier.context)
    await job.run_once(START)
    [offer] = mailbox.to("un@example.com")
    link = re.search(r'href="(http://notifier\.test[^"]+)"', offer.get_body(("html",)).get_content())[1]

    assert (await client.get(link.replace("/v1/unsubscribe/", "/v1/unsubscribe/x"))).status_code == 400
    done = await client.get(link)
    assert done.status_code == 200 and "no more offers" in done.text
    assert (await client.post(link)).status_code == 200  # one-click again: no change

    tomorrow = START + timedelta(days=1)
    clock.set(tomorrow)
    await deliver(transport.bus, topics, coupon("m_un", tomorrow), recharge("m_un", 500, tomorrow))
    await applied(db, 3)
    await job.run_once(tomorrow)
    assert [m["Subject"] for m in mailbox.to("un@example.com")][1:] == ["Recharge received: CN¥5.00"]
    latest = (await messages(db, "m_un"))[-2:]
    assert {(m["kind"], m["channel"]) for m in latest} == {("coupon_issued", "inbox"),
                                                            ("recharge_receipt", "email")}
    audit = await fetch_all(db, "SELECT channel, granted, actor FROM notifier.consent_changes "
                            "WHERE member_id = 'm_un' ORDER BY change_id")
    assert [tuple(r) for r in audit][-1] == ("email", False, "unsubscribe_link")


async def test_ops_preview_a_template_with_samples_or_their_own_facts(client):
    ops = ops_headers("ops:config")
    sample = await client.post("/v1/templates/renewal_reminder/preview", headers=ops,
                               json={"locale": "en"})
    assert sample.status_code == 200
    assert sample.json()["subject"] == "Your membership ends in 7 days"
    own = await client.post("/v1/templates/tier_upgraded/preview", headers=ops, json={
        "locale": "zh-CN", "facts": {"from_tier": "silver", "to_tier": "diamond"}})
    assert own.json()["subject"] == "恭喜升级为 diamond 会员"

    missing = await client.post("/v1/templates/tier_upgraded/preview", headers=ops,
                                json={"locale": "en", "facts": {"to_tier": "gold"}})
    assert (missing.status_code, missing.json()["code"]) == (422, "facts_do_not_fit")
    for kind, body, status, code in (
            ("nope", {}, 404, "kind_not_found"),
            ("win_back", {"locale": "fr"}, 422, "locale_not_supported"),
            ("win_back", {"time_zone": "Nowhere/Here"}, 422, "invalid_time_zone")):
        refused = await client.post(f"/v1/templates/{kind}/preview", headers=ops, json=body)
        assert (refused.status_code, refused.json()["code"]) == (status, code)
    denied = await client.post("/v1/templates/win_back/preview", json={},
                               headers=ops_headers("ops:report"))
    assert denied.status_code == 403


async def test_ops_preview_a_draft_wording_in_both_locales_with_the_samples(client):
    ops = ops_headers("ops:config")
    drafts = {"en": "Welcome up, {{ to_tier }}!\n<p>From {{ from_tier }} to {{ to_tier }}.</p>",
              "zh-CN": "欢迎升级 {{ to_tier }}\n<p>{{ from_tier }} → {{ to_tier }}</p>"}
    shown = {locale: await client.post("/v1/templates/tier_upgraded/preview", headers=ops,
                                       json={"locale": locale, "draft": draft})
             for locale, draft in drafts.items()}
    filed = await client.post("/v1/templates/tier_upgraded/preview", headers=ops,
                              json={"locale": "en"})
    assert [r.status_code for r in shown.values()] == [200, 200]
    assert shown["en"].json()["subject"].startswith("Welcome up, ")
    assert shown["zh-CN"].json()["subject"].startswith("欢迎升级 ")
    assert shown["en"].json()["version"] != filed.json()["version"]  # the draft's own digest
    broken = await client.post("/v1/templates/tier_upgraded/preview", headers=ops,
                               json={"locale": "en", "draft": "Hi {% if %}\nbody"})
    unknown = await client.post("/v1/templates/tier_upgraded/preview", headers=ops,
                                json={"locale": "en", "draft": "Hi {{ nickname }}\nbody"})
    assert (broken.status_code, broken.json()["code"]) == (422, "invalid_template")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "facts_do_not_fit")
