"""Which channels a message may take, unsubscribe tokens, request signatures, and which
message each event asks for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifier.rules.channels import Reach, candidates
from services.notifier.rules.signatures import signature, signed_by
from services.notifier.rules.triggers import draft_for
from services.notifier.rules.unsubscribe import read_unsubscribe_token, unsubscribe_token
from shared.events.tiering import MembershipExpiring, RenewalQuote, TierChanged
from shared.rule_violations import RuleViolation

ALL = ("email", "sms", "push", "wechat", "inbox")
ORDER = ("email", "sms", "push", "wechat", "inbox")
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def test_the_preferred_channel_first_then_the_fallback_order():
    reach = Reach({"email": "a@b.cn", "sms": "+861", "inbox": "m1"}, {}, preferred="sms")
    assert candidates(reach, "transactional", ALL, ORDER) == ["sms", "email", "inbox"]


def test_marketing_needs_an_opt_in_and_a_withdrawn_consent_is_skipped():
    reach = Reach({"email": "a@b.cn", "sms": "+861", "inbox": "m1"},
                  {("sms", "marketing"): True, ("email", "transactional"): False})
    assert candidates(reach, "marketing", ALL, ORDER) == ["sms"]
    assert candidates(reach, "transactional", ALL, ORDER) == ["sms", "inbox"]


def test_unconfigured_and_failed_channels_are_skipped():
    reach = Reach({"email": "a@b.cn", "sms": "+861", "inbox": "m1"}, {})
    assert candidates(reach, "transactional", ("sms", "inbox"), ORDER) == ["sms", "inbox"]
    assert candidates(reach, "transactional", ALL, ORDER, failed=("email", "sms")) == ["inbox"]
    assert candidates(reach, "transactional", ALL, ("sms",)) == ["sms"]


def test_an_unsubscribe_token_names_the_member_and_channel_and_cannot_be_edited():
    token = unsubscribe_token("s3cret", "m_1001", "email")
    assert read_unsubscribe_token("s3cret", token) == ("m_1001", "email")
    forged = unsubscribe_token("other", "m_1001", "email")
    edited = token.replace(".email.", ".sms.")
    for bad in (forged, edited, "x", "a.b.c.d", token + "x"):
        with pytest.raises(RuleViolation) as refused:
            read_unsubscribe_token("s3cret", bad)
        assert (refused.value.code, refused.value.status) == ("invalid_unsubscribe_link", 400)


def test_a_request_signature_covers_timestamp_and_body():
    sent = signature("k", "1700000000", b'{"a":1}')
    assert signed_by("k", "1700000000", b'{"a":1}', sent)
    assert not signed_by("k", "1700000001", b'{"a":1}', sent)
    assert not signed_by("k", "1700000000", b'{"a":2}', sent)


def test_a_reminder_carries_the_quote_and_a_downgrade_asks_for_nothing():
    reminder = MembershipExpiring(
        member_id="m1", occurred_at=NOW, term_id="t1", term_end=NOW, days_left=7,
        renewal_quote=(RenewalQuote(years=1, price=32_400, currency="CNY"),))
    draft = draft_for(reminder)
    assert draft is not None and draft.kind == "renewal_reminder"
    assert draft.facts["quotes"] == [{"years": 1, "price": 32_400, "currency": "CNY"}]
    down = TierChanged(member_id="m1", occurred_at=NOW, from_tier="gold", to_tier="silver",
                       direction="down", reason="review", qualifying_amount=0, currency="CNY",
                       effective_at=NOW)
    assert draft_for(down) is None
    assert draft_for(down.model_copy(update={"direction": "up"})).kind == "tier_upgraded"
