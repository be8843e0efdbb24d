"""A well-formed currency code the merchant does not hold is a 422 `unsupported_currency`,
whether or not the platform knows its minor unit (it was a 500 for codes it does not)."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.wallet.test_recharge_api import recharge_body

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("currency", ["ZZZ", "XTS", "KWD", "USD"])
async def test_a_recharge_in_an_unlisted_currency_is_refused_with_its_code(client, currency):
    response = await client.post("/v1/recharges", json=recharge_body(currency=currency),
                                 headers={"Idempotency-Key": uuid.uuid4().hex})

    assert (response.status_code, response.json()["code"]) == (422, "unsupported_currency")
    assert response.headers["content-type"] == "application/problem+json"
