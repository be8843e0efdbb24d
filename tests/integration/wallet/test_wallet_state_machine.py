"""A hypothesis RuleBasedStateMachine over the real wallet (HTTP API on PostgreSQL), next
to the in-memory model of its balances and lots (tests/unit/wallet/wallet_model.py):
recharges and their idempotent replays, purchases drawing principal and bonus, purchase and
recharge refunds, bonus credits (and a redelivered grant), time passing and bonus expiry,
operators' adjustments, freezes and unfreezes. After every step the wallet's balances are
the model's and every answer is as its OpenAPI document says (status, content type, body);
after every run `verify_ledger` finds nothing wrong.

CI runs a fixed seed and a bounded number of runs; the seed is printed. Replay or run
longer with PATRONAGE_WALLET_MACHINE_SEED and PATRONAGE_WALLET_MACHINE_EXAMPLES."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from services.wallet.handlers import on_bonuses_granted
from services.wallet.service import SPEC as WALLET
from services.wallet.settings import WalletSettings
from shared.clock import FrozenClock
from shared.transport import BusTransport
from tests.integration.fuzz.documented import Documented
from tests.integration.wallet.money import books_are_right, granted, purchase_body
from tests.support.auth import ops_headers, pos_headers
from tests.support.enrolment import enrol_in_wallet
from tests.support.runtime import running
from tests.unit.wallet.wallet_model import InMemoryWallet

pytestmark = pytest.mark.integration

SEED = int(os.environ.get("PATRONAGE_WALLET_MACHINE_SEED", "20261129"))
EXAMPLES = int(os.environ.get("PATRONAGE_WALLET_MACHINE_EXAMPLES", "15"))
STEPS = int(os.environ.get("PATRONAGE_WALLET_MACHINE_STEPS", "30"))
OPS = {"X-Api-Key": "", **ops_headers("ops:adjust", "ops:refund", "ops:report", "ops:risk")}
# the model is the ledger's, without caps or risk holds (test_risk_holds_on_kafka.py has those)
UNLIMITED = WalletSettings(max_balance=10**12, max_recharge=10**9, risk=())


def machine_over(runtime, client: httpx.AsyncClient, clock: FrozenClock,
                 loop: asyncio.AbstractEventLoop, seen: Counter,
                 documented: Documented) -> type[RuleBasedStateMachine]:

    def wait(coroutine):
        """Hypothesis runs the machine in a thread; the wallet lives on the test's loop."""
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    class WalletMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.member = f"m_sm_{uuid.uuid4().hex[:10]}"
            wait(enrol_in_wallet(runtime, self.member))
            self.model = InMemoryWallet(UNLIMITED.draw_policy, clock.now())
            self.recharge_ids: list[str] = []
            self.receipts: list[tuple[str, dict, dict]] = []  # (key, body, receipt)
            self.purchase_ids: list[str] = []
            self.frozen = False

        def post(self, path: str, body: dict, headers: dict | None = None,
                 key: str | None = None) -> httpx.Response:
            sent = {"Idempotency-Key": key or uuid.uuid4().hex, **(headers or {})}
            response = wait(client.post(path, json=body, headers=sent))
            documented.check(response)
            seen[(path.split("/")[-1] if "ops" in path or "refund" in path else path,
                  response.status_code)] += 1
            return response

        @initialize()
        def a_recharge_with_its_bonus(self):
            """Every run starts with money of both kinds, so that its purchases, refunds and
            expiry have something to work on whatever the rules drawn."""
            self.recharge(50_000)
            self.credit_bonus(0, 5_000, redelivered=False)

        @rule(amount=st.integers(1, 100_000))
        def recharge(self, amount):
            key, body = uuid.uuid4().hex, {
                "member_id": self.member, "amount": amount, "currency": "CNY",
                "payment_method": "cash", "payment_reference": "c", "pos_reference": uuid.uuid4().hex}
            response = self.post("/v1/recharges", body, key=key)
            if self.frozen:
                assert response.status_code == 423, response.text
                return
            assert response.status_code == 201, response.text
            self.model.recharge(amount)
            self.recharge_ids.append(response.json()["recharge_id"])
            self.receipts.append((key, body, response.json()))

        @precondition(lambda self: self.receipts)
        @rule(pick=st.integers(0, 10**6))
        def replay_recharge(self, pick):
            key, body, receipt = self.receipts[pick % len(self.receipts)]
            response = self.post("/v1/recharges", body, key=key)
            assert response.status_code == 201, response.text
            assert response.json()["recharge_id"] == receipt["recharge_id"]

        @precondition(lambda self: self.recharge_ids)
        @rule(pick=st.integers(0, 10**6), amount=st.integers(1, 50_000), redelivered=st.booleans())
        def credit_bonus(self, pick, amount, redelivered):
            index = pick % len(self.recharge_ids)
            grant = granted(self.member, self.recharge_ids[index], amount)
            for _ in range(2 if redelivered else 1):
                wait(self.run_handler(grant))
            seen[("bonus credited", self.model.credit_bonus(index, amount))] += 1

        async def run_handler(self, grant) -> None:
            async with runtime.context.uow() as uow:
                await on_bonuses_granted([grant], uow, runtime.settings)

        @rule(stored_value=st.integers(0, 150_000), other=st.integers(0, 20_000))
        def purchase(self, stored_value, other):
            if stored_value + other == 0:
                return
            response = self.post("/v1/purchases", purchase_body(self.member, stored_value, other))
            if self.frozen:
                assert response.status_code == 423, response.text
                return
            accepted = self.model.purchase(stored_value, other)
            assert response.status_code == (201 if accepted else 422), response.text
            if accepted:
                self.purchase_ids.append(response.json()["purchase_id"])
            else:
                assert response.json()["code"] == "insufficient_balance"

        @precondition(lambda self: self.purchase_ids)
        @rule(pick=st.integers(0, 10**6), amount=st.integers(1, 170_000))
        def refund_purchase(self, pick, amount):
            index = pick % len(self.purchase_ids)
            response = self.post(f"/v1/purchases/{self.purchase_ids[index]}/refunds", {"amount": amount})
            accepted = self.model.refund_purchase(index, amount)
            assert response.status_code == (201 if accepted else 422), response.text

        @precondition(lambda self: self.recharge_ids)
        @rule(pick=st.integers(0, 10**6), twice=st.booleans())
        def refund_recharge(self, pick, twice):
            index = pick % len(self.recharge_ids)
            for _ in range(2 if twice else 1):  # a recharge is refunded once: then 409
                response = self.post(f"/v1/recharges/{self.recharge_ids[index]}/refund",
                                     {"reason": "state machine"})
                accepted = self.model.refund_recharge(index)
                assert response.status_code == (201 if accepted else 409), response.text

        @rule(days=st.integers(1, 400))
        def time_passes(self, days):
            clock.advance(timedelta(days=days))
            response = wait(client.post("/v1/ops/expire-bonus-lots", headers=OPS))
            assert response.status_code == 200, response.text
            self.model.now = clock.now()
            seen[("bonus expired", self.model.expire() > 0)] += 1

        @rule(principal_delta=st.integers(-50_000, 50_000), bonus_delta=st.integers(-50_000, 50_000))
        def adjust(self, principal_delta, bonus_delta):
            response = self.post("/v1/ops/adjustments", {
                "member_id": self.member, "currency": "CNY", "principal_delta": principal_delta,
                "bonus_delta": bonus_delta, "reason": "state machine"}, OPS)
            accepted = (principal_delta or bonus_delta) != 0 and self.model.adjust(principal_delta,
                                                                                    bonus_delta)
            assert response.status_code == (201 if accepted else 422), response.text

        @precondition(lambda self: not self.frozen)
        @rule(twice=st.booleans())
        def freeze(self, twice):
            for expected in (201, 409)[: 2 if twice else 1]:  # a second freeze is a conflict
                response = self.post(f"/v1/ops/wallets/{self.member}/freeze", {"reason": "sm"}, OPS)
                assert response.status_code == expected, response.text
            self.frozen = True

        @precondition(lambda self: self.frozen)
        @rule()
        def unfreeze(self):
            response = self.post(f"/v1/ops/wallets/{self.member}/unfreeze", {"reason": "sm"}, OPS)
            assert response.status_code == 201, response.text
            self.frozen = False

        @invariant()
        def balances_are_the_models(self):
            response = wait(client.get(f"/v1/wallets/{self.member}"))
            documented.check(response)
            body = response.json()
            assert (body.get("principal", 0), body.get("bonus", 0)) == (
                self.model.lots_hold("principal"), self.model.lots_hold("bonus")), body
            assert body.get("frozen", False) == self.frozen, body
            assert self.model.invariant_violations() == []

        def teardown(self):
            wait(books_are_right(runtime))

    return WalletMachine


async def test_the_wallet_follows_its_model_step_by_step(bus_platform):
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    print(f"wallet state machine: seed {SEED}, {EXAMPLES} runs of up to {STEPS} steps "
          "(replay: PATRONAGE_WALLET_MACHINE_SEED; longer: PATRONAGE_WALLET_MACHINE_EXAMPLES)")
    async with running(WALLET, bus_platform, BusTransport(), clock=clock, settings=UNLIMITED) as runtime:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                                     base_url="http://wallet", headers=pos_headers()) as client:
            seen: Counter = Counter()
            machine = machine_over(runtime, client, clock, asyncio.get_running_loop(), seen,
                                   await Documented.of(client))
            seed(SEED)(machine)
            await asyncio.to_thread(run_state_machine_as_test, machine, settings=settings(
                max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
                suppress_health_check=list(HealthCheck)))
    print("wallet state machine outcomes:", dict(sorted(seen.items(), key=str)))
    # every run made money move (its initial recharge and bonus), and the steps went beyond
    # them; which other kinds of step ran is printed above (hypothesis' choice of rules
    # varies between runs even with the seed fixed, so it is not asserted)
    assert seen[("/v1/recharges", 201)] >= EXAMPLES and seen[("bonus credited", True)] >= EXAMPLES, seen
    assert sum(seen.values()) > 3 * EXAMPLES, seen
