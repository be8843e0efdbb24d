"""The payment rules, pure: the callback signature, settling an intent, the token that
replaces a payment reference, and what a member may pay with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.wallet.rules.payment_intents import Intent, ProviderReport, settle, status_at
from services.wallet.rules.payment_references import masked_reference, reference_token
from services.wallet.rules.payment_signatures import (
    SignatureRefused,
    signature,
    signature_header,
    verify_signature,
)
from services.wallet.rules.purchases import check_member_tenders
from shared.events.card_numbers import contains_card_number
from shared.rule_violations import RuleViolation

SECRET = "s" * 40
BODY = b'{"payment_id":"fp_1","intent_id":"i","amount":100,"currency":"CNY","status":"succeeded"}'
NOW = 1_800_000_000


def refusal(header: str | None, body: bytes = BODY, now: float = NOW) -> str | None:
    try:
        verify_signature(SECRET, header, body, now, 300)
    except SignatureRefused as refused:
        assert refused.status == 401
        return refused.code
    return None


def test_a_correct_signature_within_the_tolerance_passes():
    assert refusal(signature_header(SECRET, NOW, BODY)) is None
    assert refusal(signature_header(SECRET, NOW - 300, BODY)) is None


@pytest.mark.parametrize("header", [
    None, "", "garbage", f"t={NOW}", f"v1={signature(SECRET, NOW, BODY)}",
    f"t=abc,v1={signature(SECRET, NOW, BODY)}",
    signature_header("another secret of the same length!!!!!!!", NOW, BODY),
    f"t={NOW + 1},v1={signature(SECRET, NOW, BODY)}",   # the time is signed too
    signature_header(SECRET, NOW, BODY).upper(),
])
def test_a_missing_malformed_or_wrong_signature_is_refused(header):
    assert refusal(header) == "invalid_signature"


def test_the_signature_covers_the_raw_bytes():
    reformatted = BODY.replace(b",", b", ")  # same JSON, other bytes
    assert refusal(signature_header(SECRET, NOW, BODY), body=reformatted) == "invalid_signature"


@pytest.mark.parametrize("signed_at", [NOW - 301, NOW + 301, 0])
def test_a_stale_or_future_timestamp_is_refused_with_its_own_code(signed_at):
    header = signature_header(SECRET, signed_at, BODY)
    assert refusal(header) == "signature_timestamp_out_of_tolerance"


def test_one_of_several_signatures_may_match_during_a_secret_rotation():
    header = f"t={NOW},v1={'0' * 64},v1={signature(SECRET, NOW, BODY)}"
    assert refusal(header) is None


AT = datetime(2026, 11, 29, 12, tzinfo=UTC)
INTENT = Intent("i_1", "m_1", 50_000, "CNY", "fakepay", "pending", AT + timedelta(minutes=15))


def report(**overrides) -> ProviderReport:
    fields = {"provider": "fakepay", "payment_id": "fp_1", "intent_id": "i_1", "amount": 50_000,
              "currency": "CNY", "status": "succeeded"} | overrides
    return ProviderReport(**fields)


def test_a_matching_payment_before_expiry_recharges():
    assert settle(INTENT, report(), AT).outcome == "recharge"


@pytest.mark.parametrize(("intent", "sent", "outcome", "code", "marked"), [
    (INTENT, report(amount=49_999), "amount_mismatch", "payment_amount_mismatch", "mismatched"),
    (INTENT, report(currency="USD"), "amount_mismatch", "payment_amount_mismatch", "mismatched"),
    (INTENT, report(provider="otherpay"), "intent_not_found", "payment_intent_not_found", None),
    (None, report(), "intent_not_found", "payment_intent_not_found", None),
    (INTENT.__class__(**{**INTENT.__dict__, "status": "succeeded"}), report(), "already_paid",
     "payment_intent_already_paid", None),
    (INTENT.__class__(**{**INTENT.__dict__, "status": "failed"}), report(), "intent_closed",
     "payment_intent_closed", None),
])
def test_a_payment_that_does_not_match_its_intent_is_refused(intent, sent, outcome, code, marked):
    settlement = settle(intent, sent, AT)
    assert (settlement.outcome, settlement.code, settlement.intent_status) == (outcome, code, marked)
    assert settlement.status_code >= 400


def test_a_payment_for_an_expired_intent_is_refused_and_the_intent_marked():
    late = AT + timedelta(minutes=15)
    settlement = settle(INTENT, report(), late)
    assert (settlement.code, settlement.status_code, settlement.intent_status) == (
        "payment_intent_expired", 422, "expired")
    assert status_at("pending", INTENT.expires_at, late) == "expired"
    assert status_at("pending", INTENT.expires_at, AT) == "pending"
    assert status_at("succeeded", INTENT.expires_at, late) == "succeeded"


def test_a_failed_payment_closes_a_pending_intent_and_changes_nothing_else():
    assert settle(INTENT, report(status="failed"), AT).intent_status == "failed"
    paid = INTENT.__class__(**{**INTENT.__dict__, "status": "succeeded"})
    assert settle(paid, report(status="failed"), AT).intent_status is None


def test_the_token_is_equal_for_equal_references_and_keyed():
    card = "4111111111111111"
    assert reference_token("k1", card) == reference_token("k1", card)
    assert reference_token("k1", card) != reference_token("k2", card)
    assert reference_token("k1", card) != reference_token("k1", "4111111111111112")
    assert card not in reference_token("k1", card)


def test_a_token_never_looks_like_a_card_number():
    tokens = [reference_token("k", f"ref-{n}") for n in range(2000)]
    assert all(len(t) == 36 and not any(c.isdigit() for c in t[4:]) for t in tokens)
    assert not any(contains_card_number(t) for t in tokens)


def test_the_masked_form_keeps_only_the_last_four():
    assert masked_reference("4111111111111111") == "****1111"
    assert masked_reference("wx-1") == "****"


def test_a_member_pays_with_stored_value_only():
    check_member_tenders(["stored_value"])
    with pytest.raises(RuleViolation) as refused:
        check_member_tenders(["stored_value", "cash"])
    assert (refused.value.code, refused.value.status) == ("external_tender_not_allowed", 403)


def test_outside_dev_a_short_or_placeholder_provider_secret_stops_the_start():
    from services.wallet.settings import DEV_PAYMENT_SECRET, WalletSettings

    assert "fakepay" in WalletSettings().providers_for("dev")
    assert WalletSettings().providers_for("test") == {}
    for secret in ("short", DEV_PAYMENT_SECRET + "-padded-to-be-long-enough"):
        settings = WalletSettings(payment_providers={"fakepay": {"secret": secret}})
        with pytest.raises(ValueError, match="fakepay"):
            settings.providers_for("prod")
    with pytest.raises(ValueError, match="REFERENCE_KEY"):
        WalletSettings().providers_for("prod")
    real = WalletSettings(payment_providers={"fakepay": {"secret": SECRET}},
                          payment_reference_key="k" * 40)
    assert list(real.providers_for("prod")) == ["fakepay"]
