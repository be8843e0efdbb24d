"""Issue 13, prices enforced: a membership line is sold only against tiering's signed quote
and at its price. Before, `membership-1y` at any amount the till named was a 201 and renewed
the membership; now each way of naming a price is a 422 with a stable code and writes
nothing, and a line bought at the quote carries its `quote_id` to PurchaseCompleted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.events.wallet import PurchaseCompleted
from tests.integration.wallet.money import key, published, purchase_body
from tests.support.auth import member_headers
from tests.support.quotes import quote_token, quoted
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


def renewal_body(member: str, amount: int, token_: str | None, quantity: int = 1) -> dict:
    line = {"sku": "membership-1y", "category": "membership", "quantity": quantity,
            "amount": amount}
    if token_ is not None:
        line["quote_token"] = token_
    return purchase_body(member, 0, other=amount, items=[line])


async def written(database_url: str) -> tuple[int, int]:
    [row] = await fetch_all(database_url, "SELECT (SELECT count(*) FROM wallet.purchases) AS p, "
                            "(SELECT count(*) FROM wallet.journal_entries) AS j")
    return row["p"], row["j"]


# Tokens are made when each case runs, not when the module is collected: a quote lives 30
# minutes and a long suite outlived them (`quote_expired` instead of the code under test).
@pytest.mark.parametrize(("amount", "token_", "quantity", "code"), [
    (1, None, 1, "quote_required"),  # the exploit: any price, no quote
    (28_800, None, 1, "quote_required"),  # even the right price needs the quote
    (1, lambda: quote_token(quoted("m_q", 1, 28_800)), 1, "price_not_quoted"),
    (28_801, lambda: quote_token(quoted("m_q", 1, 28_800)), 1, "price_not_quoted"),
    (57_600, lambda: quote_token(quoted("m_q", 1, 28_800)), 2,
     "price_not_quoted"),  # one quote sells one unit
    (28_800, lambda: quote_token(quoted("m_other", 1, 28_800)), 1, "quote_invalid"),
    (28_800, lambda: quote_token(quoted("m_q", 1, 28_800),
                                 secret="not-the-platform-secret-0123456789abcdef"), 1,
     "quote_invalid"),
    (28_800, lambda: "not-a-jwt", 1, "quote_invalid"),
    (28_800, lambda: member_headers("m_q")["Authorization"][7:], 1, "quote_invalid"),  # a credential
    (28_800, lambda: quote_token(quoted("m_q", 1, 28_800, valid_for=timedelta(seconds=-1))), 1,
     "quote_expired"),
])
async def test_a_membership_line_not_at_its_quote_is_refused_and_nothing_is_written(
        client, bus_platform, amount, token_, quantity, code):
    token_ = token_() if callable(token_) else token_
    before = await written(bus_platform.database_url)

    response = await client.post("/v1/purchases", headers=key(),
                                 json=renewal_body("m_q", amount, token_, quantity))

    assert (response.status_code, response.json()["code"]) == (422, code), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await written(bus_platform.database_url) == before
    assert await published(bus_platform.database_url, PurchaseCompleted) == []


async def test_a_quote_is_not_a_credential(client):
    response = await client.get("/v1/wallets/m_q", headers={
        "Authorization": f"Bearer {quote_token(quoted('m_q', 1, 28_800))}", "X-Api-Key": ""})
    assert response.status_code == 401


async def test_a_line_at_its_quote_is_sold_and_carries_the_quote_id_not_the_token(client, bus_platform):
    quote = quoted("m_q", 1, 28_800)
    response = await client.post("/v1/purchases", headers=key(),
                                 json=renewal_body("m_q", 28_800, quote_token(quote)))

    assert response.status_code == 201, response.text
    [event] = await published(bus_platform.database_url, PurchaseCompleted)
    assert [(i.sku, i.amount, i.quote_id) for i in event.items] == [
        ("membership-1y", 28_800, quote.quote_id)]
    [stored] = await fetch_all(bus_platform.database_url, "SELECT items::text AS items FROM "
                               "wallet.purchases")
    assert quote.quote_id in stored["items"] and "quote_token" not in stored["items"]
