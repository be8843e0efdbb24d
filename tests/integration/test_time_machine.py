"""Dev time travel (`patronage tick`), as a demo runs it: a member buys a year of membership
at its quote, the clock jumps eleven months in monthly steps, then walks day by day, and
the T-30 renewal reminder shows in the member's in-app inbox on its own day. The services
run as `patronage dev` runs them: in one process, on the in-process bus, on one
TravellingClock that the TimeMachine moves."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from patronage.time_machine import TimeMachine
from services.notifier.service import SPEC as NOTIFIER
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.clock import TravellingClock
from shared.transport import BusTransport
from tests.support.auth import member_headers, pos_headers
from tests.support.runtime import eventually, running

pytestmark = pytest.mark.integration


def client(runtime, headers: dict[str, str]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                             base_url="http://service", headers=headers)


async def test_a_tick_brings_the_t_minus_30_renewal_reminder_on_its_day(bus_platform):
    transport, clock = BusTransport(), TravellingClock()
    member = f"m_tick_{uuid.uuid4().hex[:6]}"
    async with running(TIERING, bus_platform, transport, clock=clock) as tiering, \
            running(WALLET, bus_platform, transport, clock=clock) as wallet, \
            running(NOTIFIER, bus_platform, transport, clock=clock) as notifier:
        async with client(tiering, pos_headers()) as pos_tiering:
            enrolled = await pos_tiering.post("/v1/members", json={
                "member_id": member, "email": f"{member}@example.com", "locale": "en"})
            assert enrolled.status_code == 201, enrolled.text
        async with client(tiering, member_headers(member)) as app:
            quotes = (await app.get(f"/v1/members/{member}/renewal-quotes")).json()["quotes"]
        [one_year] = [q for q in quotes if q["years"] == 1]
        async with client(wallet, pos_headers()) as till:
            bought = await till.post("/v1/purchases", headers={"Idempotency-Key": member}, json={
                "member_id": member, "order_reference": f"ord-{member}", "currency": "CNY",
                "total": one_year["price"], "store_id": "store_1",
                "items": [{"sku": one_year["product"]["sku"], "category": "membership",
                           "quantity": 1, "amount": one_year["price"],
                           "quote_token": one_year["quote_token"]}],
                "tenders": [{"method": "cash", "amount": one_year["price"]}]})
            assert bought.status_code == 201, bought.text
        async with client(tiering, member_headers(member)) as app:
            membership = await eventually(
                lambda: app.get(f"/v1/members/{member}/membership"),
                lambda answer: answer.json()["status"] == "active")
        term_end = datetime.fromisoformat(membership.json()["term_end"])

        machine = TimeMachine(clock, [tiering, wallet, notifier], transport.bus)
        # Steps at 04:00 UTC, noon in the notifier's default zone (Asia/Shanghai): a step in
        # its quiet hours would rightly hold the message until morning, and every later
        # daily step would fall in the night again.
        noon_before = (term_end - timedelta(days=35)).replace(hour=4, minute=0, second=0,
                                                              microsecond=0)
        # 30-day steps from now to that noon: as many as the calendar makes (11 or 12), the
        # last one landing on it
        month_steps = math.ceil((noon_before - clock.now()) / timedelta(days=30))
        months = [step async for step in machine.tick(noon_before, timedelta(days=30))]
        days = [step async for step in machine.tick(noon_before + timedelta(days=10),
                                                    timedelta(days=1))]

        async with client(notifier, member_headers(member)) as app:
            inbox = (await app.get(f"/v1/members/{member}/inbox")).json()["items"]

    assert len(months) == month_steps and len(days) == 10, (months, days)
    # the travelling clock runs on from where it lands: the last step is that noon, give or take
    assert abs(datetime.fromisoformat(months[-1]["at"]) - noon_before) < timedelta(seconds=5)
    assert all("tiering.tiering_schedule" not in step["ran"] for step in months)
    reminded = [step for step in days if "tiering.tiering_schedule" in step["ran"]]
    assert len(reminded) == 1, days
    [report] = reminded[0]["ran"]["tiering.tiering_schedule"]
    assert report["reminders"] == 1
    # on the day the 30-day point falls: between 30 and 29 days before the end
    reminded_at = datetime.fromisoformat(reminded[0]["at"])
    assert timedelta(days=29) <= term_end - reminded_at <= timedelta(days=30)
    assert [message["kind"] for message in inbox].count("renewal_reminder") == 1


async def test_a_tick_brings_the_birthday_greeting_on_the_day_and_only_once(bus_platform):
    transport, clock = BusTransport(), TravellingClock()
    member = f"m_bday_{uuid.uuid4().hex[:6]}"
    # Steps at 04:00 UTC, noon in Shanghai (the merchant's zone and the notifier's default):
    # a step in quiet hours would hold the greeting, as in the test above.
    noon = clock.now().replace(hour=4, minute=0, second=0, microsecond=0) + timedelta(days=1)
    birthday = (noon + timedelta(days=2)).strftime("%m-%d")
    if birthday == "02-29":  # celebrated on the 28th in a common year: not this test's point
        noon += timedelta(days=1)
        birthday = "03-01"
    async with running(TIERING, bus_platform, transport, clock=clock) as tiering, \
            running(NOTIFIER, bus_platform, transport, clock=clock) as notifier:
        async with client(tiering, pos_headers()) as pos_tiering:
            enrolled = await pos_tiering.post("/v1/members", json={
                "member_id": member, "birthday": birthday, "locale": "en"})
            assert enrolled.status_code == 201, enrolled.text
        async with client(notifier, member_headers(member)) as app:
            consented = await app.put(f"/v1/members/{member}/consents/inbox/marketing",
                                      json={"granted": True})
            assert consented.status_code == 200, consented.text
        machine = TimeMachine(clock, [tiering, notifier], transport.bus)
        days = [step async for step in machine.tick(noon, timedelta(days=1))]
        days += [step async for step in machine.tick(noon + timedelta(days=4), timedelta(days=1))]
        async with client(notifier, member_headers(member)) as app:
            inbox = (await app.get(f"/v1/members/{member}/inbox")).json()["items"]

    announced = [(step["at"], report["birthdays"]) for step in days
                 for report in step["ran"].get("tiering.tiering_schedule", [])
                 if report.get("birthdays")]
    assert len(announced) == 1, days
    local_day = datetime.fromisoformat(announced[0][0]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert local_day.strftime("%m-%d") == birthday
    assert [message["subject"] for message in inbox] == ["Happy birthday!"]
