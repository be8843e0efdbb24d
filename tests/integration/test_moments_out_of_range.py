"""Moments outside what Python and PostgreSQL both hold (year 1 at +14:00 is year 0 in UTC,
9999-12-31 at -05:00 is year 10000) are refused in every service: 422
`datetime_out_of_range` as parameters, 400 `invalid_cursor` inside a cursor. All were 500s."""

from __future__ import annotations

import uuid

import pytest

from shared.http.paging import encode_cursor
from tests.support.auth import member_headers, ops_headers

pytestmark = pytest.mark.integration

EARLY = "0001-01-01T00:00:00+14:00"
LATE = "9999-12-31T23:00:00-05:00"
FINE = "2026-01-01T00:00:00Z"
START, END = "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z"
OPS = ops_headers("ops:report", "ops:review")
MEMBER = member_headers("m_1")


def period(start: str, end: str) -> dict[str, str]:
    return {"from": start, "to": end}


PARAMETERS = [
    ("wallet", "/v1/wallets/m_1", MEMBER, lambda m: {"as_of": m}),
    ("wallet", "/v1/ops/reports/liability", OPS, lambda m: {"as_of": m}),
    ("tiering", "/v1/reports/renewals", OPS, lambda m: period(m, END)),
    ("tiering", "/v1/reports/tier-changes", OPS, lambda m: period(START, m)),
    ("rewards", "/v1/reports/program", OPS, lambda m: period(m, END)),
    ("referral", "/v1/reports/program", OPS, lambda m: period(START, m)),
    ("notifier", "/v1/reports/notifications", OPS, lambda m: period(m, END)),
]


async def test_every_moment_parameter_refuses_what_cannot_be_held(clients):
    for service, path, headers, params in PARAMETERS:
        for moment in (EARLY, LATE):
            response = await clients[service].get(path, params=params(moment), headers=headers)
            assert (response.status_code, response.json()["code"]) == (
                422, "datetime_out_of_range"), (service, path, moment, response.text)
        fine = await clients[service].get(path, params=params("2026-06-01T00:00:00+08:00"),
                                          headers=headers)
        assert fine.status_code == 200, (service, path, fine.text)


CURSORS = [
    ("wallet", "/v1/wallets/m_1/recharges", MEMBER, lambda m: [m, str(uuid.uuid4())]),
    ("wallet", "/v1/wallets/m_1/purchases", MEMBER, lambda m: [m, str(uuid.uuid4())]),
    ("tiering", "/v1/members/m_1/membership/terms", MEMBER, lambda m: [m]),
    ("rewards", "/v1/reviews", OPS, lambda m: [m, "r_1"]),
    ("referral", "/v1/reviews", OPS, lambda m: [m, "ref_1"]),
    ("notifier", "/v1/members/m_1/inbox", MEMBER, lambda m: [m, str(uuid.uuid4())]),
]


async def test_every_cursor_refuses_a_moment_that_cannot_be_held(clients):
    for service, path, headers, key in CURSORS:
        for moment in (EARLY, LATE, "not a time", "2026-01-01T00:00:00"):
            response = await clients[service].get(
                path, params={"cursor": encode_cursor(key(moment))}, headers=headers)
            assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor"), (
                service, path, moment, response.text)
        fine = await clients[service].get(path, params={"cursor": encode_cursor(key(FINE))},
                                          headers=headers)
        assert fine.status_code == 200, (service, path, fine.text)
