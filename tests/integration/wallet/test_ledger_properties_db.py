"""The property test's random sequences, run against PostgreSQL through the HTTP API next
to the in-memory model: the service accepts and refuses exactly what the model does, ends
with the same balances, and `verify_ledger` finds nothing wrong."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.wallet.service import SPEC as WALLET
from services.wallet.settings import WalletSettings
from services.wallet.store.bonuses import credit_bonuses
from shared.clock import FrozenClock
from shared.transport import BusTransport
from tests.integration.wallet.hypothesis_on_loop import run_on_this_loop
from tests.integration.wallet.money import OPS, books_are_right, granted, key, purchase_body
from tests.support.auth import pos_headers
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import running
from tests.unit.wallet.operations import apply, operation
from tests.unit.wallet.wallet_model import InMemoryWallet

pytestmark = pytest.mark.integration
OPS_ONLY = {"X-Api-Key": "", **OPS}


class ServiceDriver:
    """Applies the model's operations to the real wallet, for one member."""

    def __init__(self, runtime, client: httpx.AsyncClient, clock: FrozenClock) -> None:
        self.runtime, self.client, self.clock = runtime, client, clock
        self.member = f"m_{uuid.uuid4().hex[:10]}"
        self.recharges: list[str] = []
        self.purchases: list[str] = []

    async def apply(self, op: tuple) -> bool:
        name, *args = op
        return await getattr(self, name)(*args)

    async def recharge(self, amount: int) -> bool:
        response = await self.client.post("/v1/recharges", headers=key(), json={
            "member_id": self.member, "amount": amount, "currency": "CNY",
            "payment_method": "cash", "payment_reference": "c", "store_id": "store_1",
            "terminal_id": "pos_1", "pos_reference": uuid.uuid4().hex})
        self.recharges.append(response.json()["recharge_id"])
        return response.status_code == 201

    async def credit_bonus(self, index: int, amount: int) -> bool:
        if not self.recharges:
            return False
        _, bonus_before = await self.balances()
        async with self.runtime.context.uow() as uow:
            await credit_bonuses([granted(self.member, self.recharges[index % len(self.recharges)],
                                          amount)], uow, 12)
        return (await self.balances())[1] > bonus_before

    async def purchase(self, stored_value: int, other: int) -> bool:
        if stored_value + other == 0:
            return False
        response = await self.client.post("/v1/purchases", headers=key(),
                                          json=purchase_body(self.member, stored_value, other))
        if response.status_code == 201:
            self.purchases.append(response.json()["purchase_id"])
        return response.status_code == 201

    async def refund_purchase(self, index: int, amount: int) -> bool:
        if not self.purchases:
            return False
        response = await self.client.post(
            f"/v1/purchases/{self.purchases[index % len(self.purchases)]}/refunds",
            headers=key(), json={"amount": amount})
        return response.status_code == 201

    async def refund_recharge(self, index: int) -> bool:
        if not self.recharges:
            return False
        response = await self.client.post(
            f"/v1/recharges/{self.recharges[index % len(self.recharges)]}/refund",
            headers=key(), json={"reason": "property test"})
        return response.status_code == 201

    async def advance(self, days: int) -> bool:
        self.clock.advance(timedelta(days=days))
        response = await self.client.post("/v1/ops/expire-bonus-lots", headers=OPS_ONLY)
        return response.status_code == 200

    async def adjust(self, principal_delta: int, bonus_delta: int) -> bool:
        if principal_delta == 0 and bonus_delta == 0:
            return False
        response = await self.client.post("/v1/ops/adjustments", headers={**key(), **OPS_ONLY}, json={
            "member_id": self.member, "currency": "CNY", "principal_delta": principal_delta,
            "bonus_delta": bonus_delta, "reason": "property test"})
        return response.status_code == 201

    async def balances(self) -> tuple[int, int]:
        body = (await self.client.get(f"/v1/wallets/{self.member}")).json()
        return body["principal"], body["bonus"]


async def test_random_sequences_in_postgres_match_the_model_and_keep_the_books(bus_platform):
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    # the model is the ledger's, without risk holds (test_risk_holds_on_kafka.py has those)
    unlimited = WalletSettings(max_balance=10**12, max_recharge=10**9, risk=())
    ran: list[int] = []
    async with running(WALLET, bus_platform, BusTransport(), clock=clock, settings=unlimited) as runtime:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                                     base_url="http://wallet", headers=pos_headers()) as client:

            @settings(max_examples=60, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])
            @given(ops=st.lists(operation, min_size=5, max_size=25))
            async def run(ops):
                ran.append(len(ops))
                driver = ServiceDriver(runtime, client, clock)
                # a registered member: the registered caps are the ones lifted above
                await enrol_in_wallet(runtime, driver.member)
                model = InMemoryWallet(unlimited.draw_policy, clock.now())
                for op in ops:
                    model.now = clock.now()
                    expected = apply(model, op)
                    assert await driver.apply(op) == expected, op
                    assert model.now == clock.now()
                assert await driver.balances() == (model.lots_hold("principal"),
                                                   model.lots_hold("bonus"))

            await run_on_this_loop(run)
            await books_are_right(runtime)
    assert len(ran) >= 60 and sum(ran) >= 300, ran

