"""The wallet's money-moving routes are rate-limited per member and per terminal key, and
wrong keys are locked out, on the real wallet and its database (nothing was limited before:
a refused request must also have written nothing)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.wallet.service import SPEC as WALLET
from shared.limit_settings import RequestLimitSettings
from shared.settings import PlatformSettings
from shared.transport import BusTransport
from tests.support.auth import pos_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
STORE = "store_1"


def limited(platform: PlatformSettings, **rates: object) -> PlatformSettings:
    return platform.model_copy(update={"limits": RequestLimitSettings(**rates)})


async def recharge(http: httpx.AsyncClient, member: str, terminal: str) -> httpx.Response:
    body = {"member_id": member, "amount": 1_000, "currency": "CNY", "payment_method": "cash",
            "payment_reference": "c-1", "store_id": STORE, "terminal_id": terminal,
            "pos_reference": uuid.uuid4().hex}
    return await http.post("/v1/recharges", json=body, headers={
        **pos_headers(STORE, terminal), "Idempotency-Key": uuid.uuid4().hex})


def client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://wallet")


def assert_rate_limited(answer: httpx.Response, limit: str) -> None:
    assert answer.status_code == 429, answer.text
    assert (answer.json()["code"], answer.json()["limit"]) == ("rate_limited", limit)
    assert int(answer.headers["Retry-After"]) >= 1


async def recharges_of(platform: PlatformSettings, member: str) -> int:
    rows = await fetch_all(platform.database_url,
                           "SELECT count(*) AS n FROM wallet.recharges WHERE member_id = $1", member)
    return rows[0]["n"]


async def test_recharges_for_one_member_are_limited_across_terminals(bus_platform):
    platform = limited(bus_platform, money_per_member="3/minute", money_per_credential="100/minute")
    async with running(WALLET, platform, BusTransport()) as wallet, client(wallet.app) as http:
        answers = [await recharge(http, "m_busy", f"pos_{n}") for n in range(4)]
        assert [a.status_code for a in answers[:3]] == [201] * 3, answers[0].text
        assert_rate_limited(answers[3], "member")
        assert (await recharge(http, "m_other", "pos_9")).status_code == 201
    assert await recharges_of(platform, "m_busy") == 3


async def test_recharges_by_one_terminal_are_limited(bus_platform):
    platform = limited(bus_platform, money_per_credential="4/minute", money_per_member="100/minute")
    async with running(WALLET, platform, BusTransport()) as wallet, client(wallet.app) as http:
        answers = [await recharge(http, f"m_{n}", "pos_1") for n in range(5)]
        assert [a.status_code for a in answers[:4]] == [201] * 4, answers[0].text
        assert_rate_limited(answers[4], "credential")
        assert (await recharge(http, "m_4", "pos_2")).status_code == 201


async def test_500_wrong_keys_are_locked_out_after_the_threshold(bus_platform):
    platform = limited(bus_platform, auth_failures_per_address="50/10minutes")
    async with running(WALLET, platform, BusTransport()) as wallet, client(wallet.app) as http:
        statuses = [(await http.get("/v1/wallets/m_1", headers={"X-Api-Key": f"guess-{n}"}))
                    .status_code for n in range(500)]
        assert statuses.count(401) == 50 and statuses[50:] == [429] * 450
        assert_rate_limited(await recharge(http, "m_1", "pos_1"), "address")
