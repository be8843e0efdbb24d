"""Every event the notifier reacts to makes a draft whose facts render in both locales:
the facts an event gives and the facts a template needs cannot drift apart."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.notifier.handlers import HANDLERS, on_outreach_event
from services.notifier.rules.kinds import KINDS
from services.notifier.rules.templates import LOCALES, render
from services.notifier.rules.triggers import draft_for
from shared.events.referral import ReferralQualified
from shared.events.rewards import CouponIssued, PointsExpired
from shared.events.tiering import MembershipExpired, MembershipExpiring, RenewalQuote, TierChanged
from shared.events.wallet import BonusCredited, RechargeCompleted

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
LATER = NOW + timedelta(days=7)

EVENTS = {
    "renewal_reminder": MembershipExpiring(
        member_id="m1", occurred_at=NOW, term_id="t1", term_end=LATER, days_left=7,
        renewal_quote=(RenewalQuote(years=1, price=32_400, currency="CNY"),)),
    "win_back": MembershipExpired(member_id="m1", occurred_at=NOW, term_id="t1", term_end=NOW,
                                  grace_until=LATER),
    "recharge_receipt": RechargeCompleted(
        member_id="m1", occurred_at=NOW, recharge_id="r1", amount=50_000, currency="CNY",
        payment_method="cash", payment_reference="x", store_id="s1", channel="pos",
        is_first_recharge=True, lifetime_recharged=50_000),
    "bonus_receipt": BonusCredited(member_id="m1", occurred_at=NOW, grant_id=uuid.uuid4(),
                                   recharge_id="r1", amount=8_000, currency="CNY",
                                   bonus_balance=8_000),
    "tier_upgraded": TierChanged(member_id="m1", occurred_at=NOW, from_tier="regular",
                                 to_tier="gold", direction="up", reason="spend",
                                 qualifying_amount=2_000_000, currency="CNY", effective_at=NOW),
    "referral_qualified": ReferralQualified(
        member_id="m1", occurred_at=NOW, referral_id="ref1", referrer_id="m1", invitee_id="m2",
        qualifying_event_id=uuid.uuid4(), qualifying_amount=20_000, currency="CNY"),
    "coupon_issued": CouponIssued(
        member_id="m1", occurred_at=NOW, coupon_id="c1", code="SPRING", template_id="t",
        kind="percent_off", value=1_500, valid_from=NOW, valid_until=LATER, reason="spring"),
    "points_expired": PointsExpired(member_id="m1", occurred_at=NOW, entry_id="e1", points=100,
                                    balance=900),
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_an_events_facts_render_its_kind(kind, locale):
    draft = draft_for(EVENTS[kind])
    assert draft is not None and draft.kind == kind
    rendered = render(kind, locale, draft.facts, ZoneInfo("Asia/Shanghai"), "https://x/u")
    assert rendered.subject and rendered.text


def test_a_percent_coupon_reads_as_a_percentage():
    draft = draft_for(EVENTS["coupon_issued"])
    assert render("coupon_issued", "en", draft.facts, ZoneInfo("UTC")).subject == \
        "A coupon for you: 15% off"


def test_every_event_kind_is_wired_and_every_event_made_kind_is_known():
    wired = {kind for kind, handlers in HANDLERS.items() if on_outreach_event in handlers}
    assert wired == {type(event) for event in EVENTS.values()}
    assert set(EVENTS) <= set(KINDS)
