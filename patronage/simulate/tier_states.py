"""Every member's tier during a simulation, decided by tiering's own rules: `qualified_tier`
at the start, `upgrade` as soon as a measure crosses a higher threshold, `review` at the
anniversary plus grace.

Rules are called only for the members who could move: an upgrade needs at least the next
tier's threshold on some counted measure (thresholds rise with the tiers, which `TierRules`
guarantees), so the other members are skipped without asking, which keeps 100,000 members
fast. The rule still decides for every member it is asked about.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from services.tiering.rules.tiers import (
    Standing,
    TierRules,
    measures_of,
    qualified_tier,
    review,
    upgrade,
)

NO_TIER_ABOVE = np.iinfo(np.int64).max


class TierStates:
    def __init__(self, rules: TierRules, spend: np.ndarray, history: int,
                 lifetime: np.ndarray) -> None:
        self.rules = rules
        self.names = [tier.name for tier in rules.tiers]
        # spend in the 12 months up to month column c: totals[:, c + 1] - totals[:, c - 11]
        self._totals = np.concatenate(
            [np.zeros((spend.shape[0], 1), dtype=np.int64), np.cumsum(spend, axis=1)], axis=1)
        self.history = history
        measures = measures_of(rules)
        above = rules.tiers[1:]
        self._next = {
            measure: np.array([getattr(t, field) for t in above] + [NO_TIER_ABOVE], dtype=np.int64)
            for measure, field in (("spend_12m", "spend_threshold"),
                                   ("lifetime_recharge", "recharge_threshold"))
            if measure in measures}
        self.moves: Counter[str] = Counter()
        self.tier = np.array(
            [rules.rank(qualified_tier(rules, Standing(int(s), int(lt)))[0].name)
             for s, lt in zip(self.spend_12m(history - 1), lifetime, strict=True)],
            dtype=np.int64) if len(lifetime) else np.zeros(0, dtype=np.int64)

    def spend_12m(self, column: int) -> np.ndarray:
        """Rolling 12-month spend (purchases, all tenders) up to month column `column`."""
        return self._totals[:, column + 1] - self._totals[:, max(0, column - 11)]

    def name_of(self, member: int) -> str:
        return self.names[self.tier[member]]

    def upgrades(self, month: int, lifetime: np.ndarray) -> None:
        spend = self.spend_12m(self.history + month)
        could = np.zeros(len(self.tier), dtype=bool)
        for measure, thresholds in self._next.items():
            counted = spend if measure == "spend_12m" else lifetime
            could |= counted >= thresholds[self.tier]
        for member in np.flatnonzero(could):
            standing = Standing(int(spend[member]), int(lifetime[member]))
            self._apply(member, upgrade(self.rules, self.name_of(member), standing))

    def reviews(self, month: int, members: np.ndarray, lifetime: np.ndarray) -> None:
        """The anniversary review of `members`, as tiering's job runs it at review + grace."""
        spend = self.spend_12m(self.history + month)
        for member in members:
            standing = Standing(int(spend[member]), int(lifetime[member]))
            self._apply(member, review(self.rules, self.name_of(member), standing))

    def _apply(self, member: int, decision) -> None:
        if decision is not None:
            self.tier[member] = self.rules.rank(decision.to_tier)
            self.moves[decision.direction] += 1

    def counts(self) -> dict[str, int]:
        found = np.bincount(self.tier, minlength=len(self.names))
        return {name: int(found[rank]) for rank, name in enumerate(self.names)}
