"""`patronage dev`, as the README tells a newcomer to run it: it starts, a recharge over
real HTTP gets a 201, the same Idempotency-Key replays the same body, rewards sees the
recharge over the in-process bus, the notifier puts a receipt in the member's in-app
inbox, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.auth import member_headers, pos_headers

pytestmark = pytest.mark.integration
PORT_OFFSET = 1000  # away from a `patronage dev` a developer may have running


@pytest.fixture(scope="module")
def dev_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[str]]:
    data_dir = tmp_path_factory.mktemp("dev-postgres")
    process = subprocess.Popen(
        [sys.executable, "-m", "patronage", "dev", "--data-dir", str(data_dir),
         "--port-offset", str(PORT_OFFSET)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=Path(__file__).parents[2],
    )
    output: list[str] = []
    # generous: the suite's other xdist worker may be starting its own broker and server
    deadline = time.monotonic() + 180
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        output.append(line)
        if "Patronage is running" in line:
            break
        if process.poll() is not None:
            pytest.fail("patronage dev exited:\n" + "".join(output))
    else:
        process.kill()
        pytest.fail("patronage dev did not start in 180 s:\n" + "".join(output))
    yield process
    if process.poll() is None:
        process.kill()


def test_dev_seeds_the_demo_merchant_through_the_services(dev_process):
    """The seed went through each service's API: the members are enrolled, the regular's
    recharges earned their bonus, the one near silver is just under it, the campaign is live
    (this test runs before the one that stops the process)."""
    wallet = f"http://127.0.0.1:{8101 + PORT_OFFSET}"
    tiering = f"http://127.0.0.1:{8102 + PORT_OFFSET}"
    rewards = f"http://127.0.0.1:{8103 + PORT_OFFSET}"
    live = httpx.get(f"{rewards}/v1/offers/live?currency=CNY", timeout=10).json()
    assert "demo_double_points" in [offer["offer_id"] for offer in live["items"]]

    near = httpx.get(f"{tiering}/v1/members/m_9002/tier", headers=member_headers("m_9002"),
                     timeout=10).json()
    assert (near["tier"], near["spend_12m"]) == ("regular", 490_000)

    deadline, bonus = time.monotonic() + 20, 0
    while bonus == 0 and time.monotonic() < deadline:  # the bonus follows through events
        bonus = httpx.get(f"{wallet}/v1/wallets/m_9001?currency=CNY", timeout=10,
                          headers=member_headers("m_9001")).json()["bonus"]
        time.sleep(0.1)
    assert bonus > 0


def test_dev_runs_the_console_with_its_demo_login(dev_process):
    """The console answers on its port, calls the services at their offset ports, and the
    demo admin printed in the banner logs in and sees the demo member's wallet."""
    console = f"http://127.0.0.1:{8106 + PORT_OFFSET}"
    with httpx.Client(base_url=console, timeout=20) as browser:
        form = browser.get("/login")
        csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        signed_in = browser.post("/login", data={"csrf_token": csrf, "username": "admin",
                                                 "password": "patronage-admin", "next": "/"})
        assert signed_in.status_code == 303, signed_in.text
        member = browser.get("/members/m_9001")
    assert member.status_code == 200 and 'data-field="balance">¥' in member.text


def test_dev_takes_a_recharge_replays_it_sends_a_receipt_then_stops_on_ctrl_c(dev_process):
    wallet = f"http://127.0.0.1:{8101 + PORT_OFFSET}"
    rewards = f"http://127.0.0.1:{8103 + PORT_OFFSET}"
    notifier = f"http://127.0.0.1:{8105 + PORT_OFFSET}"
    body = {"member_id": "m_dev", "amount": 50_000, "currency": "CNY",
            "payment_method": "wechat_pay", "payment_reference": "wx-1", "store_id": "store_1",
            "terminal_id": "pos_1", "channel": "pos", "pos_reference": f"dev-{time.time_ns()}"}
    headers = {"Idempotency-Key": f"dev-{time.time_ns()}", **pos_headers("store_1")}

    first = httpx.post(f"{wallet}/v1/recharges", json=body, headers=headers, timeout=10)
    again = httpx.post(f"{wallet}/v1/recharges", json=body, headers=headers, timeout=10)

    assert first.status_code == 201, first.text
    assert (again.status_code, again.content) == (201, first.content)
    deadline = time.monotonic() + 20
    seen: list = []
    while not seen and time.monotonic() < deadline:
        seen = httpx.get(f"{rewards}/v1/members/m_dev/recharges", timeout=10,
                         headers=member_headers("m_dev")).json()
        time.sleep(0.1)
    assert [r["recharge_id"] for r in seen] == [first.json()["recharge_id"]]

    receipts: list = []
    while not receipts and time.monotonic() < deadline + 20:
        inbox = httpx.get(f"{notifier}/v1/members/m_dev/inbox", timeout=10,
                          headers=member_headers("m_dev")).json()
        receipts = [m for m in inbox["items"] if m["kind"] == "recharge_receipt"]
        time.sleep(0.1)
    # The recharge's receipt, once (the replayed POST is the same recharge); a bonus the
    # recharge earned has its own receipt beside it.
    assert [m["subject"] for m in receipts] == ["充值成功：¥500.00"]
    assert receipts[0]["read_at"] is None and inbox["unread"] >= 1

    dev_process.send_signal(signal.SIGINT)
    assert dev_process.wait(timeout=30) == 0
