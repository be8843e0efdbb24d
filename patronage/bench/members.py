"""The benchmarks' members are registered members, as a merchant's regular customers are:
the recharge paths they time are the registered ones (caps of `PATRONAGE_WALLET_MAX_*`, a
bonus for every loop). They are written straight into the wallet's projection of
`MemberEnrolled` (`wallet.registered_members`), the way `seed_wallets` writes wallets: a
benchmark's setup, not a path it measures."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg


async def register_members(database_url: str, member_ids: Sequence[str]) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "INSERT INTO wallet.registered_members (member_id, enrolled_at) "
            "SELECT m, now() FROM unnest($1::text[]) AS m ON CONFLICT DO NOTHING",
            list(member_ids))
    finally:
        await connection.close()
