"""The recharge offers' setup forms: a form's fields read as the body of a new offer version
(rewards' `POST /v1/offers/{offer_id}/versions`, which its preview takes too), and an
existing version shown back as the form's fields. Errors are word keys by field name, shown
next to the field; the API's own refusals are shown the same way (`problem_fields`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from services.console.rules.form_values import (
    Unreadable,
    local_moment,
    minor_units,
    multiplier_bps,
    percent_bps,
    shown_local,
    shown_major,
    shown_multiplier,
    shown_percent,
)

RECHARGE_KINDS = ("ladder", "first_recharge", "cumulative", "campaign")
RUNGS = 6  # rows of the ladder form; blank rows are left out
WEEKDAYS = range(7)  # 0 = Monday, as rewards counts them
SEGMENTS = ("new", "dormant", "high_value")


@dataclass
class Draft:
    body: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field name → word key

    def read(self, name: str, text: str, reader: Callable[[str], Any]) -> Any:
        try:
            return reader(text)
        except Unreadable as error:
            self.errors[name] = error.word
            return None


def draft_from_form(kind: str, form: Mapping[str, str], currency: str, zone: ZoneInfo) -> Draft:
    draft = Draft()
    name = form.get("name", "").strip()
    if not name:
        draft.errors["name"] = "required"
    body: dict[str, Any] = {"kind": kind, "name": name, "terms": {}}
    if kind in ("ladder", "cumulative", "campaign"):
        body["currency"] = currency
    for edge in ("effective_from", "effective_to"):
        if text := form.get(edge, "").strip():
            moment = draft.read(edge, text, lambda t: local_moment(t, zone))
            body[edge] = moment.isoformat() if moment else None
    if kind == "ladder":
        rungs = []
        for row in range(RUNGS):
            threshold, bonus = (form.get(f"threshold_{row}", "").strip(),
                                form.get(f"bonus_{row}", "").strip())
            if threshold or bonus:
                rungs.append([draft.read(f"threshold_{row}", threshold or "x", minor_units),
                              draft.read(f"bonus_{row}", bonus or "x", minor_units)])
        if not rungs:
            draft.errors["threshold_0"] = "required"
        body["terms"] = {"rungs": rungs}
    elif kind in ("first_recharge", "cumulative"):
        body["terms"] = {"bps": draft.read("percent", form.get("percent", ""), percent_bps)}
        if kind == "cumulative":
            body["terms"]["threshold"] = draft.read("threshold", form.get("threshold", ""),
                                                    minor_units)
    elif kind == "campaign":
        terms: dict[str, Any] = {
            "bonus_bps": draft.read("multiplier", form.get("multiplier", ""), multiplier_bps),
            "weekdays": [day for day in WEEKDAYS if form.get(f"weekday_{day}")],
            "segments": [s for s in SEGMENTS if form.get(f"segment_{s}")],
            "segment_ids": [s.strip() for s in form.get("segment_ids", "").split(",") if s.strip()]}
        body["terms"] = terms
        if budget := form.get("budget", "").strip():
            body["budget"] = draft.read("budget", budget, minor_units)
    draft.body = body
    return draft


def form_from_version(version: Mapping[str, Any], zone: ZoneInfo) -> dict[str, str]:
    """An offer version's fields as the form shows them (to start a new version from)."""
    terms = version.get("terms") or {}
    shown: dict[str, str] = {
        "name": version.get("name", ""),
        "effective_from": "", "effective_to": shown_local(version.get("effective_to"), zone)}
    kind = version.get("kind")
    if kind == "ladder":
        for row, (threshold, bonus) in enumerate(terms.get("rungs", [])[:RUNGS]):
            shown[f"threshold_{row}"], shown[f"bonus_{row}"] = shown_major(threshold), shown_major(bonus)
    elif kind in ("first_recharge", "cumulative"):
        shown["percent"] = shown_percent(terms.get("bps", 0))
        if kind == "cumulative":
            shown["threshold"] = shown_major(terms.get("threshold", 0))
    elif kind == "campaign":
        shown["effective_from"] = shown_local(version.get("effective_from"), zone)
        shown["multiplier"] = shown_multiplier(terms.get("bonus_bps", 10_000))
        shown["segment_ids"] = ", ".join(terms.get("segment_ids", []))
        shown.update({f"weekday_{day}": "on" for day in terms.get("weekdays", [])})
        shown.update({f"segment_{s}": "on" for s in terms.get("segments", [])})
        budget = version.get("budget")
        if isinstance(budget, Mapping):
            shown["budget"] = shown_major(budget["total"])
    return shown


def sample_from_form(form: Mapping[str, str]) -> Draft:
    """The sample recharge a preview quotes: amount, first or not, lifetime before, tier."""
    draft = Draft()
    sample: dict[str, Any] = {
        "amount": draft.read("sample_amount", form.get("sample_amount", ""), minor_units),
        "is_first_recharge": bool(form.get("sample_first")),
        "lifetime_before": draft.read("sample_lifetime", form.get("sample_lifetime") or "0",
                                      minor_units)}
    if sample["amount"] == 0:
        draft.errors["sample_amount"] = "amount_unreadable"
    if tier := form.get("sample_tier", "").strip():
        sample["tier"] = tier
    draft.body = sample
    return draft


# Where an API refusal belongs on a setup form: by its code, or by the location it names.
PROBLEM_FIELDS = {"invalid_effective_window": "effective_to", "currency_required": "name",
                  "budget_not_applicable": "budget", "offer_kind_mismatch": "name",
                  "not_a_recharge_offer": "name"}
FIRST_FIELD = {"ladder": "threshold_0", "first_recharge": "percent", "cumulative": "percent",
               "campaign": "multiplier", "tiers": "tier_0_name", "referral": "min_amount"}
TIER_FIELDS = {"name": "name", "spend_threshold": "spend", "recharge_threshold": "recharge",
               "discount_bps": "discount", "points_multiplier_bps": "points",
               "bonus_multiplier_bps": "bonus"}
NAMED_FIELDS = {"name", "effective_from", "effective_to", "budget", "min_amount", "window_days",
                "monthly_cap", "clawback_days", "referrer_coupon_template",
                "invitee_coupon_template", "qualifies_on", "measure"}
RENAMED = {"amount": "sample_amount", "qualifies_on": "qualifies_purchase",
           "referrer_points_bps": "referrer_points_percent"}


def field_at(kind: str, location: list[str]) -> str | None:
    """The form field an error's location names (`["body", "tiers", "1", "spend_threshold"]`
    on the tiers form is `tier_1_spend`), if any."""
    if kind == "tiers" and "tiers" in location[:-1]:
        row = location[location.index("tiers") + 1]
        if row.isdigit():
            return f"tier_{row}_{TIER_FIELDS.get(location[-1], 'name')}"
    for part in reversed(location):
        if part in RENAMED:
            return RENAMED[part]
        if part in NAMED_FIELDS:
            return part
    return None


def problem_fields(kind: str, problem: Mapping[str, Any]) -> dict[str, str]:
    """The API's problem+json as messages by field: the API's own words (each error's
    message, or the problem's `detail`), next to the field they concern."""
    code, detail = problem.get("code", ""), problem.get("detail") or problem.get("title", "")
    first_field = FIRST_FIELD.get(kind, "name")
    found: dict[str, str] = {}
    for error in problem.get("errors") or []:
        location = [str(p) for p in error.get("location") or error.get("loc") or []]
        message = str(error.get("message") or error.get("msg") or detail)
        found.setdefault(field_at(kind, location) or first_field, message)
    if not found:
        found[PROBLEM_FIELDS.get(code, first_field)] = detail or code
    return found
