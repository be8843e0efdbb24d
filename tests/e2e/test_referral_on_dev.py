"""The referral story through HTTP on `patronage dev`, as a merchant would demo it: A
shares a code, B enrols with it and recharges 1,000 yuan, both get their 50 yuan voucher
and A the points worth 10 %; B refunds the recharge and both rewards are taken back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.auth import member_headers, ops_headers, pos_headers

pytestmark = pytest.mark.integration
PORT_OFFSET = 1200  # away from test_dev_command's and from a developer's own `patronage dev`


def url(service_port: int) -> str:
    return f"http://127.0.0.1:{service_port + PORT_OFFSET}"


WALLET, TIERING, REWARDS, REFERRAL = url(8101), url(8102), url(8103), url(8104)


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "patronage", "dev", "--no-demo", "--port-offset", str(PORT_OFFSET),
         "--data-dir", str(tmp_path_factory.mktemp("dev-postgres"))],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=Path(__file__).parents[2])
    output: list[str] = []
    # generous: the suite's other xdist worker may be starting its own broker and server
    deadline = time.monotonic() + 180
    assert process.stdout is not None
    while "Patronage is running" not in (output[-1] if output else ""):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("patronage dev did not start:\n" + "".join(output))
        output.append(process.stdout.readline())
    # the banner comes as the servers are starting: wait until each one answers
    for service in (WALLET, TIERING, REWARDS, REFERRAL):
        until(lambda s=service: answers(f"{s}/healthz"), bool)
    yield process
    process.kill()
    process.wait(timeout=30)


def until(probe: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not done(result := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not done in {timeout}s: {result!r}")
        time.sleep(0.1)
    return result


def answers(address: str) -> bool:
    try:
        return httpx.get(address, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def once() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def referral_coupons(member_id: str) -> list[dict]:
    shown = httpx.get(f"{REWARDS}/v1/members/{member_id}/coupons",
                      headers=member_headers(member_id), timeout=10).json()["items"]
    return [c for c in shown if c["reason"].startswith("referral:")]


def referral_points(member_id: str) -> list[tuple[str, int]]:
    shown = httpx.get(f"{REWARDS}/v1/members/{member_id}/points",
                      headers=member_headers(member_id), timeout=10).json()
    return sorted((e["kind"], e["points"]) for e in shown["entries"]
                  if e["reason"] == "referral" or e["reason"].startswith("referral "))


def test_a_referral_rewards_both_sides_and_a_refund_takes_it_back(dev):
    run = uuid.uuid4().hex[:6]
    a, b = f"m_a_{run}", f"m_b_{run}"
    assert httpx.post(f"{TIERING}/v1/members", json={"member_id": a}, headers=pos_headers(),
                      timeout=10).status_code == 201
    code = httpx.post(f"{REFERRAL}/v1/members/{a}/referral-code", headers=member_headers(a),
                      timeout=10).json()["code"]
    enrolled = httpx.post(f"{TIERING}/v1/members", headers=pos_headers(), timeout=10,
                          json={"member_id": b, "referral_code": code, "channel": "pos"})
    assert enrolled.status_code == 201, enrolled.text
    paid = httpx.post(f"{WALLET}/v1/recharges", headers={**pos_headers(), **once()}, timeout=10,
                      json={"member_id": b, "amount": 100_000, "currency": "CNY",
                            "payment_method": "alipay", "payment_reference": f"ali-{run}",
                            "store_id": "store_1", "terminal_id": "pos_1", "channel": "pos",
                            "pos_reference": f"pos-{run}"})
    assert paid.status_code == 201, paid.text

    until(lambda: referral_points(a), lambda p: p == [("earn", 100)])
    [mine] = until(lambda: referral_coupons(a), lambda c: len(c) == 1)
    [theirs] = until(lambda: referral_coupons(b), lambda c: len(c) == 1)
    assert (mine["value"], theirs["value"], mine["kind"]) == (5_000, 5_000, "no_threshold")
    page = httpx.get(f"{REFERRAL}/v1/members/{a}/referrals", headers=member_headers(a),
                     timeout=10).json()
    assert (page["invited"], page["qualified"], page["pending"]) == (1, 1, 0)
    assert page["rewards"][0]["points_worth"] == 10_000

    refunded = httpx.post(f"{WALLET}/v1/recharges/{paid.json()['recharge_id']}/refund",
                          json={"reason": "changed their mind"}, timeout=10,
                          headers={**pos_headers(), **once()})
    assert refunded.status_code == 201, refunded.text
    until(lambda: referral_points(a), lambda p: p == [("earn", 100), ("reverse", -100)])
    until(lambda: referral_coupons(a) + referral_coupons(b),
          lambda c: all(coupon["voided_at"] for coupon in c))
    report = httpx.get(f"{REFERRAL}/v1/reports/program", headers=ops_headers("ops:report"),
                       params={"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"},
                       timeout=10).json()
    # a fresh dev database: A and B are its only members, B came by referral
    assert (report["new_members"], report["referred_members"], report["referred_share_bps"],
            report["qualified"], report["revoked"]) == (2, 1, 5_000, 0, 1)
