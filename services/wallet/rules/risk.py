"""The wallet's risk rules (短时大额: large amounts in a short window), pure.

A rule sums what was recharged over a sliding window, per member, per payment reference or
per terminal (in the recharge's currency), adds the recharge being made, and fires when the
sum exceeds its threshold. Each rule has an action:

- `hold_bonus`: only a flag; rewards holds the bonus for review, the principal is spendable;
- `hold_recharge`: the principal lot is created but held (not spendable) until a reviewer
  approves the recharge in rewards' review queue;
- `freeze`: as hold_recharge, and the member's wallet is frozen (actor `rule:<name>`).

The sums need the recharges already in the database, so the recharge's stored function
(store/sql/wallet_recharge.sql) applies these rules in its one round trip, with the rules
passed in as jsonb (`as_json`); `findings` is the rule the function must agree with
(tests/integration/wallet/test_recharge_function.py drives both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

Scope = Literal["member", "payment_reference", "terminal"]
Action = Literal["hold_bonus", "hold_recharge", "freeze"]
# an action that holds the principal (the recharge waits for review)
HOLDS_PRINCIPAL: frozenset[str] = frozenset({"hold_recharge", "freeze"})


@dataclass(frozen=True)
class RiskRule:
    name: str
    scope: Scope
    window_minutes: int
    threshold: int  # minor units: fires when the window's sum, this recharge included, is above
    action: Action

    def __post_init__(self) -> None:
        if self.window_minutes <= 0 or self.threshold <= 0:
            raise ValueError(f"risk rule {self.name}: window_minutes and threshold must be positive")


@dataclass(frozen=True)
class Finding:
    rule: str
    action: Action
    window_sum: int


# The merchant's default: 3,000.00 recharged by one member within an hour waits for review.
DEFAULT_RULES: tuple[RiskRule, ...] = (
    RiskRule("member_short_window", "member", 60, 300_000, "hold_recharge"),
)


def findings(rules: Sequence[RiskRule], amount: int,
             recent: Mapping[str, int]) -> tuple[Finding, ...]:
    """The rules that fire on a recharge of `amount`, given what was recharged in each
    rule's window before it (`recent[rule.name]`), in the rules' order."""
    fired = []
    for rule in rules:
        window_sum = recent.get(rule.name, 0) + amount
        if window_sum > rule.threshold:
            fired.append(Finding(rule.name, rule.action, window_sum))
    return tuple(fired)


def as_json(rules: Sequence[RiskRule]) -> list[dict]:
    """The rules as the stored function reads them (jsonb_to_recordset)."""
    return [asdict(rule) for rule in rules]
