"""Making ids registered members in the wallet the way production does: the wallet's own
`MemberEnrolled` handler, run on the wallet's unit of work (as its consumer would after
tiering published the enrolment). Tests that recharge above an unregistered card's caps,
or expect a bonus, enrol their members first; the flow over Kafka itself is proven in
tests/integration/wallet/test_cards_by_kind.py."""

from __future__ import annotations

from datetime import UTC, datetime

from services.wallet.handlers import on_members_enrolled
from shared.events.tiering import MemberEnrolled
from shared.runtime import ServiceRuntime


def enrolment(member_id: str, at: datetime | None = None) -> MemberEnrolled:
    at = at or datetime.now(UTC)
    return MemberEnrolled(occurred_at=at, member_id=member_id, channel="pos", locale="zh-CN",
                          enrolled_at=at)


async def enrol_in_wallet(wallet: ServiceRuntime, *member_ids: str) -> None:
    """Run the wallet's MemberEnrolled handler for `member_ids` (one batch)."""
    async with wallet.context.uow() as uow:
        await on_members_enrolled([enrolment(m) for m in member_ids], uow, wallet.settings)
