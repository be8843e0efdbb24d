"""A demo merchant for `patronage dev` and `patronage up`: two stores with a terminal each,
the default program, a week of double points, and members in the situations a
demo shows — one with a history, one just under silver, one with nothing yet.

Everything goes through the services' own HTTP APIs with the credentials a real caller
would hold, so the seed exercises the same rules (and emits the same events) as a POS or
an ops console would. Every write is idempotent (fixed Idempotency-Keys, an enrolment that
already exists is fine), so a `--data-dir` kept across restarts is seeded once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import httpx

from patronage.services import DEFAULT_PORTS
from shared.http.auth import Principal, issue_token
from shared.http.scopes import OPS_SCOPES as CATALOG_SCOPES

STORES = {"store_1": "pos_1", "store_2": "pos_2"}
OPS_SCOPES = frozenset(CATALOG_SCOPES)  # the demo's operator may do everything
CAMPAIGN_ID = "demo_double_points"


@dataclass(frozen=True)
class DemoMember:
    member_id: str
    story: str
    store_id: str
    recharges: tuple[int, ...] = ()   # minor units, at the member's store
    purchases: tuple[tuple[str, int], ...] = ()  # (tender, minor units); all count toward tiers


MEMBERS = (
    DemoMember("m_9001", "a regular with history: two recharges and stored-value spend",
               "store_1", recharges=(50_000, 100_000),
               purchases=(("stored_value", 29_000), ("cash", 12_000))),
    DemoMember("m_9002", "just under silver (5,000.00): 4,900.00 spent, one more visit upgrades",
               "store_1", purchases=(("cash", 300_000), ("card", 190_000))),
    DemoMember("m_9003", "enrolled at the second store, nothing bought yet", "store_2"),
)


@dataclass(frozen=True)
class DemoCredentials:
    pos_keys: Mapping[str, str]  # store id -> key
    ops_token: str
    member_tokens: Mapping[str, str]


def tokens(secret: str, now: datetime) -> DemoCredentials:
    """The ops and member tokens, signed with the dev secret, valid for a week; the terminal
    keys come from the wallet's registry when the seed runs (`seed`)."""
    week = timedelta(days=7)
    return DemoCredentials(
        pos_keys={},
        ops_token=issue_token(secret, Principal("ops", "ops_demo", scopes=OPS_SCOPES), now, week),
        member_tokens={m.member_id: issue_token(secret, Principal("member", m.member_id), now, week)
                       for m in MEMBERS},
    )


class SeedFailed(RuntimeError):
    """A service refused part of the demo data."""


def _check(response: httpx.Response, *acceptable: int) -> None:
    if response.status_code not in acceptable:
        raise SeedFailed(f"{response.request.method} {response.request.url.path} answered "
                         f"{response.status_code}: {response.text[:300]}")


async def seed(host: str, port_offset: int, secret: str, now: datetime) -> DemoCredentials:
    """Seed the demo merchant; the credentials to print (terminal keys just registered)."""
    creds = tokens(secret, now)

    def url(service: str) -> str:
        return f"http://{host}:{DEFAULT_PORTS[service] + port_offset}"

    ops = {"Authorization": f"Bearer {creds.ops_token}"}
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the banner says what was seeded
    async with httpx.AsyncClient(timeout=30) as http:
        creds = replace(creds, pos_keys={
            store: await _register_terminal(http, url, ops, store, terminal)
            for store, terminal in STORES.items()})
        versions = await http.get(f"{url('rewards')}/v1/offers/{CAMPAIGN_ID}/versions", headers=ops)
        if versions.status_code == 404 or not versions.json():
            response = await http.post(
                f"{url('rewards')}/v1/offers/{CAMPAIGN_ID}/versions", headers=ops, json={
                    "kind": "campaign", "name": "Double points week (demo)", "currency": "CNY",
                    "terms": {"points_bps": 20000}, "effective_from": now.isoformat(),
                    "effective_to": (now + timedelta(days=7)).isoformat()})
            _check(response, 201)
        for member in MEMBERS:
            await _seed_member(http, url, member, creds.pos_keys[member.store_id])
    return creds


async def _register_terminal(http: httpx.AsyncClient, url, ops: dict, store: str,
                             terminal: str) -> str:
    """A terminal key issued by the wallet's registry, as ops would issue one: listed,
    revocable and rotatable (docs/wallet.md, Terminal keys)."""
    issued = await http.post(f"{url('wallet')}/v1/ops/terminals/keys", headers=ops, json={
        "store_id": store, "terminal_id": terminal, "valid_days": 7, "reason": "demo merchant"})
    _check(issued, 201)
    return issued.json()["key"]


async def _seed_member(http: httpx.AsyncClient, url, member: DemoMember, pos_key: str) -> None:
    pos = {"X-Api-Key": pos_key}
    enrolled = await http.post(f"{url('tiering')}/v1/members", headers=pos, json={
        "member_id": member.member_id, "store_id": member.store_id, "birthday": "06-18"})
    _check(enrolled, 201, 200, 409)
    await _until_the_wallet_knows(http, url, member.member_id, pos)
    terminal = STORES[member.store_id]
    for n, amount in enumerate(member.recharges, start=1):
        response = await http.post(
            f"{url('wallet')}/v1/recharges", json={
                "member_id": member.member_id, "amount": amount, "currency": "CNY",
                "payment_method": "wechat_pay", "payment_reference": f"demo-{member.member_id}-{n}",
                "store_id": member.store_id, "terminal_id": terminal, "channel": "pos",
                "pos_reference": f"demo-{member.member_id}-r{n}"},
            headers={**pos, "Idempotency-Key": f"demo-{member.member_id}-recharge-{n}"})
        _check(response, 201)
    for n, (tender, total) in enumerate(member.purchases, start=1):
        response = await http.post(
            f"{url('wallet')}/v1/purchases", json={
                "member_id": member.member_id, "order_reference": f"demo-{member.member_id}-o{n}",
                "currency": "CNY", "total": total, "store_id": member.store_id,
                "tenders": [{"method": tender, "amount": total}]},
            headers={**pos, "Idempotency-Key": f"demo-{member.member_id}-purchase-{n}"})
        _check(response, 201)


async def _until_the_wallet_knows(http: httpx.AsyncClient, url, member_id: str, pos) -> None:
    """The wallet learns of an enrolment from tiering's event; until then the member is an
    unregistered card (lower caps, no bonus), so the seed waits for it as a POS would."""
    for _ in range(200):
        limits = await http.get(f"{url('wallet')}/v1/wallets/{member_id}/limits", headers=pos)
        _check(limits, 200)
        if limits.json().get("card_kind") == "registered":
            return
        await asyncio.sleep(0.05)
    raise SeedFailed(f"the wallet did not see {member_id}'s enrolment within 10 s")


def banner(creds: DemoCredentials) -> str:
    """Ready-to-paste lines: the demo's credentials and who is who."""
    lines = ["Demo merchant: stores store_1 (terminal pos_1) and store_2 (pos_2), the default",
             f"program and a double-points week ({CAMPAIGN_ID}). Members:"]
    lines += [f"  {m.member_id}  {m.story}" for m in MEMBERS]
    lines += ["Paste into another terminal (terminal keys from the wallet's registry, tokens",
              "signed with the dev secret; all valid 7 days):",
              f"  export POS_KEY={creds.pos_keys['store_1']}",
              f"  export POS_KEY_STORE_2={creds.pos_keys['store_2']}",
              f"  export OPS={creds.ops_token}",
              f"  export MEMBER_9001={creds.member_tokens['m_9001']}"]
    return "\n".join(lines)
