"""Scenario 5: purchase contention. `concurrency` workers in a load generator process buy
back to back from ONE funded wallet for a while (every purchase locks the same wallet row
and draws on the same lots); the reference is the same load spread over `concurrency`
different wallets, same run. Then the overdraft probe: `concurrency` purchases at once,
each for 1/(concurrency/5) of what is left on the hot wallet (a tenth for 50), so at most a
fifth can be paid; the ledger is verified (`wallet verify`) at the end."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from patronage.bench.bonus_loop import pos_key
from patronage.bench.loadgen import run_loadgen
from patronage.bench.members import register_members
from patronage.bench.stack import Stack, service_process
from patronage.local import free_port
from services.wallet.store.verification import verify_ledger
from shared.db.engine import create_service_engine

FUNDS = 100_000_000  # 1,000,000.00 per wallet: never the limit in the timed phases
PRICE = 100


def fund(base: str, key: str, members: list[str]) -> None:
    with httpx.Client(base_url=base, headers={"X-Api-Key": key}, timeout=30) as client:
        for member in members:
            ref = f"fund-{member}"
            response = client.post("/v1/recharges", headers={"Idempotency-Key": ref}, json={
                "member_id": member, "amount": FUNDS, "currency": "CNY",
                "payment_method": "wechat_pay", "payment_reference": ref,
                "store_id": "bench_store", "terminal_id": "pos_1", "channel": "pos",
                "pos_reference": ref})
            response.raise_for_status()


async def balance(database_url: str, member: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetchval(
            "SELECT principal + bonus FROM wallet.wallets WHERE member_id = $1", member)
    finally:
        await connection.close()


async def ledger_problems(database_url: str) -> list[str]:
    engine = create_service_engine(database_url, "wallet", pool_size=1)
    try:
        async with engine.connect() as db:
            return (await verify_ledger(db))["problems"]
    finally:
        await engine.dispose()


async def purchase_contention(stack: Stack, *, concurrency: int, seconds: float) -> dict:
    run, key = uuid.uuid4().hex[:6], pos_key()
    hot, spread = f"hot-{run}", [f"spread-{run}-{i}" for i in range(concurrency)]
    # no risk rules: the funding recharges (1,000,000.00 each) would be held for review
    env = {"PATRONAGE_TOPIC_PREFIX": f"bench{run}.", "PATRONAGE_WALLET_MAX_BALANCE": str(10 * FUNDS),
           "PATRONAGE_WALLET_MAX_RECHARGE": str(FUNDS), "PATRONAGE_WALLET_RISK": "[]"}
    await register_members(stack.database_url, [hot, *spread])
    with service_process(stack, "wallet", free_port(), **env) as base:
        fund(base, key, [hot, *spread])
        common = {"base": base, "key": key, "concurrency": concurrency, "amount": PRICE}
        run_loadgen("purchases", {**common, "members": [hot], "seconds": 1})  # warm-up
        hot_run = run_loadgen("purchases", {**common, "members": [hot], "seconds": seconds})
        reference = run_loadgen("purchases", {**common, "members": spread, "seconds": seconds})
        # The overdraft probe: `concurrency` purchases at once, of which only a fifth fit.
        left = await balance(stack.database_url, hot)
        ask = -(-left // max(1, concurrency // 5))
        probe = run_loadgen("purchases", {**common, "members": [hot], "amount": ask, "once": True})
        after = await balance(stack.database_url, hot)
    problems = await ledger_problems(stack.database_url)
    paid = probe["spent"].get(hot, 0)
    no_overdraft = (paid <= left and after == left - paid and after >= 0 and not problems
                    and hot_run["spent"].get(hot, 0) <= FUNDS)
    return {
        "name": "purchase_contention", "concurrency": concurrency, "seconds": seconds,
        "reference": {"spread_wallets": {k: v for k, v in reference.items() if k != "spent"}},
        "runs": [{**{k: v for k, v in hot_run.items() if k != "spent"},
                  "ratio_vs_spread": round(hot_run["purchases_per_second"]
                                           / reference["purchases_per_second"], 3)
                  if reference["purchases_per_second"] else None}],
        "overdraft_probe": {"balance_before": left, "each_asks": ask, "attempts": concurrency,
                            "paid": probe["succeeded"], "paid_amount": paid,
                            "balance_after": after, "statuses": probe["statuses"]},
        "ledger_problems": problems[:10], "no_overdraft": no_overdraft,
    }
