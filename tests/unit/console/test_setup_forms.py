"""The setup forms' reading of what staff type: amounts, percentages, multipliers and local
moments; offer, tier and referral drafts; API refusals placed next to their field."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from services.console.rules.form_values import (
    Unreadable,
    local_moment,
    minor_units,
    multiplier_bps,
    percent_bps,
    shown_major,
    shown_multiplier,
    shown_percent,
)
from services.console.rules.offer_drafts import draft_from_form, form_from_version, problem_fields
from services.console.rules.program_drafts import referral_from_form, tiers_from_form

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("text,minor", [("100", 10_000), ("99.5", 9_950), ("1,234.05", 123_405),
                                        (" 0.01 ", 1)])
def test_amounts_are_read_as_minor_units_without_floats(text, minor):
    assert minor_units(text) == minor
    assert minor_units(shown_major(minor)) == minor


@pytest.mark.parametrize("reader,text", [(minor_units, "1.234"), (minor_units, "-5"),
                                         (minor_units, "ten"), (percent_bps, "101"),
                                         (multiplier_bps, "0.5"), (multiplier_bps, "11")])
def test_unreadable_values_name_their_word(reader, text):
    with pytest.raises(Unreadable):
        reader(text)


def test_percentages_and_multipliers_round_trip_as_basis_points():
    assert (percent_bps("5"), percent_bps("12.5%"), multiplier_bps("x1.5")) == (500, 1_250, 15_000)
    assert (shown_percent(1_250), shown_multiplier(15_000), shown_multiplier(20_000)) == (
        "12.5", "1.5", "2")


def test_a_local_moment_is_in_the_merchants_zone():
    assert local_moment("2026-12-01T00:00", SHANGHAI) == datetime(2026, 12, 1, tzinfo=SHANGHAI)


def test_a_ladder_form_becomes_rungs_and_blank_rows_are_left_out():
    draft = draft_from_form("ladder", {"name": "Winter", "threshold_0": "100", "bonus_0": "15",
                                       "threshold_1": "500", "bonus_1": "90", "threshold_2": ""},
                            "CNY", SHANGHAI)
    assert draft.errors == {}
    assert draft.body == {"kind": "ladder", "name": "Winter", "currency": "CNY",
                          "terms": {"rungs": [[10_000, 1_500], [50_000, 9_000]]}}
    shown = form_from_version({**draft.body, "version": 2}, SHANGHAI)
    assert (shown["threshold_1"], shown["bonus_1"]) == ("500", "90")


def test_a_half_filled_rung_and_a_missing_name_are_errors_by_field():
    draft = draft_from_form("ladder", {"threshold_0": "100"}, "CNY", SHANGHAI)
    assert draft.errors == {"name": "required", "bonus_0": "amount_unreadable"}


def test_a_campaign_form_reads_multiplier_days_segments_and_budget():
    draft = draft_from_form("campaign", {
        "name": "Double week", "multiplier": "2", "weekday_5": "on", "segment_new": "on",
        "segment_ids": "vip, gold_fans", "budget": "50000", "effective_from": "2026-12-01T00:00",
        "effective_to": "2026-12-08T00:00"}, "CNY", SHANGHAI)
    assert draft.errors == {}
    assert draft.body["terms"] == {"bonus_bps": 20_000, "weekdays": [5], "segments": ["new"],
                                   "segment_ids": ["vip", "gold_fans"]}
    assert (draft.body["budget"], draft.body["effective_from"]) == (
        5_000_000, "2026-12-01T00:00:00+08:00")


def test_the_apis_refusal_is_shown_next_to_the_field_it_names():
    window = {"code": "invalid_effective_window", "detail": "effective_to must be after effective_from."}
    assert problem_fields("campaign", window) == {"effective_to": window["detail"]}
    terms = {"code": "invalid_offer_terms", "detail": "terms do not fit",
             "errors": [{"location": ["rungs"], "message": "thresholds must rise"}]}
    assert problem_fields("ladder", terms) == {"threshold_0": "thresholds must rise"}
    tiers = {"code": "invalid_request", "errors": [
        {"location": ["body", "tiers", 1, "spend_threshold"], "message": "too big"}]}
    assert problem_fields("tiers", tiers) == {"tier_1_spend": "too big"}


def test_a_tier_form_keeps_the_benefits_it_does_not_show():
    current = [{"name": "gold", "benefits": {"free_services": ["parking"], "priority_support": True}}]
    draft = tiers_from_form({"measure": "spend_12m", "tier_0_name": "regular",
                             "tier_1_name": "gold", "tier_1_spend": "20000", "tier_1_discount": "5",
                             "tier_1_points": "1.5", "tier_1_bonus": "1.2"}, 3, current)
    assert draft.errors == {}
    gold = draft.body["tiers"][1]
    assert gold["spend_threshold"] == 2_000_000
    assert gold["benefits"] == {"free_services": ["parking"], "priority_support": True,
                                "discount_bps": 500, "points_multiplier_bps": 15_000,
                                "bonus_multiplier_bps": 12_000}


def test_a_referral_form_changes_what_it_shows_and_keeps_the_rest():
    current = {"version": 3, "created_by": "ops_a", "currency": "CNY", "qualifies_on": ["purchase"],
               "min_amount": 10_000, "window_days": 30, "monthly_cap": 10, "burst_limit": 20,
               "burst_minutes": 60, "clawback_days": 30, "late_attribution_days": 14,
               "referrer_points_bps": 0, "referrer_coupon_template": None,
               "invitee_coupon_template": None}
    draft = referral_from_form({"qualifies_recharge": "on", "min_amount": "200", "window_days": "14",
                                "monthly_cap": "5", "clawback_days": "x"}, current, "CNY")
    assert draft.errors == {"clawback_days": "number_unreadable"}
    assert (draft.body["qualifies_on"], draft.body["min_amount"], draft.body["burst_limit"]) == (
        ["recharge"], 20_000, 20)
    assert "version" not in draft.body
