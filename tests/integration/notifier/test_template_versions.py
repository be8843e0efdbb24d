"""Template versions on real PostgreSQL and the SMTP stand-in: a published wording is what
the next message of its kind says, on this replica at once and on a second one after its
periodic check; an invalid wording is refused with its line; going back to the release's
file is a version too, and the history says who and when."""

from __future__ import annotations

import hashlib

import pytest

from services.notifier.jobs.delivery import DeliveryJob
from services.notifier.rules.templates import TEMPLATES
from services.notifier.service import SPEC as NOTIFIER
from services.notifier.store.template_overrides import overrides_of
from shared.topics import Topics
from shared.transport import BusTransport
from tests.integration.notifier.conftest import START
from tests.integration.notifier.outreach import applied, deliver, messages, recharge, set_contact
from tests.support.auth import ops_headers
from tests.support.runtime import eventually, running

pytestmark = pytest.mark.integration

KIND = "recharge_receipt"
VERSIONS = f"/v1/templates/{KIND}/versions"
OPS = ops_headers("ops:config", user="ops_carol")


def wording(subject: str) -> dict:
    return {"locale": "en", "subject": subject,
            "body": "<p>{{ money(amount, currency) }} on {{ day(at) }}, ref {{ recharge_id }}.</p>"}


async def receipt_subjects(mailbox, address: str) -> list[str]:
    return [m["Subject"] for m in mailbox.to(address)]


async def test_a_published_version_is_used_by_the_next_message_on_both_replicas(
        notifier, client, transport, bus_platform, mailbox, settings):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_tv", email="tv@example.com", locale="en")
    first = await client.post(VERSIONS, headers=OPS, json=wording("Top-up {{ money(amount, currency) }}"))
    assert first.status_code == 201, first.text
    assert (first.json()["created_by"], first.json()["release_wording"]) == ("ops:ops_carol", False)

    await deliver(transport.bus, topics, recharge("m_tv", 50_000, START))
    await applied(db, 1)
    assert await DeliveryJob(notifier.context).run_once(START) == 1
    assert await receipt_subjects(mailbox, "tv@example.com") == ["Top-up CN¥500.00"]
    [message] = await messages(db, "m_tv")
    assert message["template_version"] == first.json()["digest"]

    # A second replica on the same database, with its own copy of the versions in use.
    second_settings = settings.model_copy(update={"template_check_seconds": 0.2})
    async with running(NOTIFIER, bus_platform, BusTransport(), clock=notifier.context.clock,
                       settings=second_settings) as other:
        copy = overrides_of(other.context.engine)
        await eventually(lambda: copy.wording(KIND, "en"), lambda w: w is not None)
        newer = await client.post(VERSIONS, headers=OPS, json=wording("Thanks for {{ recharge_id }}"))
        assert newer.status_code == 201, newer.text
        # published on the first replica; the second sees it by its periodic check
        await eventually(lambda: copy.wording(KIND, "en"), lambda w: w.startswith("Thanks for"))
        event = recharge("m_tv", 20_000, START)
        await deliver(transport.bus, topics, event)
        await applied(db, 2)
        assert await DeliveryJob(other.context).run_once(START) == 1
    assert await receipt_subjects(mailbox, "tv@example.com") == [
        "Top-up CN¥500.00", f"Thanks for {event.recharge_id}"]


async def test_an_invalid_wording_is_refused_with_its_line_and_nothing_is_published(client):
    broken = {**wording("Fine"), "body": "<p>one</p>\n{% if amount %}<p>never closed</p>"}
    unknown = {**wording("Fine"), "body": "<p>one</p>\n<p>{{ loyalty_points }}</p>"}
    in_subject = wording("Hello {{ first_name }}")
    for body, line, field in ((broken, 3, "body"), (unknown, 3, "body"), (in_subject, 1, "subject")):
        refused = await client.post(VERSIONS, headers=OPS, json=body)
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert (problem["code"], problem["line"]) == ("invalid_template", line), problem
        assert problem["errors"][0]["location"] == ["body", field]
        assert f"line {line}" in problem["detail"]
    for body, status, code in (({**wording("x"), "locale": "fr"}, 422, "locale_not_supported"),):
        refused = await client.post(VERSIONS, headers=OPS, json=body)
        assert (refused.status_code, refused.json()["code"]) == (status, code)
    missing = await client.post("/v1/templates/nope/versions", headers=OPS, json=wording("x"))
    assert (missing.status_code, missing.json()["code"]) == (404, "kind_not_found")
    denied = await client.post(VERSIONS, headers=ops_headers("ops:report"), json=wording("x"))
    assert denied.status_code == 403
    history = await client.get(VERSIONS, headers=OPS)
    assert history.json() == {"items": [], "next_cursor": None}


async def test_going_back_to_the_release_wording_is_a_version_with_who_and_when(
        notifier, client, transport, bus_platform, mailbox):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_rv", email="rv@example.com", locale="en")
    published = await client.post(VERSIONS, headers=OPS, json=wording("Ops wording"))
    assert published.status_code == 201
    back = await client.post(f"/v1/templates/{KIND}/revert", headers=ops_headers(
        "ops:config", user="ops_dan"), json={"locale": "en"})
    assert back.status_code == 201, back.text
    file_digest = hashlib.sha256((TEMPLATES / "en" / f"{KIND}.j2").read_bytes()).hexdigest()[:12]
    assert (back.json()["release_wording"], back.json()["digest"]) == (True, file_digest)

    await deliver(transport.bus, topics, recharge("m_rv", 50_000, START))
    await applied(db, 1)
    await DeliveryJob(notifier.context).run_once(START)
    assert await receipt_subjects(mailbox, "rv@example.com") == ["Recharge received: CN¥500.00"]
    [message] = await messages(db, "m_rv")
    assert message["template_version"] == file_digest

    history = (await client.get(VERSIONS, headers=OPS, params={"limit": 1})).json()
    [newest] = history["items"]
    assert (newest["created_by"], newest["subject"], newest["release_wording"]) == (
        "ops:ops_dan", None, True)
    older = (await client.get(VERSIONS, headers=OPS,
                              params={"limit": 1, "cursor": history["next_cursor"]})).json()
    assert [(v["created_by"], v["subject"]) for v in older["items"]] == [("ops:ops_carol", "Ops wording")]
    assert older["next_cursor"] is None
    assert newest["created_at"] and older["items"][0]["created_at"]
