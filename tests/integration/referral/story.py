"""The four services a referral story needs, driven through their HTTP APIs the way the
POS, the member app and ops tools drive them, and a look into what rewards granted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import fetch_all

REVIEWER = ops_headers("ops:review", "ops:report", user="ops_rita")


def once() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@dataclass
class Story:
    tiering: httpx.AsyncClient
    wallet: httpx.AsyncClient
    referral: httpx.AsyncClient
    database_url: str

    async def enrol(self, member_id: str, code: str | None = None) -> None:
        body = {"member_id": member_id, **({"referral_code": code} if code else {})}
        enrolled = await self.tiering.post("/v1/members", json=body, headers=pos_headers())
        assert enrolled.status_code == 201, enrolled.text

    async def code_of(self, member_id: str) -> str:
        made = await self.referral.post(f"/v1/members/{member_id}/referral-code",
                                        headers=member_headers(member_id))
        assert made.status_code == 200, made.text
        return made.json()["code"]

    async def recharge(self, member_id: str, amount: int, reference: str | None = None) -> str:
        paid = await self.wallet.post("/v1/recharges", headers={**pos_headers(), **once()}, json={
            "member_id": member_id, "amount": amount, "currency": "CNY",
            "payment_method": "wechat_pay", "store_id": "store_1", "terminal_id": "pos_1",
            "payment_reference": reference or f"wx-{uuid.uuid4().hex[:10]}", "channel": "pos",
            "pos_reference": uuid.uuid4().hex})
        assert paid.status_code == 201, paid.text
        return paid.json()["recharge_id"]

    async def refund_recharge(self, recharge_id: str) -> None:
        refunded = await self.wallet.post(f"/v1/recharges/{recharge_id}/refund",
                                          headers={**pos_headers(), **once()},
                                          json={"reason": "changed their mind"})
        assert refunded.status_code == 201, refunded.text

    async def page(self, member_id: str) -> dict:
        shown = await self.referral.get(f"/v1/members/{member_id}/referrals",
                                        headers=member_headers(member_id))
        assert shown.status_code == 200, shown.text
        return shown.json()

    async def status_of(self, invitee_id: str) -> str | None:
        rows = await fetch_all(self.database_url,
                               "SELECT status FROM referral.referrals WHERE invitee_id = $1",
                               invitee_id)
        return rows[0]["status"] if rows else None

    async def referral_coupons(self, *members: str) -> list[tuple[str, str, bool]]:
        """(member, template, voided) of every referral coupon of these members."""
        rows = await fetch_all(self.database_url, """
            SELECT member_id, template_id, voided_at IS NOT NULL AS voided FROM rewards.coupons
            WHERE reason LIKE 'referral:%' AND member_id = ANY($1) ORDER BY member_id
        """, list(members))
        return [(r["member_id"], r["template_id"], r["voided"]) for r in rows]

    async def referral_points(self, member_id: str) -> list[tuple[str, int]]:
        """(kind, points) of the member's points entries about referrals."""
        rows = await fetch_all(self.database_url, """
            SELECT kind, points FROM rewards.points_entries
            WHERE member_id = $1 AND (reason = 'referral' OR reason LIKE 'referral %')
            ORDER BY occurred_at, kind
        """, member_id)
        return [(r["kind"], r["points"]) for r in rows]
