"""The memory scenario's database figures on a real PostgreSQL: the wallet schema's size
per 100k wallets, as plain numbers the results file can hold."""

from __future__ import annotations

import json

import pytest

from patronage.bench.memory import database_size
from patronage.bench.recharge import seed_wallets
from shared.db.engine import plain_url

pytestmark = pytest.mark.integration


async def test_the_wallet_schema_is_measured_per_100k_wallets(database_url):
    await seed_wallets(plain_url(database_url), 200)

    size = await database_size(plain_url(database_url))

    assert size["wallets"] == 200
    assert size["wallet_schema_mib"] > 0 and size["database_mib"] > size["wallet_schema_mib"]
    assert size["wallet_schema_mib_per_100k_wallets"] == pytest.approx(
        size["wallet_schema_mib"] * 500, rel=0.05)
    json.dumps(size)  # no Decimal: the results file is JSON
