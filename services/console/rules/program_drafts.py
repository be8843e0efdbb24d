"""The tier rules' and referral program's setup forms: fields read as the bodies of
tiering's `POST /v1/tiers/rules` and referral's `POST /v1/programs`, and the versions in
force shown back as fields. Errors are word keys by field name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.console.rules.form_values import (
    Unreadable,
    minor_units,
    multiplier_bps,
    percent_bps,
    shown_major,
    shown_multiplier,
    shown_percent,
)
from services.console.rules.offer_drafts import Draft

MEASURES = ("spend_12m", "lifetime_recharge", "both")
QUALIFIES_ON = ("purchase", "recharge")
REFERRAL_COUNTS = ("window_days", "monthly_cap", "clawback_days")


def whole_number(text: str) -> int:
    if not text.strip().isdigit():
        raise Unreadable("number_unreadable")
    return int(text.strip())


def tier_form(rules: Mapping[str, Any]) -> dict[str, str]:
    shown = {"measure": rules.get("measure", "spend_12m")}
    for row, tier in enumerate(rules.get("tiers", [])):
        benefits = tier.get("benefits") or {}
        shown.update({
            f"tier_{row}_name": tier["name"],
            f"tier_{row}_spend": shown_major(tier.get("spend_threshold", 0)),
            f"tier_{row}_recharge": shown_major(tier.get("recharge_threshold", 0)),
            f"tier_{row}_discount": shown_percent(benefits.get("discount_bps", 0)),
            f"tier_{row}_points": shown_multiplier(benefits.get("points_multiplier_bps", 10_000)),
            f"tier_{row}_bonus": shown_multiplier(benefits.get("bonus_multiplier_bps", 10_000))})
    return shown


def tiers_from_form(form: Mapping[str, str], rows: int,
                    current: Sequence[Mapping[str, Any]]) -> Draft:
    """Rows with a name become tiers, in the form's order; benefits the form does not show
    (free services, priority support) are kept from the tier of that name in force."""
    draft = Draft()
    kept = {tier["name"]: tier.get("benefits") or {} for tier in current}
    tiers = []
    for row in range(rows):
        name = form.get(f"tier_{row}_name", "").strip()
        if not name:
            continue
        field = f"tier_{row}_"
        benefits = {key: value for key, value in kept.get(name, {}).items()
                    if key in ("free_services", "priority_support")}
        benefits.update({
            "discount_bps": draft.read(field + "discount", form.get(field + "discount") or "0",
                                       percent_bps),
            "points_multiplier_bps": draft.read(field + "points", form.get(field + "points") or "1",
                                                multiplier_bps),
            "bonus_multiplier_bps": draft.read(field + "bonus", form.get(field + "bonus") or "1",
                                               multiplier_bps)})
        tiers.append({"name": name,
                      "spend_threshold": draft.read(field + "spend", form.get(field + "spend") or "0",
                                                    minor_units),
                      "recharge_threshold": draft.read(field + "recharge",
                                                       form.get(field + "recharge") or "0", minor_units),
                      "benefits": benefits})
    if not tiers:
        draft.errors["tier_0_name"] = "required"
    measure = form.get("measure", "")
    if measure not in MEASURES:
        draft.errors["measure"] = "required"
    draft.body = {"measure": measure, "tiers": tiers}
    return draft


def referral_form(program: Mapping[str, Any]) -> dict[str, str]:
    shown = {name: str(program.get(name, "")) for name in REFERRAL_COUNTS}
    shown.update({f"qualifies_{q}": "on" for q in program.get("qualifies_on", [])})
    shown["min_amount"] = shown_major(program.get("min_amount", 0))
    shown["referrer_points_percent"] = shown_percent(program.get("referrer_points_bps", 0))
    for name in ("referrer_coupon_template", "invitee_coupon_template"):
        shown[name] = program.get(name) or ""
    return shown


def referral_from_form(form: Mapping[str, str], current: Mapping[str, Any],
                       currency: str) -> Draft:
    """A new program version: the form's fields over the version in force (fields the form
    does not show, such as the burst limits, stay as they are)."""
    draft = Draft()
    kept = {key: value for key, value in current.items()
            if key not in ("version", "created_by")}
    body: dict[str, Any] = {**kept, "currency": currency,
                            "qualifies_on": [q for q in QUALIFIES_ON if form.get(f"qualifies_{q}")],
                            "min_amount": draft.read("min_amount", form.get("min_amount", ""),
                                                     minor_units),
                            "referrer_points_bps": draft.read(
                                "referrer_points_percent",
                                form.get("referrer_points_percent") or "0", percent_bps)}
    for name in REFERRAL_COUNTS:
        body[name] = draft.read(name, form.get(name, ""), whole_number)
    for name in ("referrer_coupon_template", "invitee_coupon_template"):
        body[name] = form.get(name, "").strip() or None
    if not body["qualifies_on"]:
        draft.errors["qualifies_purchase"] = "required"
    draft.body = body
    return draft
