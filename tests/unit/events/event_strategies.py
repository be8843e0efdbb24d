"""Hypothesis strategies for every event of the catalog, derived from the classes' own field
types and constraints, so a new event or field is covered without editing this file.

Validators that tie fields together (a tender split adding up, a term ending after it
starts) would reject almost every independent draw, so a per-class repair makes the drawn
values consistent; the rare draw that still breaks a rule (30 February, a member referring
themselves) is discarded.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

from hypothesis import reject
from hypothesis import strategies as st
from pydantic import AfterValidator, AwareDatetime, BaseModel, ValidationError
from pydantic.fields import FieldInfo

from shared.events.card_numbers import CardNumberRefused
from shared.events.envelope import in_id_grammar
from shared.events.rewards import (
    BonusGranted,
    BonusHeld,
    BonusRejected,
    CouponIssued,
    grant_id_for,
)
from shared.events.tiering import (
    TIER_PROGRAM_KEY,
    MembershipExpired,
    MembershipRenewed,
    TierProgramPublished,
)
from shared.events.wallet import (
    TERMINAL_KEYS_KEY,
    PurchaseCompleted,
    PurchaseRefunded,
    RechargeCompleted,
    TerminalKeyIssued,
    TerminalKeyRevoked,
)
from shared.http.ids import ID_PATTERN

BOUNDS = ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern")
LARGEST_AMOUNT = 10**15
OFFSETS = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
aware_datetimes = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(OFFSETS),
)


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found |= _bounds(item.metadata)
        if isinstance(item, AfterValidator) and item.func is in_id_grammar:
            found["pattern"] = ID_PATTERN
        found |= {name: getattr(item, name) for name in BOUNDS
                  if getattr(item, name, None) is not None}
    return found


def _integers(bounds: Mapping[str, Any]) -> st.SearchStrategy[int]:
    low = bounds.get("ge", bounds["gt"] + 1 if "gt" in bounds else -LARGEST_AMOUNT)
    high = bounds.get("le", bounds["lt"] - 1 if "lt" in bounds else LARGEST_AMOUNT)
    return st.integers(low, high)


def _strings(bounds: Mapping[str, Any]) -> st.SearchStrategy[str]:
    if "pattern" in bounds:
        return st.from_regex(bounds["pattern"], fullmatch=True)
    return st.text(min_size=bounds.get("min_length", 0), max_size=bounds.get("max_length", 80))


def for_type(annotation: Any, bounds: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return for_type(args[0], {**bounds, **_bounds(list(args[1:]))})
    if origin in (Union, types.UnionType):
        return st.one_of(*(for_type(arg, bounds) for arg in args))
    if origin is Literal:
        return st.sampled_from(args)
    if origin is tuple:
        elements = st.lists(for_type(args[0], {}), min_size=bounds.get("min_length", 0),
                            max_size=3)
        return elements.map(tuple)
    if origin is list:
        return st.lists(for_type(args[0], {}), min_size=bounds.get("min_length", 0), max_size=3)
    if annotation is type(None):
        return st.none()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return instances_of(annotation)
    simple: dict[Any, Callable[[Mapping[str, Any]], st.SearchStrategy[Any]]] = {
        bool: lambda _: st.booleans(),
        UUID: lambda _: st.uuids(),
        date: lambda _: st.dates(),
        AwareDatetime: lambda _: aware_datetimes,
        int: _integers,
        str: _strings,
    }
    return simple[annotation](bounds)


def _field_values(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        name: for_type(info.annotation, _bounds(info.metadata))
        for name, info in model.model_fields.items()
    })


def _in_order(values: dict[str, Any], earlier: str, later: str) -> dict[str, Any]:
    first, second = sorted((values[earlier], values[later]))
    return {**values, earlier: first, later: second}


def _tenders_add_up(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "total": values["paid_principal"] + values["paid_bonus"]
            + values["paid_other"]}


def _refund_covers_stored_value(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "amount": values["amount"] + values["returned_principal"]
            + values["returned_bonus"]}


def _grant_of_recharge(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "grant_id": grant_id_for(values["recharge_id"])}


def _consistent_coupon(values: dict[str, Any]) -> dict[str, Any]:
    values = _in_order(values, "valid_from", "valid_until")
    kind, value, min_spend = values["kind"], values["value"], values["min_spend"]
    if kind == "percent_off":
        value = value % 10_000 + 1
    if kind == "threshold":
        min_spend = (min_spend or 0) + 1
    if kind == "no_threshold":
        min_spend = None
    currency = values["currency"]
    if currency is None and (kind != "percent_off" or min_spend is not None):
        currency = "CNY"
    return {**values, "value": value, "min_spend": min_spend, "currency": currency}


REPAIRS: dict[type[BaseModel], Callable[[dict[str, Any]], dict[str, Any]]] = {
    RechargeCompleted: lambda v: {**v, "lifetime_recharged": v["lifetime_recharged"]
                                  + v["amount"]},
    PurchaseCompleted: _tenders_add_up,
    PurchaseRefunded: _refund_covers_stored_value,
    MembershipRenewed: lambda v: _in_order(v, "term_start", "term_end"),
    MembershipExpired: lambda v: _in_order(v, "term_end", "grace_until"),
    BonusGranted: _grant_of_recharge,
    BonusHeld: _grant_of_recharge,
    BonusRejected: _grant_of_recharge,
    CouponIssued: _consistent_coupon,
    TierProgramPublished: lambda v: {
        **v, "member_id": TIER_PROGRAM_KEY,
        "tiers": [t.model_copy(update={"name": f"{n}-{t.name}"[:64]}) for n, t in enumerate(v["tiers"])]},
    TerminalKeyIssued: lambda v: {**v, "member_id": TERMINAL_KEYS_KEY},
    TerminalKeyRevoked: lambda v: {**v, "member_id": TERMINAL_KEYS_KEY},
}


@st.composite
def instances_of(draw: st.DrawFn, model: type[BaseModel]) -> Any:
    """Valid instances of an event, or of a value nested in one."""
    values = REPAIRS.get(model, lambda v: v)(draw(_field_values(model)))
    try:
        return model(**values)
    except (ValidationError, CardNumberRefused):  # a drawn digit run that passes Luhn
        reject()
