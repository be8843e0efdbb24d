"""Segments as data: a small JSON rule language over a member's facts, checked and
evaluated here, pure.

A rule is one node:
- `{"all": [rule, ...]}`: every sub-rule holds (an empty list holds);
- `{"any": [rule, ...]}`: at least one holds (an empty list never does);
- `{"not": rule}`;
- `{"fact": <name>, "op": <operator>, "value": <value>}`: a comparison of one named fact.

Each fact has a kind, and the kind says which operators and values fit:
- number: eq, ne, lt, lte, gt, gte (a number) and in (a list of numbers);
- text: eq, ne (a string) and in (a list of strings);
- flag: eq (true or false);
- set (stores visited): contains (a string).
A comparison with a fact the member has no value for (never active, no tier, no term) is
false, whatever the operator: a rule never matches a member on something unknown.

`check_rule` refuses anything else with a stable code (422): `unknown_fact`,
`unknown_operator`, `invalid_segment_rule` (shape or value), `segment_rule_too_large`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.rule_violations import RuleViolation

NUMBER, TEXT, FLAG, SET = "number", "text", "flag", "set"
# name -> kind; the documented catalog (docs/rewards.md, "Segments")
FACTS: Mapping[str, str] = {
    "tier": TEXT,
    "home_store": TEXT,
    "stores_visited": SET,
    "spend_30d": NUMBER, "spend_90d": NUMBER, "spend_365d": NUMBER,
    "visits_30d": NUMBER, "visits_90d": NUMBER, "visits_365d": NUMBER,
    "days_since_last_activity": NUMBER,
    "recharge_count": NUMBER,
    "lifetime_recharged": NUMBER,
    "membership_status": TEXT,  # active | lapsed | none
    "days_to_expiry": NUMBER,
    "birthday_month_is_current": FLAG,
    "enrolment_channel": TEXT,
    "referral_code": TEXT,
    "referred": FLAG,
}
WINDOWS_DAYS = (30, 90, 365)
OPERATORS: Mapping[str, frozenset[str]] = {
    NUMBER: frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in"}),
    TEXT: frozenset({"eq", "ne", "in"}),
    FLAG: frozenset({"eq"}),
    SET: frozenset({"contains"}),
}
MAX_NODES, MAX_DEPTH, MAX_IN_VALUES = 50, 6, 200


class SegmentRuleRefused(RuleViolation):
    """422 with the code and where in the rule (`path`, e.g. `all.1.fact`)."""

    def __init__(self, code: str, detail: str, path: str) -> None:
        super().__init__(code, detail, path=path)


@dataclass(frozen=True)
class MemberFacts:
    """What rewards knows about a member at one moment (store/member_facts.py reads it)."""

    member_id: str
    values: Mapping[str, Any] = field(default_factory=dict)  # fact name -> value or None


def check_rule(rule: Any) -> None:
    """Refuse a rule that is not in the language, naming the first thing wrong."""
    count = _check(rule, "rule", 1)
    if count > MAX_NODES:
        raise SegmentRuleRefused("segment_rule_too_large",
                                 f"A rule has at most {MAX_NODES} nodes; this one has {count}.",
                                 "rule")


def _check(node: Any, path: str, depth: int) -> int:
    if depth > MAX_DEPTH:
        raise SegmentRuleRefused("segment_rule_too_large",
                                 f"A rule nests at most {MAX_DEPTH} levels.", path)
    if not isinstance(node, dict) or len(node) == 0:
        raise SegmentRuleRefused("invalid_segment_rule", "A rule node is a JSON object.", path)
    if set(node) in ({"all"}, {"any"}):
        [(key, parts)] = node.items()
        if not isinstance(parts, list):
            raise SegmentRuleRefused("invalid_segment_rule", f"'{key}' takes a list.", path)
        return 1 + sum(_check(part, f"{path}.{key}.{n}", depth + 1)
                       for n, part in enumerate(parts))
    if set(node) == {"not"}:
        return 1 + _check(node["not"], f"{path}.not", depth + 1)
    if set(node) == {"fact", "op", "value"}:
        _check_comparison(node, path)
        return 1
    raise SegmentRuleRefused("invalid_segment_rule", "A node is {all}, {any}, {not} or "
                             "{fact, op, value}.", path)


def _check_comparison(node: Mapping[str, Any], path: str) -> None:
    fact, op, value = node["fact"], node["op"], node["value"]
    if not isinstance(fact, str) or fact not in FACTS:
        raise SegmentRuleRefused("unknown_fact", f"No fact {fact!r}; see the catalog.",
                                 f"{path}.fact")
    kind = FACTS[fact]
    if not isinstance(op, str) or op not in OPERATORS[kind]:
        raise SegmentRuleRefused("unknown_operator", f"{fact} ({kind}) takes one of "
                                 f"{sorted(OPERATORS[kind])}, not {op!r}.", f"{path}.op")
    if op == "in":
        fits = (isinstance(value, list) and 0 < len(value) <= MAX_IN_VALUES
                and all(_fits(kind, v) for v in value))
    else:
        fits = _fits(TEXT if kind == SET else kind, value)
    if not fits:
        raise SegmentRuleRefused("invalid_segment_rule",
                                 f"{value!r} is not a value {fact} {op} can compare.",
                                 f"{path}.value")


def _fits(kind: str, value: Any) -> bool:
    if kind == NUMBER:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 10**15
    if kind == FLAG:
        return isinstance(value, bool)
    return isinstance(value, str) and 0 < len(value) <= 200 and "\x00" not in value


def matches(rule: Mapping[str, Any], facts: MemberFacts) -> bool:
    """Whether a (checked) rule holds for the member's facts."""
    if "all" in rule:
        return all(matches(part, facts) for part in rule["all"])
    if "any" in rule:
        return any(matches(part, facts) for part in rule["any"])
    if "not" in rule:
        return not matches(rule["not"], facts)
    actual = facts.values.get(rule["fact"])
    if actual is None:
        return False
    return _compare(rule["op"], actual, rule["value"])


def _compare(op: str, actual: Any, value: Any) -> bool:
    match op:
        case "eq":
            return actual == value
        case "ne":
            return actual != value
        case "lt":
            return actual < value
        case "lte":
            return actual <= value
        case "gt":
            return actual > value
        case "gte":
            return actual >= value
        case "in":
            return actual in value
        case "contains":
            return value in actual
    raise ValueError(op)  # unreachable for a checked rule


def membership_status(ends_at: datetime | None, now: datetime) -> str:
    if ends_at is None:
        return "none"
    return "active" if ends_at > now else "lapsed"


def days_to_expiry(ends_at: datetime | None, now: datetime) -> int | None:
    """Whole days until the paid membership ends; none once it has ended or without one."""
    if ends_at is None or ends_at <= now:
        return None
    return (ends_at - now).days


def days_since(at: datetime | None, now: datetime) -> int | None:
    return None if at is None else max(0, (now - at).days)


def birthday_month_is_current(celebrated_month: str | None, local_month: str) -> bool:
    """`celebrated_month`: the local `YYYY-MM` of the member's last MemberBirthday (rewards
    keeps only that, never the day); true through the rest of that month."""
    return celebrated_month == local_month
