"""Who the simulation replays: per member and month, what they recharge and spend, whether
they pay from stored value, when they churn and whether their paid term is renewed.

A `Population` is arrays (members x months), generated once from a seed, so two programs
compared on it see exactly the same behaviour. The first `history` months are the past:
they count towards tiers, the first recharge and the cumulative rebate, but move no money in
the simulation; the simulated horizon follows.

`synthetic(...)` draws the behaviour from `Behaviour`'s distributions (docs/simulate.md,
"Synthetic population", says where the defaults come from).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HISTORY_MONTHS = 12
NEVER = np.iinfo(np.int32).max


@dataclass(frozen=True)
class Behaviour:
    visits_per_month: float = 2.0  # mean of the members' visit rates (gamma, shape 2)
    spend_per_visit: int = 12_000  # median, minor units (lognormal across members)
    spend_spread: float = 0.5  # sigma of log spend per visit across members
    stored_value_share: float = 0.35  # members who recharge and pay from stored value
    recharge_chance: float = 0.25  # mean monthly chance a stored-value member recharges
    recharge_amounts: tuple[int, ...] = (10_000, 20_000, 50_000, 100_000, 200_000)
    recharge_weights: tuple[float, ...] = (0.30, 0.25, 0.25, 0.15, 0.05)
    monthly_churn: float = 0.02  # mean monthly chance a member stops coming
    paid_member_share: float = 0.30  # members holding a paid term at the start
    renewal_propensity: float = 0.65  # mean chance a paid member renews at the term's end
    two_year_share: float = 0.20  # renewals bought for two years
    first_renewal_share: float = 0.40  # paid members still in their first term


@dataclass(frozen=True)
class Population:
    member_ids: tuple[str, ...]
    history: int  # months before the horizon (columns 0 .. history-1)
    recharges: np.ndarray  # (N, history + months) amount recharged that month, 0 for none
    spend: np.ndarray  # (N, history + months) purchases' total that month (counts for tiers)
    stored_value_spend: np.ndarray  # (N, months) what they would pay from stored value
    day: np.ndarray  # (N,) the day of the month they come (1-28)
    churn_month: np.ndarray  # (N,) first horizon month without them; NEVER if they stay
    term_end_month: np.ndarray  # (N,) horizon month their paid term ends; -1 if none
    renews: np.ndarray  # (N, months) would renew a term ending that month
    renewal_years: np.ndarray  # (N,) 1 or 2
    first_renewal: np.ndarray  # (N,) their next renewal is their first
    anniversary_month: np.ndarray  # (N,) horizon month (mod 12) of their tier anniversary

    @property
    def size(self) -> int:
        return len(self.member_ids)

    @property
    def months(self) -> int:
        return self.stored_value_spend.shape[1]


def synthetic(members: int, seed: int, months: int, behaviour: Behaviour = Behaviour(),
              history: int = HISTORY_MONTHS) -> Population:
    rng = np.random.default_rng(seed)
    total = history + months
    visit_rate = rng.gamma(2.0, behaviour.visits_per_month / 2.0, members)
    per_visit = behaviour.spend_per_visit * rng.lognormal(0.0, behaviour.spend_spread, members)
    visits = rng.poisson(visit_rate[:, None], (members, total))
    noise = rng.lognormal(0.0, 0.3, (members, total))
    spend = (np.rint(visits * per_visit[:, None] * noise / 100) * 100).astype(np.int64)

    stored_value = rng.random(members) < behaviour.stored_value_share
    chance = behaviour.recharge_chance
    recharge_rate = rng.beta(2.0, 2.0 * (1 - chance) / chance, members)
    weights = np.asarray(behaviour.recharge_weights) / sum(behaviour.recharge_weights)
    preferred = rng.choice(np.asarray(behaviour.recharge_amounts, dtype=np.int64), members,
                           p=weights)
    recharging = stored_value[:, None] & (rng.random((members, total)) < recharge_rate[:, None])
    recharges = np.where(recharging, preferred[:, None], 0).astype(np.int64)

    churn = behaviour.monthly_churn
    hazard = rng.beta(1.0, (1 - churn) / churn, members)
    churn_month = rng.geometric(np.clip(hazard, 1e-9, 1.0)) - 1  # months before they leave
    churn_month = np.where(churn_month >= months, NEVER, churn_month).astype(np.int64)
    gone = np.arange(months)[None, :] >= churn_month[:, None]
    recharges[:, history:][gone] = 0
    spend[:, history:][gone] = 0
    stored_value_spend = np.where(stored_value[:, None], spend[:, history:], 0)

    paid = rng.random(members) < behaviour.paid_member_share
    term_end = np.where(paid, rng.integers(0, 12, members), -1)
    propensity = rng.beta(6.5, 3.5, members) * behaviour.renewal_propensity / 0.65
    renews = rng.random((members, months)) < np.clip(propensity, 0, 1)[:, None]
    return Population(
        member_ids=tuple(f"sim_{n}" for n in range(members)),
        history=history, recharges=recharges, spend=spend,
        stored_value_spend=stored_value_spend.astype(np.int64),
        day=rng.integers(1, 29, members), churn_month=churn_month,
        term_end_month=term_end.astype(np.int64), renews=renews,
        renewal_years=np.where(rng.random(members) < behaviour.two_year_share, 2, 1),
        first_renewal=rng.random(members) < behaviour.first_renewal_share,
        anniversary_month=rng.integers(0, 12, members),
    )
