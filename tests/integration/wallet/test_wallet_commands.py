"""`patronage wallet verify / expire / liability`, as the CLI runs them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from services.wallet.jobs.bonus_expiry import run_expiry
from services.wallet.store.liability import run_liability
from services.wallet.store.verification import run_verify
from shared.clock import FrozenClock
from tests.integration.wallet.money import bonus_status, deliver, granted, recharge

pytestmark = pytest.mark.integration


async def test_expire_then_verify_and_report(client, wallet, bus_platform):
    paid = await recharge(client, "m_cli", 10_000)
    await deliver(wallet, granted("m_cli", paid["recharge_id"], 1_500))
    await bonus_status(client, paid["recharge_id"], "credited")
    later = FrozenClock(wallet.clock.now() + timedelta(days=400))

    assert await run_expiry(bus_platform, later) == {"wallets": 1, "lots": 1, "amount": 1_500}
    assert await run_expiry(bus_platform, later) == {"wallets": 0, "lots": 0, "amount": 0}
    report = await run_verify(bus_platform)
    [cny] = await run_liability(bus_platform, later)

    assert report["ok"] and report["wallets"] == 1
    assert (cny["principal"], cny["bonus"], cny["breakage"]) == (10_000, 0, 1_500)


def test_the_cli_lists_the_wallet_commands():
    from patronage.cli import app

    result = CliRunner().invoke(app, ["wallet", "--help"])
    assert result.exit_code == 0
    assert {"verify", "expire", "liability"} <= set(result.output.split())
