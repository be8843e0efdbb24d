"""The HTTP stack's ceiling for scenario 1: what the wallet's service stack serves when the
recharge does no database work at all, measured in the same run as the recharge.

A ceiling worker is the wallet exactly as `patronage serve wallet` runs it (the same
`ServiceRuntime`, app factory, middleware, auth, uvicorn settings, relay and consumer), with
one more route, `POST /bench/http-ceiling`, added only here: it takes the recharge's request
(the same JSON body, validated by the same `RechargeRequest`, the same POS key checks and
Idempotency-Key) and answers 201 with a body of a real receipt's size, without the database.
`ceiling_process` starts `workers` such processes on one SO_REUSEPORT port, as `--workers`
does, and the same wrk script drives it (`TARGET`).

    python -m patronage.bench.http_ceiling --port 8123   # one worker, in the foreground
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace

import httpx
import orjson
from fastapi import APIRouter, FastAPI, Response

from patronage.bench.stack import Stack
from services.wallet.api.access import bound_terminal
from services.wallet.api.schemas.recharges import RechargeRequest
from shared.http import idempotency
from shared.http.auth import Caller, require_role
from shared.http.idempotency import IdempotencyKey

CEILING_PATH = "/bench/http-ceiling"
# A receipt as the recharge answers it (store/sql/wallet_recharge.sql), so the response
# is the same size.
RECEIPT = orjson.dumps({
    "recharge_id": "0b6f5d8e-2f1c-4c55-9a53-3a1e0d1c2b3a", "member_id": "bench-12345",
    "amount": 10000, "currency": "CNY", "principal_balance": 1230000, "bonus_balance": 0,
    "balance": 1230000, "card_kind": "registered", "held_principal": 0,
    "status": "completed", "risk_reasons": [], "bonus": {"status": "pending"},
    "created_at": "2026-11-29T23:00:00.123456Z"})


def with_ceiling(create_app):
    """The wallet's app factory, plus the ceiling route (the same request checks as
    `POST /v1/recharges` up to its database call)."""
    def create(context) -> FastAPI:
        app = create_app(context)
        router = APIRouter()

        @router.post(CEILING_PATH, status_code=201)
        async def ceiling(body: RechargeRequest, caller: Caller,
                          idempotency_key: IdempotencyKey = None) -> Response:
            require_role(caller, "pos")
            terminal, store = bound_terminal(caller, body.terminal_id, body.store_id)
            body = body.model_copy(update={"terminal_id": terminal, "store_id": store})
            idempotency.require_key(idempotency_key)
            idempotency.request_fingerprint(body.model_dump(mode="json"))
            return Response(RECEIPT, 201, media_type="application/json")

        app.include_router(router)
        return app

    return create


async def serve_one(host: str, port: int) -> None:
    from patronage.workers import reuse_port_sockets
    from services.wallet.service import SPEC as WALLET
    from shared.runtime import ServiceRuntime
    from shared.settings import get_platform_settings
    from shared.structured_logging import configure_logging
    from shared.transport import KafkaTransport

    platform = get_platform_settings()
    configure_logging(platform.log_level, json=platform.log_json)
    spec = replace(WALLET, create_app=with_ceiling(WALLET.create_app))
    runtime = ServiceRuntime(spec, platform, KafkaTransport(platform.kafka_bootstrap))
    await runtime.start(migrate=False)
    server = runtime.http_server(host, port)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    serving = asyncio.create_task(server.serve(sockets=reuse_port_sockets(host, port, 1)))
    await stop.wait()
    server.should_exit = True
    await serving
    await runtime.stop()


@contextmanager
def ceiling_process(stack: Stack, port: int, workers: int, **env: str) -> Iterator[str]:
    """`workers` ceiling workers on one port (each its own SO_REUSEPORT socket); yields the
    base URL once each has answered."""
    log = open(stack.work_dir / "http-ceiling.log", "w")
    processes = [subprocess.Popen(
        [sys.executable, "-m", "patronage.bench.http_ceiling", "--port", str(port)],
        env=stack.service_env(**env), stdout=log, stderr=subprocess.STDOUT)
        for _ in range(workers)]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, streak = time.monotonic() + 120, 0  # slow to start on a busy machine
        while streak < 8 * workers:  # fresh connections land on any worker (see stack.py)
            with suppress(httpx.HTTPError):
                ok = httpx.get(f"{base}/readyz", timeout=2).status_code == 200
                streak = streak + 1 if ok else 0
            if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
                raise RuntimeError(f"the HTTP ceiling did not become ready; see {log.name}")
            if streak == 0:
                time.sleep(0.2)
        yield base
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="One HTTP-ceiling worker of the wallet.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args()
    from patronage import eventloop

    eventloop.run(serve_one(options.host, options.port))


if __name__ == "__main__":
    main()
