"""The faults, one at a time while the load runs: kill -9 of a random service (started
again on its port), a broker crash and a database crash (killed, started again on the same
port and data), the services' database connections cut and then slowed through the proxy,
replayed deliveries and poison messages. Each round runs every kind once, in a shuffled
order, so even a short run sees each of them."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable

from patronage.chaos import deliveries
from patronage.chaos.stack import ChaosStack

KINDS = ("kill_service", "crash_kafka", "crash_postgres", "cut_database", "slow_database",
         "replay", "poison")


class Faults:
    def __init__(self, stack: ChaosStack, seed: int, say: Callable[[str], object] = print) -> None:
        self.stack, self.random, self.say, self.seed = stack, random.Random(seed), say, seed
        self.injected: Counter = Counter()
        self.replayed = 0
        self.poison_keys: set[str] = set()
        self.log: list[str] = []

    async def run(self, stop: asyncio.Event, pause: float) -> None:
        """Inject faults until `stop`, `pause` seconds apart; a fault in progress finishes
        (everything is up again when this returns)."""
        while not stop.is_set():
            kinds = list(KINDS)
            self.random.shuffle(kinds)
            for kind in kinds:
                try:
                    await asyncio.wait_for(stop.wait(), pause)
                    return
                except TimeoutError:
                    pass
                await self.inject(kind)

    async def inject(self, kind: str) -> None:
        started = time.monotonic()
        detail = await getattr(self, kind)()
        self.injected[kind] += 1
        self.log.append(f"{kind} {detail}".strip())
        self.say(f"chaos: fault {self.log[-1]} (back after {time.monotonic() - started:.1f}s)")

    async def kill_service(self) -> str:
        name = self.random.choice(sorted(self.stack.services))
        await self.stack.crash_service(name, down_for=self.random.uniform(0.5, 3.0))
        return name

    async def crash_kafka(self) -> str:
        await self.stack.crash_kafka(down_for=self.random.uniform(1.0, 4.0))
        return ""

    async def crash_postgres(self) -> str:
        await self.stack.crash_postgres(down_for=self.random.uniform(0.5, 3.0))
        return ""

    async def cut_database(self) -> str:
        proxy = self.stack.db_proxy
        assert proxy is not None
        await proxy.cut()
        await asyncio.sleep(self.random.uniform(2.0, 5.0))
        await proxy.start()
        return ""

    async def slow_database(self) -> str:
        """Every chunk to and from PostgreSQL late, then the connections in flight reset."""
        proxy = self.stack.db_proxy
        assert proxy is not None
        proxy.delay = self.random.choice((0.05, 0.2, 0.5))
        await asyncio.sleep(self.random.uniform(3.0, 6.0))
        proxy.delay = 0.0
        proxy.drop_connections()
        return ""

    def every_kind_ran(self) -> bool:
        return all(self.injected[kind] for kind in KINDS)

    async def replay(self) -> str:
        count = 0
        for producer in ("wallet", "tiering", "rewards"):
            # Its own generator: how many records there are to pick from varies from run to
            # run, and must not change which faults come next.
            picker = random.Random(f"{self.seed}-{producer}-{self.injected['replay']}")
            count += await deliveries.replay(self.stack.kafka_bootstrap, producer, 40, picker)
        self.replayed += count
        return f"{count} records"

    async def poison(self) -> str:
        key = f"poison-{len(self.poison_keys)}"
        await deliveries.send_poison(self.stack.kafka_bootstrap, key)
        self.poison_keys.add(key)
        return key
