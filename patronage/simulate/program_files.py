"""A proposed program from a JSON or TOML file: the default program with the parts the file
names replaced (docs/simulate.md, "Program files", has the format and an example).

Every value goes through the services' own constructors (a `PriceList` refuses prices
where a longer term is not cheaper per year, `TierRules` a ladder that does not rise), so a
program the services would refuse is refused here too, with the reason, never simulated.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from patronage.simulate.program import RenewalRules, SimulatedProgram, default_program
from services.rewards.rules.offers import Campaign, Ladder, PercentOffer, Rung
from services.tiering.rules.quotes import PriceList
from services.tiering.rules.segments import SegmentBounds
from services.tiering.rules.tiers import Benefits, Tier, TierRules
from services.wallet.rules.lots import DrawPolicy

TOP_KEYS = {"name", "ladder", "first_recharge", "cumulative", "campaigns",
            "bonus_expiry_months", "draw_policy", "tiers", "renewal"}
RENEWAL_KEYS = {"price_per_year", "lengths", "length_bps", "segment_bps", "early_bps",
                "early_days", "win_back_bps", "first_renewal_bps", "floor_per_year",
                "upgrade_surcharge_bps", "growing_from", "core_above", "grace_days"}


class ProgramFileError(ValueError):
    """A program file the simulation cannot run; the message says where and why."""


def read_program(path: Path) -> SimulatedProgram:
    try:
        text = path.read_text()
        spec = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as error:
        raise ProgramFileError(f"{path}: {error}") from None
    if not isinstance(spec, dict):
        raise ProgramFileError(f"{path}: a program is an object of settings")
    try:
        return program_from_spec(spec, default_name=path.stem)
    except ProgramFileError as error:
        raise ProgramFileError(f"{path}: {error}") from None
    except (ValueError, TypeError, KeyError) as error:
        raise ProgramFileError(f"{path}: {error}") from None


def _known(section: str, given: dict, allowed: set[str]) -> None:
    if unknown := sorted(set(given) - allowed):
        raise ProgramFileError(f"{section}: unknown setting(s) {', '.join(unknown)}")


def program_from_spec(spec: dict[str, Any], default_name: str = "proposed") -> SimulatedProgram:
    _known("program", spec, TOP_KEYS)
    program = default_program()
    offers = program.offers
    if "ladder" in spec:
        ladder = spec["ladder"]
        offers = replace(offers, ladder=ladder and Ladder(
            _offer_id(offers.ladder, "ladder"), "Recharge ladder",
            tuple(Rung(int(t), int(b)) for t, b in ladder["rungs"])))
    if "first_recharge" in spec:
        first = spec["first_recharge"]
        offers = replace(offers, first_recharge=first and PercentOffer(
            _offer_id(offers.first_recharge, "first_recharge"), "First recharge",
            int(first["bps"])))
    if "cumulative" in spec:
        rebate = spec["cumulative"]
        offers = replace(offers, cumulative=rebate and PercentOffer(
            _offer_id(offers.cumulative, "cumulative"), "Cumulative rebate", int(rebate["bps"]),
            int(rebate["threshold"])))
    if "campaigns" in spec:
        offers = replace(offers, campaigns=tuple(_campaign(c) for c in spec["campaigns"]))
    program = replace(program, name=str(spec.get("name", default_name)), offers=offers)
    if "bonus_expiry_months" in spec:
        months = int(spec["bonus_expiry_months"])
        if months < 0:
            raise ProgramFileError("bonus_expiry_months: 0 (never) or a number of months")
        program = replace(program, bonus_expiry_months=months or None)
    if "draw_policy" in spec:
        program = replace(program, draw_policy=DrawPolicy(spec["draw_policy"]))
    if "tiers" in spec:
        program = _tiers(program, spec["tiers"])
    if "renewal" in spec:
        program = replace(program, renewal=_renewal(program.renewal, spec["renewal"]))
    return program


def _offer_id(default_offer, fallback: str) -> str:
    """A replaced offer keeps the default's id, so a comparison lines the two up."""
    return default_offer.offer_id if default_offer is not None else fallback


def _moment(text: str, what: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ProgramFileError(f"{what}: {text!r} needs an offset (Z or +08:00)")
    return moment


def _campaign(given: dict[str, Any]) -> Campaign:
    _known("campaigns", given, {"offer_id", "name", "bonus_bps", "starts_at", "ends_at",
                                "weekdays", "segments", "budget", "max_per_member"})
    return Campaign(
        str(given["offer_id"]), str(given.get("name", given["offer_id"])),
        _moment(given["starts_at"], "starts_at"),
        _moment(given["ends_at"], "ends_at") if given.get("ends_at") else None,
        bonus_bps=int(given.get("bonus_bps", 10_000)),
        weekdays=frozenset(int(d) for d in given.get("weekdays", ())),
        segments=frozenset(given.get("segments", ())),
        budget_remaining=None if given.get("budget") is None else int(given["budget"]),
        max_per_member=given.get("max_per_member"))


def _tiers(program: SimulatedProgram, given: dict[str, Any]) -> SimulatedProgram:
    _known("tiers", given, {"measure", "review_grace_days", "ladder"})
    rules = program.tier_rules
    if "ladder" in given:
        rules = replace(rules, tiers=tuple(_tier(t) for t in given["ladder"]), version=1)
    rules = TierRules(given.get("measure", rules.measure), rules.tiers, rules.version)
    program = program.with_tier_rules(rules)
    return replace(program, tier_review_grace_days=int(
        given.get("review_grace_days", program.tier_review_grace_days)))


def _tier(given: dict[str, Any]) -> Tier:
    _known("tiers.ladder", given, {"name", "spend_threshold", "recharge_threshold",
                                   "discount_bps", "points_multiplier_bps", "bonus_multiplier_bps"})
    return Tier(str(given["name"]), int(given.get("spend_threshold", 0)),
                int(given.get("recharge_threshold", 0)),
                Benefits(int(given.get("discount_bps", 0)),
                         int(given.get("points_multiplier_bps", 10_000)),
                         int(given.get("bonus_multiplier_bps", 10_000))))


def _renewal(current: RenewalRules, given: dict[str, Any]) -> RenewalRules:
    _known("renewal", given, RENEWAL_KEYS)
    p = current.prices
    prices = PriceList(
        p.currency, int(given.get("price_per_year", p.price_per_year)),
        tuple(int(y) for y in given.get("lengths", p.lengths)),
        {int(y): int(b) for y, b in given.get("length_bps", p.length_bps).items()},
        {str(s): int(b) for s, b in given.get("segment_bps", p.segment_bps).items()},
        int(given.get("early_bps", p.early_bps)), int(given.get("early_days", p.early_days)),
        int(given.get("win_back_bps", p.win_back_bps)),
        int(given.get("first_renewal_bps", p.first_renewal_bps)),
        int(given.get("floor_per_year", p.floor_per_year)),
        int(given.get("upgrade_surcharge_bps", p.upgrade_surcharge_bps)))
    bounds = SegmentBounds(int(given.get("growing_from", current.bounds.growing_from)),
                           int(given.get("core_above", current.bounds.core_above)))
    return replace(current, prices=prices, bounds=bounds,
                   grace_days=int(given.get("grace_days", current.grace_days)))
