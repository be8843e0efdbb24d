"""A small fixed history for the KPI tests, in the merchant's time zone (Asia/Shanghai,
UTC+8: 04:00 UTC is noon local, the same day). The period asked about is the week of
Monday 2027-03-08 to Sunday 2027-03-14; the week before is the one churn compares with.

- m_a: enrols 03-08 at store_1 with a referral code; buys 10,000 at store_1 (03-09) and
  20,000 at store_2 (03-10, 3,000 of it paid from bonus); recharges 50,000 at store_1 (03-09);
  is credited a 5,000 bonus (03-09); moves up to gold (03-09); is sent two messages (03-09);
  holds a paid term 2027-01-01 .. 03-10 and buys the next one, from 03-10.
- m_b: enrols 03-08 at store_2; bought 03-02 (the week before) and buys 30,000 at store_1
  (03-11), 5,000 of it refunded (03-12); was credited 4,000 (03-02), 2,000 of it expires
  (03-12); moves down to regular (03-11); a message to them fails (03-11); holds a term
  ending 03-12, not renewed.
- m_c: enrols 03-09 at store_1 with a referral code; recharged 10,000 only in the week
  before (03-03), so churned; withdraws transactional consent (not an opt-out).
- m_d: recharges 20,000 and buys 7,000 at store_2 (03-13); 1,000 of cash-back credited;
  is sent a message and opts out of marketing (03-13).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared.events.envelope import Event
from shared.events.notifier import ConsentChanged, NotificationFailed, NotificationSent
from shared.events.tiering import MemberEnrolled, MembershipRenewed, TierChanged
from shared.events.wallet import BonusCredited, BonusExpired, CashbackCredited
from tests.integration.rewards.feed import purchase, recharge, refund

FROM, TO = "2027-03-08", "2027-03-14"
NOW = datetime(2027, 3, 16, 4, tzinfo=UTC)  # a Tuesday: yesterday and last week are reportable


def at(day: int, month: int = 3, year: int = 2027) -> datetime:
    return datetime(year, month, day, 4, tzinfo=UTC)


def bought(member: str, total: int, store: str, day: int, paid_bonus: int = 0):
    event = purchase(member, total)
    return event.model_copy(update={"store_id": store, "occurred_at": at(day),
                                    "paid_bonus": paid_bonus,
                                    "paid_principal": total - paid_bonus})


def paid_in(member: str, amount: int, store: str, day: int):
    return recharge(member, amount).model_copy(update={"store_id": store, "occurred_at": at(day)})


def enrolled(member: str, store: str, day: int, referred: bool) -> MemberEnrolled:
    return MemberEnrolled(occurred_at=at(day), member_id=member, store_id=store, channel="pos",
                          referral_code="CODE2345" if referred else None, locale="zh-CN",
                          enrolled_at=at(day))


def term(member: str, start: datetime, end: datetime) -> MembershipRenewed:
    return MembershipRenewed(occurred_at=start, member_id=member, term_id=f"t-{uuid.uuid4().hex[:8]}",
                             term_start=start, term_end=end, years=1, price=19_900,
                             currency="CNY", purchase_id=f"p-{uuid.uuid4().hex[:8]}")


def moved(member: str, day: int, up: bool) -> TierChanged:
    return TierChanged(occurred_at=at(day), member_id=member,
                       from_tier="regular" if up else "gold", to_tier="gold" if up else "regular",
                       direction="up" if up else "down", reason="test", qualifying_amount=1,
                       currency="CNY", effective_at=at(day))


def credited(member: str, amount: int, day: int) -> BonusCredited:
    return BonusCredited(occurred_at=at(day), member_id=member, grant_id=uuid.uuid4(),
                         recharge_id=f"r-{uuid.uuid4().hex[:8]}", amount=amount, currency="CNY",
                         bonus_balance=amount)


def sent(member: str, day: int) -> NotificationSent:
    return NotificationSent(occurred_at=at(day), member_id=member,
                            notification_id=uuid.uuid4().hex[:12], kind="statement",
                            channel="sms")


def history() -> list[Event]:
    b_bought = bought("m_b", 30_000, "store_1", 11)
    return [
        enrolled("m_a", "store_1", 8, True), enrolled("m_b", "store_2", 8, False),
        enrolled("m_c", "store_1", 9, True),
        bought("m_a", 10_000, "store_1", 9), bought("m_a", 20_000, "store_2", 10, paid_bonus=3_000),
        paid_in("m_a", 50_000, "store_1", 9), credited("m_a", 5_000, 9), moved("m_a", 9, True),
        sent("m_a", 9), sent("m_a", 9),
        term("m_a", at(1, 1), at(10)), term("m_a", at(10), at(10, 3, 2028)),
        bought("m_b", 9_000, "store_1", 2), b_bought,
        refund(b_bought, 5_000).model_copy(update={"occurred_at": at(12)}),
        credited("m_b", 4_000, 2),
        BonusExpired(occurred_at=at(12), member_id="m_b", lot_id=uuid.uuid4(), amount=2_000,
                     currency="CNY", expires_at=at(12), bonus_balance=2_000),
        moved("m_b", 11, False),
        NotificationFailed(occurred_at=at(11), member_id="m_b", notification_id="n-b-1",
                           kind="statement", channel="sms", error="unreachable", attempts=3),
        term("m_b", at(12, 3, 2026), at(12)),
        paid_in("m_c", 10_000, "store_1", 3),
        ConsentChanged(occurred_at=at(12), member_id="m_c", channel="sms",
                       category="transactional", granted=False, actor="member"),
        paid_in("m_d", 20_000, "store_2", 13), bought("m_d", 7_000, "store_2", 13),
        CashbackCredited(occurred_at=at(13), member_id="m_d", grant_id=uuid.uuid4(),
                         purchase_id="p-d", kind="cashback", amount=1_000, currency="CNY",
                         bonus_balance=1_000),
        sent("m_d", 13),
        ConsentChanged(occurred_at=at(13), member_id="m_d", channel="sms", category="marketing",
                       granted=False, actor="member"),
    ]
