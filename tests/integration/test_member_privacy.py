"""A member's phone, email and birthday reach the member and ops with `ops:pii` only: any
POS terminal and any ops token read them before (the profile, the lookup by number, the
member list). A POS terminal gets the points balance without the ledger of where points
were earned. The matrix test checks who is let in; this checks what they are shown."""

from __future__ import annotations

import pytest

from tests.support.auth import member_headers, ops_headers, pos_headers

pytestmark = pytest.mark.integration

PERSONAL = {"phone": "+8613800000000", "email": "ann@example.com", "birthday": "08-15"}
HIDDEN = dict.fromkeys(PERSONAL)


def personal(view: dict) -> dict:
    return {key: view[key] for key in PERSONAL}


async def test_only_the_member_and_ops_pii_see_phone_email_and_birthday(clients):
    tiering = clients["tiering"]
    enrolled = await tiering.post("/v1/members", headers=pos_headers("store_1"), json={
        "member_id": "m_priv", "member_number": "N-PRIV", **PERSONAL})
    assert enrolled.status_code == 201, enrolled.text
    readers = {"the member": (member_headers("m_priv"), PERSONAL),
               "ops:pii": (ops_headers("ops:pii"), PERSONAL),
               "ops:report": (ops_headers("ops:report"), HIDDEN),
               "a POS terminal": (pos_headers("store_1"), HIDDEN),
               "another store's terminal": (pos_headers("store_9", "pos_9"), HIDDEN)}
    for who, (headers, expected) in readers.items():
        profile = await tiering.get("/v1/members/m_priv", headers=headers)
        assert profile.status_code == 200, (who, profile.text)
        assert personal(profile.json()) == expected, who
    for who, headers, expected in (("ops:pii", ops_headers("ops:pii"), PERSONAL),
                                   ("a POS terminal", pos_headers("store_1"), HIDDEN)):
        found = await tiering.get("/v1/members/by-number/N-PRIV", headers=headers)
        assert (found.status_code, personal(found.json())) == (200, expected), who
    for scopes, expected in ((("ops:report",), HIDDEN), (("ops:report", "ops:pii"), PERSONAL)):
        listed = await tiering.get("/v1/members", headers=ops_headers(*scopes))
        [row] = [m for m in listed.json()["items"] if m["member_id"] == "m_priv"]
        assert personal(row) == expected, scopes


async def test_a_terminal_sees_the_points_balance_not_where_they_were_earned(clients):
    rewards = clients["rewards"]
    awarded = await rewards.post("/v1/members/m_pts/points/awards",
                                 headers={**ops_headers("ops:config"), "Idempotency-Key": "award-1"},
                                 json={"points": 120, "task": "profile_completed"})
    assert awarded.status_code == 201, awarded.text
    path = "/v1/members/m_pts/points"
    as_member = (await rewards.get(path, headers=member_headers("m_pts"))).json()
    as_terminal = (await rewards.get(path, headers=pos_headers("store_9", "pos_9"))).json()
    assert (as_member["balance"], len(as_member["entries"])) == (120, 1)
    assert (as_terminal["balance"], as_terminal["entries"]) == (120, [])
