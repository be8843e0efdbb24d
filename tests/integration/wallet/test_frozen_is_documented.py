"""A frozen wallet's 423 `wallet_frozen` is in the OpenAPI document of every route that
answers it (the state machine over the wallet found it undocumented: a client generated
from the document had no case for it)."""

from __future__ import annotations

import pytest

from tests.integration.fuzz.documented import Documented
from tests.integration.wallet.money import key, purchase_body, recharge
from tests.support.auth import ops_headers

pytestmark = pytest.mark.integration
RISK = {"X-Api-Key": "", **ops_headers("ops:risk")}


async def test_a_frozen_wallets_423_is_documented(client):
    documented = await Documented.of(client)
    await recharge(client, "m_icy", 10_000)
    frozen = await client.post("/v1/ops/wallets/m_icy/freeze", json={"reason": "stolen card"},
                               headers={**key(), **RISK})
    assert frozen.status_code == 201, frozen.text
    refused = [
        await client.post("/v1/recharges", headers=key(), json={
            "member_id": "m_icy", "amount": 100, "currency": "CNY", "payment_method": "cash",
            "payment_reference": "c", "pos_reference": "icy-1"}),
        await client.post("/v1/purchases", headers=key(), json=purchase_body("m_icy", 100)),
    ]
    for response in refused:
        assert (response.status_code, response.json()["code"]) == (423, "wallet_frozen"), response.text
        documented.check(response)
    # the app's intent refuses a frozen wallet too (this test's wallet has no provider)
    intents = documented.schema.find_operation_by_path("POST", "/v1/payment-intents")
    assert "423" in intents.definition.raw["responses"]
