"""The renewal prices' setup form: tiering's renewal price version shown as fields (amounts
in yuan, discounts in percent) and read back as the body of `POST /v1/renewal-prices` (and
its preview). The lengths on offer are the version in force's; the form changes their
figures. Errors are word keys (or the API's own words) by field name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.console.rules.form_values import (
    minor_units,
    percent_bps,
    shown_major,
    shown_percent,
)
from services.console.rules.offer_drafts import Draft
from services.console.rules.program_drafts import whole_number

SEGMENTS = ("potential", "growing", "core")
# form field -> the body's figure, for the percentages outside lengths and segments
PERCENTS = {"early_discount": "early_renewal_bps", "win_back_discount": "win_back_bps",
            "first_renewal_discount": "first_renewal_bps",
            "upgrade_surcharge": "upgrade_surcharge_bps"}
AMOUNTS = {"price_per_year": "price_per_year", "floor_per_year": "renewal_floor_per_year"}
FIELD_OF = {body: field for field, body in {**PERCENTS, **AMOUNTS}.items()} | {
    "early_renewal_days": "early_days", "lengths": "price_per_year"}


def renewal_form(version: Mapping[str, Any]) -> dict[str, str]:
    shown = {field: shown_major(version[body]) for field, body in AMOUNTS.items()}
    shown |= {field: shown_percent(version[body]) for field, body in PERCENTS.items()}
    shown["early_days"] = str(version["early_renewal_days"])
    for years in version["lengths"]:
        shown[f"length_{years}_discount"] = shown_percent(
            version["length_discount_bps"].get(str(years), 0))
    for segment in SEGMENTS:
        shown[f"segment_{segment}_discount"] = shown_percent(
            version["segment_discount_bps"].get(segment, 0))
    return shown


def renewal_from_form(form: Mapping[str, str], lengths: list[int]) -> Draft:
    draft = Draft()

    def read(field: str, reader: Callable[[str], int]) -> int:
        return draft.read(field, form.get(field, ""), reader) or 0

    body: dict[str, Any] = {body: read(field, minor_units) for field, body in AMOUNTS.items()}
    body |= {body: read(field, percent_bps) for field, body in PERCENTS.items()}
    body["early_renewal_days"] = read("early_days", whole_number)
    body["lengths"] = list(lengths)
    body["length_discount_bps"] = {str(y): read(f"length_{y}_discount", percent_bps)
                                   for y in lengths}
    body["segment_discount_bps"] = {s: read(f"segment_{s}_discount", percent_bps)
                                    for s in SEGMENTS}
    draft.body = body
    return draft


def renewal_problem_fields(problem: Mapping[str, Any]) -> dict[str, str]:
    """The API's problem+json as messages by the form's fields (each error's location:
    `["body", "length_discount_bps", "2"]` is the field `length_2_discount`)."""
    detail = problem.get("detail") or problem.get("title") or problem.get("code", "")
    found: dict[str, str] = {}
    for error in problem.get("errors") or []:
        location = [str(part) for part in error.get("location") or []][1:]
        if location[:1] == ["length_discount_bps"] and len(location) > 1:
            field = f"length_{location[1]}_discount"
        elif location[:1] == ["segment_discount_bps"] and len(location) > 1:
            field = f"segment_{location[1]}_discount"
        else:
            field = FIELD_OF.get(location[0] if location else "", "price_per_year")
        found.setdefault(field, str(error.get("message") or detail))
    return found or {"price_per_year": str(detail)}
