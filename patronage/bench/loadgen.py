"""The load generator of scenarios 2 and 5, run in its own process
(`python -m patronage.bench.loadgen <mode> '<json arguments>'`) so it does not share an
event loop or a core's time slice accounting with the services it measures. It prints one
JSON line with its figures.

Modes:
- `bonus_loop`: POST /v1/recharges at a fixed rate, open loop: request i is due at
  t0 + i/rate and is sent then whatever the others are doing (a slow answer never delays
  the next request). It consumes `wallet.events` in the same process, so every moment is on
  one clock. Latencies are measured from the **intended** send time, free of coordinated
  omission: a generator (or a machine) that falls behind shows as latency, never as a
  quieter test. The send lag (actual − intended send) says whether the generator itself
  kept up; the older 201 → BonusCredited figure is kept beside for comparison.
- `kafka_rtt`: the reference of `bonus_loop`: produce to a scratch topic at the same rate and
  time each message from its intended send to its arrival at a consumer in this process.
- `purchases`: `concurrency` workers POST /v1/purchases back to back for `seconds` (or once
  each with `once`), worker i buying for `members[i % len(members)]`.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from patronage import eventloop
from patronage.bench.raw_http import RawHttpClient, RawHttpError
from shared.http.auth import Principal, issue_token
from shared.settings import DEV_JWT_SECRET


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary_ms(latencies: list[float]) -> dict:
    return {"p50_ms": round(percentile(latencies, 50) * 1000, 2),
            "p99_ms": round(percentile(latencies, 99) * 1000, 2),
            "max_ms": round(max(latencies, default=0.0) * 1000, 2)}


async def tail_consumer(bootstrap: str, topic: str, partitions: int) -> AIOKafkaConsumer:
    """A consumer (no group) at the end of each of the topic's `partitions`."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                fetch_max_wait_ms=500)
    await consumer.start()
    assigned = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(assigned)
    await consumer.seek_to_end(*assigned)
    for tp in assigned:  # resolve the end offsets now, before anything is sent
        await consumer.position(tp)
    return consumer


async def paced(rate: float, seconds: float, send) -> tuple[float, float]:
    """Call `send(i, intended)` as a task at its intended moment t0 + i/rate, for `seconds`
    (one that falls due while the loop was busy is started at once: open loop); wait for
    them all. Returns when the last one was started and when the last one finished, both
    from t0."""
    tasks, started, i = [], time.perf_counter(), 0
    total = int(rate * seconds)
    while i < total:
        intended = started + i / rate
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i, intended)))
        i += 1
    last_started = time.perf_counter() - started
    await asyncio.gather(*tasks)
    return last_started, time.perf_counter() - started


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def loop_member(run: str, n: int) -> str:
    return f"loop-{run}-{n}"


def recharge_body(run: str, n: int, amount: int) -> dict:
    ref = f"{run}-{n}"
    # A new member and payment reference each time, and a new terminal (its own key, see
    # `terminal_key`: the terminal comes from the key): the fraud screen's velocity rules
    # would (rightly) hold bonuses of one member or terminal recharging 200 times/s.
    return {"member_id": loop_member(run, n), "amount": amount, "currency": "CNY",
            "payment_method": "wechat_pay", "payment_reference": ref, "store_id": "bench_store",
            "channel": "pos", "pos_reference": ref}


def terminal_key(run: str, n: int) -> str:
    """The key of terminal t-<run>-<n> of the bench store (dev secret)."""
    return issue_token(DEV_JWT_SECRET, Principal("pos", f"t-{run}-{n}", store_id="bench_store"),
                       datetime.now(UTC), timedelta(hours=1))


async def bonus_loop(args: dict) -> dict:
    run, amount = args.get("run") or uuid.uuid4().hex[:8], args.get("amount", 50_000)
    rate, seconds = args["rate"], args["seconds"]
    warmup = args.get("warmup_seconds", 5.0)
    # every request's terminal key is minted before the clock starts: signing 200 JWTs a
    # second would be the generator's own cost, not the system's
    keys = {phase: [terminal_key(f"{run}{phase}", n) for n in range(int(rate * length) + 1)]
            for phase, length in (("w", warmup), ("m", seconds))}
    consumer = await tail_consumer(args["bootstrap"], args["topic"], args.get("partitions", 6))
    intended: dict[str, float] = {}  # recharge id -> intended send moment
    answered: dict[str, float] = {}  # recharge id -> its 201's arrival
    credited: dict[str, float] = {}
    send_lags: list[float] = []
    errors = 0
    error_kinds: dict[str, int] = {}

    async def consume(stop: asyncio.Event) -> None:
        while not stop.is_set():
            for records in (await consumer.getmany(timeout_ms=50)).values():
                now = time.perf_counter()
                for record in records:
                    if not any(k == "ce_type" and b".BonusCredited." in v for k, v in record.headers):
                        continue
                    credited.setdefault(orjson.loads(record.value)["recharge_id"], now)

    stop = asyncio.Event()
    reader = asyncio.create_task(consume(stop))
    client = RawHttpClient(args["base"], max_connections=400)  # raw_http.py: cheap per request
    try:
        async def send(n: int, phase: str, due: float | None = None) -> str | None:
            nonlocal errors
            due = time.perf_counter() if due is None else due
            send_lags.append(time.perf_counter() - due)
            try:
                status, body = await client.post(
                    "/v1/recharges", orjson.dumps(recharge_body(f"{run}{phase}", n, amount)),
                    {"Idempotency-Key": f"{run}{phase}-{n}", "X-Api-Key": keys[phase][n]})
            except RawHttpError as error:  # a connection reset under overload: an error
                errors += 1
                kind = str(error).split("(", 1)[0]
                error_kinds[kind] = error_kinds.get(kind, 0) + 1
                return None
            if status != 201:
                errors += 1
                code = orjson.loads(body).get("code", "") if body.startswith(b"{") else ""
                error_kinds[f"{status} {code}".strip()] = error_kinds.get(f"{status} {code}".strip(), 0) + 1
                return None
            recharge_id = orjson.loads(body)["recharge_id"]
            answered[recharge_id], intended[recharge_id] = time.perf_counter(), due
            return recharge_id

        # Warm-up: until one bonus comes back (every consumer group has joined), then
        # `warmup_seconds` at the target rate (the broker's JIT and every pool warm).
        deadline = time.monotonic() + 120
        first = await send(0, "w")
        while first not in credited:
            if time.monotonic() > deadline:
                raise RuntimeError("no BonusCredited within 120 s of the first recharge")
            await asyncio.sleep(0.1)
        await paced(rate, warmup, lambda n, due: send(n + 1, "w", due))
        answered.clear()
        intended.clear()
        send_lags.clear()
        error_kinds.clear()
        errors = 0
        await asyncio.sleep(1.0)
        mark("start")
        cpu_before = own_cpu_seconds()
        last_sent, all_answered = await paced(rate, seconds, lambda n, due: send(n, "m", due))
        generator_cpu = own_cpu_seconds() - cpu_before
        deadline = time.monotonic() + args.get("drain_seconds", 30)
        while any(r not in credited for r in answered) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        mark("end")
    finally:
        await client.close()
    stop.set()
    await reader
    await consumer.stop()
    done = [r for r in answered if r in credited]
    latencies = [max(0.0, credited[r] - intended[r]) for r in done]
    after_201 = [max(0.0, credited[r] - answered[r]) for r in done]
    to_201 = [answered[r] - intended[r] for r in answered]
    sent = len(send_lags)
    return {"recharges": len(answered), "credited": len(latencies), "errors": errors,
            "error_kinds": error_kinds,
            # the rate requests left at, and the rate they were answered at
            "rate_sent": round(sent / (last_sent + 1 / rate), 1),
            "rate_achieved": round(len(answered) / all_answered, 1) if all_answered else 0.0,
            **summary_ms(latencies),
            "send_lag": summary_ms(send_lags),
            "intended_to_201": summary_ms(to_201),
            "after_201": summary_ms(after_201),
            "generator_cpu_seconds": round(generator_cpu, 2)}


async def kafka_rtt(args: dict) -> dict:
    consumer = await tail_consumer(args["bootstrap"], args["topic"], args.get("partitions", 6))
    producer = AIOKafkaProducer(bootstrap_servers=args["bootstrap"], acks="all", linger_ms=0)
    await producer.start()
    sent: dict[bytes, float] = {}
    arrived: dict[bytes, float] = {}

    async def consume(stop: asyncio.Event) -> None:
        while not stop.is_set():
            for records in (await consumer.getmany(timeout_ms=50)).values():
                now = time.perf_counter()
                for record in records:
                    arrived.setdefault(record.value, now)

    stop = asyncio.Event()
    reader = asyncio.create_task(consume(stop))
    run = uuid.uuid4().hex[:8]

    async def send(n: int, due: float) -> None:
        value = f"{run}-{n}".encode()
        sent[value] = due  # from the intended moment, as the loop it is the reference of
        await producer.send_and_wait(args["topic"], value, key=f"m{n}".encode())

    await paced(args["rate"], args.get("warmup_seconds", 5.0), lambda n, due: send(-1 - n, due))
    await asyncio.sleep(0.5)
    sent.clear()
    mark("start")
    cpu_before = own_cpu_seconds()
    await paced(args["rate"], args["seconds"], send)
    deadline = time.monotonic() + 30
    while any(v not in arrived for v in sent) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    generator_cpu = own_cpu_seconds() - cpu_before
    mark("end")
    stop.set()
    await reader
    await producer.stop()
    await consumer.stop()
    latencies = [arrived[v] - t for v, t in sent.items() if v in arrived]
    return {"messages": len(sent), "arrived": len(latencies), **summary_ms(latencies),
            "generator_cpu_seconds": round(generator_cpu, 2)}


async def purchases(args: dict) -> dict:
    run, members, amount = uuid.uuid4().hex[:8], args["members"], args["amount"]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    spent: dict[str, int] = {}
    limits = httpx.Limits(max_connections=args["concurrency"] + 5,
                          max_keepalive_connections=args["concurrency"] + 5)
    async with httpx.AsyncClient(base_url=args["base"], limits=limits, timeout=60,
                                 headers={"X-Api-Key": args["key"]}) as client:
        async def buy(worker: int, n: int) -> None:
            member, ref = members[worker % len(members)], f"{run}-{worker}-{n}"
            body = {"member_id": member, "order_reference": ref, "currency": "CNY",
                    "total": amount, "store_id": "bench_store", "terminal_id": "pos_1",
                    "items": [{"sku": "coffee", "category": "drinks", "quantity": 1, "amount": amount}],
                    "tenders": [{"method": "stored_value", "amount": amount}]}
            started = time.perf_counter()
            # A keep-alive connection the server closed as the request went out fails with
            # no answer; the Idempotency-Key makes sending it again safe (a purchase that did
            # go through is replayed, not paid twice), so only a second failure counts.
            for attempt in (1, 2):
                try:
                    response = await client.post("/v1/purchases", json=body,
                                                 headers={"Idempotency-Key": ref})
                    break
                except httpx.HTTPError as error:
                    if attempt == 2:
                        label = f"error:{type(error).__name__}"
                        statuses[label] = statuses.get(label, 0) + 1
                        return
            statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
            if response.status_code == 201:
                latencies.append(time.perf_counter() - started)
                spent[member] = spent.get(member, 0) + amount

        async def worker(i: int, until: float) -> None:
            n = 0
            while True:
                await buy(i, n)
                n += 1
                if args.get("once") or time.perf_counter() >= until:
                    return

        started = time.perf_counter()
        until = started + args.get("seconds", 0)
        await asyncio.gather(*(worker(i, until) for i in range(args["concurrency"])))
        elapsed = time.perf_counter() - started
    return {"succeeded": len(latencies), "statuses": statuses, "spent": spent,
            "purchases_per_second": round(len(latencies) / elapsed, 1), "seconds": round(elapsed, 2),
            **summary_ms(latencies)}


MODES = {"bonus_loop": bonus_loop, "kafka_rtt": kafka_rtt, "purchases": purchases}


def main() -> None:
    mode, args = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(eventloop.run(MODES[mode](args))))


def mark(name: str) -> None:
    """Tell the bench (run_loadgen's `marks`) that the measured window starts or ends."""
    print(f"MARK {name}", flush=True)


def run_loadgen(mode: str, args: dict, timeout: float = 900,
                marks: dict[str, Callable[[], None]] | None = None) -> dict:
    """Run a mode in its own Python process; its figures. `marks` are called as the
    generator reaches them (`start`, `end` of the measured window), so the bench can read
    the other processes' CPU over exactly that window."""
    with tempfile.TemporaryFile("w+") as errors, subprocess.Popen(
            [sys.executable, "-m", "patronage.bench.loadgen", mode, json.dumps(args)],
            stdout=subprocess.PIPE, stderr=errors, text=True) as process:
        assert process.stdout is not None
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            lines = []
            for line in process.stdout:
                if line.startswith("MARK "):
                    (marks or {}).get(line.split()[1], lambda: None)()
                else:
                    lines.append(line)
            process.wait()
        finally:
            timer.cancel()
        if process.returncode != 0 or not lines:
            errors.seek(0)
            raise RuntimeError(f"loadgen {mode} failed:\n{errors.read()[-3000:]}")
    return json.loads(lines[-1])


if __name__ == "__main__":
    main()
