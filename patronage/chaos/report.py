"""The figures of a chaos run as one plain-text table (printed at the end of every run)."""

from __future__ import annotations

from patronage.chaos.client import Tally
from patronage.chaos.faults import Faults
from patronage.chaos.invariants import Figures


def rows(figures: Figures, tally: Tally, faults: Faults, dead_lettered: dict[str, set[str]],
         seconds: float, seed: int) -> list[tuple[str, str]]:
    poison = len(faults.poison_keys)
    out = [
        ("seed / load seconds", f"{seed} / {seconds:.0f}"),
        ("faults injected", ", ".join(f"{k} {n}" for k, n in sorted(faults.injected.items()))),
        ("acknowledged requests", f"{figures.acknowledged} ("
         + ", ".join(f"{k} {tally.acknowledged[k]}" for k in
                     ("enrolment", "recharge", "purchase", "refund", "review")) + ")"),
        ("effects found", str(figures.effects_found)),
        ("retried requests", str(sum(tally.retries.values()))),
        ("refused (definitive 4xx)", str(sum(tally.refused.values()))),
        *[(f"  {answer}", str(n)) for answer, n in sorted(tally.refused.items())],
        ("no definitive answer", str(sum(tally.unknown.values()))),
        ("records replayed", str(faults.replayed)),
    ]
    out += [(f"poison dead-lettered by {group}", f"{len(keys)} of {poison}")
            for group, keys in sorted(dead_lettered.items())]
    out += [
        ("duplicates", str(sum(figures.duplicates.values()))),
        *[(f"  {name}", str(n)) for name, n in figures.duplicates.items() if n],
        ("losses", str(sum(figures.losses.values()))),
        *[(f"  {name}", str(n)) for name, n in figures.losses.items() if n],
        ("stuck items", str(sum(figures.stuck.values()))),
        *[(f"  {name}", str(n)) for name, n in figures.stuck.items() if n],
        ("recharges / bonus decisions", f"{figures.recharges} / {figures.decisions}"),
        ("ledger verified", "ok" if not figures.ledger_problems
         else f"BROKEN: {len(figures.ledger_problems)} problems"),
        ("tiers = recomputation", "ok" if not figures.tier_mismatches
         else f"{len(figures.tier_mismatches)} members differ"),
        ("points = recomputation", "ok" if not figures.points_mismatches
         else f"{len(figures.points_mismatches)} members differ"),
    ]
    return out


def table(pairs: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in pairs)
    rule = "-" * (width + 2) + "+" + "-" * 50
    lines = [rule, *(f" {name.ljust(width)} | {value}" for name, value in pairs), rule]
    return "\n".join(lines)


def details(figures: Figures, limit: int = 10) -> str:
    """The first problems of each kind, to start looking from."""
    found = [*figures.ledger_problems[:limit], *figures.tier_mismatches[:limit],
             *figures.points_mismatches[:limit]]
    return "\n".join(found)
