"""The renewal prices' setup form: a version shown as yuan and percent reads back as the
same body, unreadable fields are named, the API's refusals land by their field, and the
page's words are new keys in both languages."""

from __future__ import annotations

from services.console.rules import words
from services.console.rules.renewal_price_drafts import (
    renewal_form,
    renewal_from_form,
    renewal_problem_fields,
)
from services.console.rules.renewal_price_words import RENEWAL_PRICE_WORDS
from services.console.rules.setup_words import DASHBOARD_WORDS, SETUP_WORDS

VERSION = {"version": 1, "currency": "CNY", "price_per_year": 36_000, "lengths": [1, 2],
           "length_discount_bps": {"1": 1000, "2": 2000},
           "segment_discount_bps": {"potential": 2000, "growing": 3000, "core": 4000},
           "early_renewal_bps": 1500, "early_renewal_days": 60, "win_back_bps": 2500,
           "first_renewal_bps": 1000, "renewal_floor_per_year": 15_050,
           "upgrade_surcharge_bps": 1250}


def test_a_version_shown_as_a_form_reads_back_as_its_figures():
    form = renewal_form(VERSION)
    assert (form["price_per_year"], form["floor_per_year"], form["upgrade_surcharge"]) == (
        "360", "150.50", "12.5")
    draft = renewal_from_form(form, VERSION["lengths"])
    assert draft.errors == {}
    figures = {k: v for k, v in VERSION.items() if k not in ("version", "currency")}
    assert draft.body == figures


def test_unreadable_fields_are_named():
    form = {**renewal_form(VERSION), "price_per_year": "lots", "length_2_discount": "120",
            "early_days": "-3"}
    errors = renewal_from_form(form, [1, 2]).errors
    assert errors == {"price_per_year": "amount_unreadable",
                      "length_2_discount": "percent_unreadable", "early_days": "number_unreadable"}


def test_the_apis_refusals_land_by_their_field():
    problem = {"code": "longer_term_not_cheaper", "detail": "must rise", "errors": [
        {"location": ["body", "length_discount_bps", "2"], "message": "must rise"}]}
    assert renewal_problem_fields(problem) == {"length_2_discount": "must rise"}
    floor = {"code": "renewal_floor_too_low", "detail": "too low", "errors": [
        {"location": ["body", "renewal_floor_per_year"], "message": "too low"}]}
    assert renewal_problem_fields(floor) == {"floor_per_year": "too low"}
    assert renewal_problem_fields({"code": "x", "detail": "down"}) == {"price_per_year": "down"}


def test_the_pages_words_are_new_keys_in_both_languages():
    source = open(words.__file__, encoding="utf-8").read()
    assert not [key for key in RENEWAL_PRICE_WORDS if f'"{key}": {{' in source]
    assert not set(RENEWAL_PRICE_WORDS) & (set(SETUP_WORDS) | set(DASHBOARD_WORDS))
    assert all(set(e) == {"en", "zh"} and all(e.values()) for e in RENEWAL_PRICE_WORDS.values())
    assert all(words.WORDS[key] == entry for key, entry in RENEWAL_PRICE_WORDS.items())
