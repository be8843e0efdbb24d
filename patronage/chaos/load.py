"""The chaos suite's mixed load: member journeys started at a steady rate (enrol at a
store, recharge, buy from stored value, sometimes refund part of a purchase), and an ops
reviewer that approves or rejects every bonus the fraud screen holds.

Busy members recharge more than three times within minutes, so the screen's
`member_velocity` rule holds their later bonuses for review. Every member stays below the
first tier's thresholds (lifetime recharge under 3,000.00, spend under 5,000.00), so the
points each purchase earns are x1 and can be recomputed from the wallet's ledger alone.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from patronage.chaos.client import Client, ops_headers, pos_headers
from patronage.chaos.stack import ChaosStack

AMOUNTS = (10000, 20000, 50000)  # 100, 200, 500.00: the bonus ladder's rungs
TERMINALS = 40  # the screen's terminal_velocity rule (20 in 10 min) must not hold them all


class Load:
    def __init__(self, stack: ChaosStack, client: Client, seed: int) -> None:
        self.stack, self.client, self.random = stack, client, random.Random(seed)
        self.run_id = f"{seed:x}"
        self.members: list[str] = []

    def url(self, service: str, path: str) -> str:
        return f"{self.stack.services[service].base_url}{path}"

    async def run(self, seconds: float, members_per_second: float,
                  until: Callable[[], bool] = lambda: True) -> None:
        """Start journeys for `seconds` and then until `until()` (every fault has had its
        turn), then wait for every journey to end."""
        journeys: list[asyncio.Task] = []
        end = time.monotonic() + seconds
        index = 0
        while time.monotonic() < end or not until():
            member = f"chaos-{self.run_id}-{index}"
            self.members.append(member)
            journeys.append(asyncio.create_task(self.journey(member, index)))
            index += 1
            await asyncio.sleep(self.random.expovariate(members_per_second))
        await asyncio.gather(*journeys)

    async def journey(self, member: str, index: int) -> None:
        rng = random.Random(f"{self.run_id}-{index}")
        terminal = f"pos_{index % TERMINALS}"
        pos = pos_headers(terminal)
        if not await self.enrol(member, pos):
            return
        await self.wait_registered(member, pos)
        busy = rng.random() < 0.3
        for n in range(rng.randint(4, 5) if busy else rng.randint(1, 2)):
            await self.recharge(member, n, rng.choice(AMOUNTS), terminal, pos)
            await asyncio.sleep(rng.uniform(0.1, 1.0))
        for n in range(rng.randint(1, 3)):
            purchase_id, total = await self.purchase(member, n, rng.choice((1500, 4200, 9900)), pos)
            if purchase_id and rng.random() < 0.35:
                await self.refund(purchase_id, rng.randint(1, total), pos)
            await asyncio.sleep(rng.uniform(0.1, 1.0))

    async def enrol(self, member: str, pos: dict[str, str]) -> bool:
        """An enrolment has no idempotency key: after an unknown outcome a retry may find the
        member already enrolled, which acknowledges the first attempt."""
        response = await self.client.send("enrolment", "POST", self.url("tiering", "/v1/members"),
                                          headers=pos, json={"member_id": member})
        if response is not None and response.status_code == 409 and \
                response.json().get("code") == "member_already_enrolled":
            response.status_code = 201
        if self.client.record("enrolment", response):
            self.client.tally.enrolled.add(member)
            return True
        return False

    async def wait_registered(self, member: str, pos: dict[str, str], timeout: float = 60.0) -> None:
        """Until the wallet has consumed the enrolment (registered caps, a bonus to decide);
        a recharge before it would be an unregistered card's, whose bonus is always refused."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = await self.client.send("limits", "GET",
                                              self.url("wallet", f"/v1/wallets/{member}/limits"),
                                              headers=pos)
            if response is not None and response.is_success and \
                    response.json().get("card_kind") == "registered":
                return
            await asyncio.sleep(0.5)

    async def recharge(self, member: str, n: int, amount: int, terminal: str,
                       pos: dict[str, str]) -> None:
        reference = f"{member}-r{n}"
        response = await self.client.send(
            "recharge", "POST", self.url("wallet", "/v1/recharges"), headers=pos,
            idempotency_key=reference,
            json={"member_id": member, "amount": amount, "currency": "CNY",
                  "payment_method": "wechat_pay", "payment_reference": reference,
                  "store_id": "store_1", "terminal_id": terminal, "pos_reference": reference})
        if self.client.record("recharge", response):
            self.client.tally.recharges[reference] = response.json()["recharge_id"]

    async def purchase(self, member: str, n: int, total: int,
                       pos: dict[str, str]) -> tuple[str | None, int]:
        order = f"{member}-p{n}"
        response = await self.client.send(
            "purchase", "POST", self.url("wallet", "/v1/purchases"), headers=pos,
            idempotency_key=order,
            json={"member_id": member, "order_reference": order, "currency": "CNY",
                  "total": total, "store_id": "store_1",
                  "tenders": [{"method": "stored_value", "amount": total}]})
        if not self.client.record("purchase", response):
            return None, total
        purchase_id = response.json()["purchase_id"]
        self.client.tally.purchases[order] = purchase_id
        return purchase_id, total

    async def refund(self, purchase_id: str, amount: int, pos: dict[str, str]) -> None:
        response = await self.client.send(
            "refund", "POST", self.url("wallet", f"/v1/purchases/{purchase_id}/refunds"),
            headers=pos, idempotency_key=f"refund-{purchase_id}",
            json={"amount": amount, "reason": "chaos"})
        if self.client.record("refund", response):
            self.client.tally.refunds[response.json()["refund_id"]] = purchase_id

    async def review_held(self) -> int:
        """Decide every bonus held now (approve or reject, a coin toss per grant); how many
        were decided."""
        ops = ops_headers("ops:review")
        response = await self.client.send("review queue", "GET",
                                          self.url("rewards", "/v1/reviews?status=held&limit=100"),
                                          headers=ops)
        if response is None or not response.is_success:
            return 0
        decided = 0
        for item in response.json()["items"]:
            grant = item["grant_id"]
            verb = "approve" if random.Random(grant).random() < 0.5 else "reject"
            answer = await self.client.send("review", "POST",
                                            self.url("rewards", f"/v1/reviews/{grant}/{verb}"),
                                            headers=ops, json={"note": "chaos"})
            # The load is the only reviewer and never refunds a recharge: already_decided is
            # its own earlier attempt, committed before the answer was lost (the invariants
            # check the stored decision is this verb's).
            if answer is not None and answer.status_code == 409 and \
                    answer.json().get("code") == "already_decided":
                answer.status_code = 200
            if self.client.record("review", answer):
                self.client.tally.reviews[grant] = verb
                decided += 1
        return decided

    async def reviewer(self, stop: asyncio.Event, interval: float = 2.0) -> None:
        while not stop.is_set():
            await self.review_held()
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                pass
