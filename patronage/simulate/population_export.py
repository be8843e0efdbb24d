"""A population from `patronage events export` JSON Lines: each member's history before the
start becomes their past (tiers, first recharge, lifetime recharge) and their behaviour for
the horizon (docs/simulate.md, "Exported population").

Read per member, from the events' own models (`shared/events/`): RechargeCompleted
(amounts, how often), PurchaseCompleted (totals, how often, the share paid from stored
value), MembershipRenewed (the term's end and length; one renewal seen means the next is
their first), MemberEnrolled (the tier anniversary). Other events are skipped. The horizon
draws visits and recharges at each member's own observed rates (seeded), churn and renewal
propensity from the synthetic defaults; a member silent for 90 days before the start is
taken as already gone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from statistics import median

import numpy as np
from pydantic import ValidationError

from patronage.simulate.population import HISTORY_MONTHS, NEVER, Behaviour, Population
from shared.events.tiering import MemberEnrolled, MembershipRenewed
from shared.events.wallet import PurchaseCompleted, RechargeCompleted

READ = {cls.event_type: cls for cls in (RechargeCompleted, PurchaseCompleted,
                                        MembershipRenewed, MemberEnrolled)}
GONE_AFTER = timedelta(days=90)


class PopulationFileError(ValueError):
    """An export the simulation cannot read; the message names the line."""


@dataclass
class History:
    recharges: list[tuple[int, int]] = field(default_factory=list)  # (month, amount)
    purchases: list[tuple[int, int, int]] = field(default_factory=list)  # (month, total, stored)
    term_end: datetime | None = None
    term_years: int = 1
    renewals: int = 0
    enrolled: datetime | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None


def _month_of(moment: datetime, start: datetime) -> int:
    """Months from the start's month (negative before it)."""
    local = moment.astimezone(start.tzinfo)
    return (local.year - start.year) * 12 + local.month - start.month


def read_histories(path: Path, start: datetime) -> dict[str, History]:
    histories: dict[str, History] = {}
    try:
        lines = path.open()
    except OSError as error:
        raise PopulationFileError(f"{path}: {error}") from None
    with lines:
        for number, line in enumerate(lines, start=1):
            try:
                name = json.loads(line)["type"].split(".")[2]
                if name not in READ:
                    continue
                event = READ[name].model_validate(json.loads(line)["data"])
            except (ValueError, KeyError, IndexError, ValidationError) as error:
                raise PopulationFileError(f"{path}, line {number}: not an exported event "
                                          f"({str(error).splitlines()[0]})") from None
            if event.occurred_at >= start:
                continue
            history = histories.setdefault(event.member_id, History())
            history.last_seen = max(filter(None, (history.last_seen, event.occurred_at)))
            history.first_seen = min(filter(None, (history.first_seen, event.occurred_at)))
            month = _month_of(event.occurred_at, start)
            if isinstance(event, RechargeCompleted):
                history.recharges.append((month, event.amount))
            elif isinstance(event, PurchaseCompleted):
                history.purchases.append(
                    (month, event.total, event.paid_principal + event.paid_bonus))
            elif isinstance(event, MembershipRenewed):
                history.term_end, history.term_years = event.term_end, event.years
                history.renewals += 1
            else:
                history.enrolled = event.enrolled_at
    return histories


def from_export(path: Path, start: datetime, months: int, seed: int,
                behaviour: Behaviour = Behaviour()) -> Population:
    histories = read_histories(path, start)
    if not histories:
        raise PopulationFileError(f"{path}: no member has a recharge, purchase, renewal or "
                                  "enrolment before the start")
    rng = np.random.default_rng(seed)
    ids = tuple(sorted(histories))
    size, history_months = len(ids), HISTORY_MONTHS
    recharges = np.zeros((size, history_months + months), dtype=np.int64)
    spend = np.zeros((size, history_months + months), dtype=np.int64)
    stored_share = np.zeros(size)
    churn = np.full(size, NEVER, dtype=np.int64)
    term_end = np.full(size, -1, dtype=np.int64)
    years = np.ones(size, dtype=np.int64)
    first_renewal = np.zeros(size, dtype=bool)
    anniversary = np.zeros(size, dtype=np.int64)
    day = np.ones(size, dtype=np.int64)
    future = slice(history_months, None)
    for n, member in enumerate(ids):
        past = histories[member]
        for month, amount in past.recharges:
            recharges[n, max(0, history_months + month)] += amount
        paid = stored = 0
        for month, total, from_stored in past.purchases:
            if month >= -history_months:
                spend[n, history_months + month] += total
                paid, stored = paid + total, stored + from_stored
        stored_share[n] = stored / paid if paid else 0.0
        first_seen = past.first_seen or start
        observed = min(history_months, max(1, -_month_of(first_seen, start)))
        recent = [a for m, a in past.recharges if m >= -history_months]
        if recent:
            chance = min(1.0, len(recent) / observed)
            draws = rng.random(months) < chance
            recharges[n, future] = np.where(draws, int(median(recent)), 0)
        visits = [t for m, t, _ in past.purchases if m >= -history_months]
        if visits:
            per_visit = sum(visits) / len(visits)
            count = rng.poisson(len(visits) / observed, months)
            noise = rng.lognormal(0.0, 0.3, months)
            spend[n, future] = np.rint(count * per_visit * noise / 100).astype(np.int64) * 100
        gone = past.last_seen is None or start - past.last_seen > GONE_AFTER
        leaves = rng.geometric(behaviour.monthly_churn) - 1
        churn[n] = 0 if gone else (leaves if leaves < months else NEVER)
        if past.term_end is not None and past.term_end >= start:
            term_end[n], years[n] = _month_of(past.term_end, start), past.term_years
            first_renewal[n] = past.renewals == 1
            day[n] = min(28, past.term_end.astimezone(start.tzinfo).day)
        elif past.last_seen is not None:
            day[n] = min(28, past.last_seen.astimezone(start.tzinfo).day)
        anniversary[n] = (_month_of(past.enrolled or first_seen, start)) % 12
    stopped = np.arange(months)[None, :] >= churn[:, None]
    recharges[:, future][stopped] = 0
    spend[:, future][stopped] = 0
    stored_value_spend = np.rint(spend[:, future] * stored_share[:, None]).astype(np.int64)
    return Population(
        member_ids=ids, history=history_months, recharges=recharges, spend=spend,
        stored_value_spend=stored_value_spend, day=day, churn_month=churn,
        term_end_month=term_end,
        renews=rng.random((size, months)) < behaviour.renewal_propensity,
        renewal_years=years, first_renewal=first_renewal, anniversary_month=anniversary)
