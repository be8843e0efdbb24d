"""Whatever a client sends to a money-moving POST, the answer is a success or a
problem+json 4xx with a code — never a 500. Valid bodies with one field replaced by any
JSON value, and arbitrary JSON, are thrown at every POST."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.wallet.hypothesis_on_loop import run_on_this_loop
from tests.integration.wallet.money import OPS, purchase_body, recharge

pytestmark = pytest.mark.integration

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=80)
    | st.sampled_from(["\x00", "m\x00", "", " ", "\ud7ff", "😀" * 70]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10)


def bodies(valid: dict) -> st.SearchStrategy:
    mutated = st.builds(lambda field, value: {**valid, field: value},
                        st.sampled_from(sorted(valid)), json_values)
    dropped = st.sampled_from(sorted(valid)).map(lambda field: {k: v for k, v in valid.items() if k != field})
    return st.one_of(mutated, dropped, json_values)


async def test_no_body_makes_a_money_moving_post_fail_with_a_500(client, wallet):
    paid = await recharge(client, "m_fuzz", 10_000)
    bought = (await client.post("/v1/purchases", headers={"Idempotency-Key": "f-1"},
                                json=purchase_body("m_fuzz", 1_000))).json()
    targets = [
        ("/v1/recharges", {}, {"member_id": "m_fuzz", "amount": 100, "currency": "CNY",
                               "payment_method": "cash", "payment_reference": "c",
                               "store_id": "store_1", "terminal_id": "pos_1",
                               "pos_reference": "fuzz"}),
        ("/v1/purchases", {}, purchase_body("m_fuzz", 100, 50)),
        (f"/v1/purchases/{bought['purchase_id']}/refunds", {}, {"amount": 10, "reason": "r"}),
        (f"/v1/recharges/{paid['recharge_id']}/refund", {}, {"reason": "r"}),
        ("/v1/ops/adjustments", {"X-Api-Key": "", **OPS},
         {"member_id": "m_fuzz", "currency": "CNY", "bonus_delta": 5, "reason": "r"}),
    ]
    seen: set[int] = set()

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=st.one_of([st.tuples(st.just(n), bodies(valid))
                           for n, (_, _, valid) in enumerate(targets)]))
    async def post(case):
        target, body = case
        path, headers, _ = targets[target]
        response = await client.post(path, json=body,
                                     headers={"Idempotency-Key": uuid.uuid4().hex, **headers})
        seen.add(response.status_code)
        assert response.status_code < 500, (path, body, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"]

    await run_on_this_loop(post)
    assert 422 in seen


@pytest.mark.parametrize("path", ["/v1/wallets/m%00x", "/v1/wallets/m%00x/statement",
                                  "/v1/wallets/m%00x/recharges"])
async def test_a_nul_in_a_path_is_a_422_problem(client, path):
    response = await client.get(path)
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")


async def test_a_nul_in_a_body_is_a_422_problem(client):
    response = await client.post("/v1/purchases", headers={"Idempotency-Key": "nul"},
                                 json=purchase_body("m\x00", 0, 100))
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
