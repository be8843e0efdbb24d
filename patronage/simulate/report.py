"""What a simulation prints: the totals of one program, or of two side by side with the
differences (second minus first), as a table for people or JSON for machines.

Money stays integer minor units in JSON; the table shows major units (`in_major_units`,
tiering's own formatting).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from patronage.simulate.engine import Outcome
from services.tiering.rules.tiers import in_major_units

FIGURES = (
    ("bonus_cost", "bonus cost"),
    ("breakage", "breakage (bonus expired unspent)"),
    ("liability", "outstanding liability at the end"),
    ("bonus_outstanding", "  of which bonus"),
    ("renewal_revenue", "renewal revenue"),
    ("recharge_volume", "recharge volume"),
    ("paid_from_bonus", "purchases paid with bonus"),
)
COUNTS = (("recharges", "recharges"), ("recharges_refused", "recharges refused (caps)"),
          ("renewals", "renewals"))


def summary(outcome: Outcome) -> dict[str, Any]:
    """The totals, the monthly series and the members by tier at the end."""
    liability = outcome.liability()
    return {
        "program": outcome.program,
        "start": outcome.start.isoformat(),
        "months": len(outcome.bonus_cost),
        "members": outcome.members,
        "bonus_cost": sum(outcome.bonus_cost),
        "breakage": sum(outcome.breakage),
        "liability": liability[-1] if liability else 0,
        "bonus_outstanding": outcome.bonus_outstanding[-1] if liability else 0,
        "renewal_revenue": sum(outcome.renewal_revenue),
        "recharge_volume": sum(outcome.recharge_volume),
        "paid_from_bonus": outcome.paid_from_bonus,
        "recharges": outcome.recharges,
        "recharges_refused": outcome.recharges_refused,
        "renewals": outcome.renewals,
        "bonus_by_offer": dict(sorted(outcome.bonus_by_offer.items())),
        "tier_moves": outcome.tier_moves,
        "tiers_at_end": outcome.tiers_at_end,
        "monthly": {"bonus_cost": outcome.bonus_cost, "breakage": outcome.breakage,
                    "liability": liability, "renewal_revenue": outcome.renewal_revenue,
                    "recharge_volume": outcome.recharge_volume},
        "seconds": round(outcome.seconds, 2),
        "cpu_seconds": round(outcome.cpu_seconds, 2),
    }


def differences(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Second minus first, for every total, offer and tier."""
    keys = [key for key, _ in FIGURES + COUNTS]
    found: dict[str, Any] = {key: second[key] - first[key] for key in keys}
    for group in ("bonus_by_offer", "tiers_at_end"):
        names = sorted(set(first[group]) | set(second[group]))
        found[group] = {n: second[group].get(n, 0) - first[group].get(n, 0) for n in names}
    return found


def _money(amount: int) -> str:
    return ("-" if amount < 0 else "") + in_major_units(abs(amount))


def table(summaries: Sequence[dict[str, Any]]) -> str:
    """One column per program, and a difference column when there are two."""
    compare = len(summaries) == 2
    diff = differences(*summaries) if compare else None
    head = [s["program"] for s in summaries] + (["difference"] if compare else [])
    first = summaries[0]
    rows: list[list[str]] = [
        ["", *head],
        [f"{first['members']:,} members, {first['months']} months from {first['start'][:7]}",
         *[""] * len(head)]]
    for key, label in FIGURES:
        rows.append([label, *[_money(s[key]) for s in summaries],
                     *([_money(diff[key])] if diff else [])])
    for key, label in COUNTS:
        rows.append([label, *[f"{s[key]:,}" for s in summaries],
                     *([f"{diff[key]:+,}"] if diff else [])])
    for group, label, show in (("bonus_by_offer", "bonus by offer", _money),
                               ("tiers_at_end", "members by tier at the end", lambda n: f"{n:,}")):
        rows.append([label, *[""] * len(head)])
        names = sorted({n for s in summaries for n in s[group]}, key=_tier_order(summaries, group))
        for name in names:
            rows.append([f"  {name}", *[show(s[group].get(name, 0)) for s in summaries],
                         *([show(diff[group][name])] if diff else [])])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join([row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                            strict=True))]).rstrip()
        for row in rows)


def _tier_order(summaries: Sequence[dict[str, Any]], group: str):
    """Tiers in ladder order (as the first program lists them), offers by name."""
    if group != "tiers_at_end":
        return lambda name: name
    order = [n for s in summaries for n in s[group]]
    return lambda name: order.index(name)
