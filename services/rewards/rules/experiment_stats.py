"""The experiment report's arithmetic: each arm against the holdout, with 95 % intervals.

Pure math over each arm's totals (exposed members, conversions, revenue and its squares,
cost; minor units), so the report reads sums, not a million rows. The figures are
estimates, so they are floats; no money is moved with them.

- Conversion lift: p_arm - p_holdout, with the two-proportion normal interval
  (difference ± 1.96 x sqrt(p1(1-p1)/n1 + p0(1-p0)/n0)).
- Revenue lift: mean revenue per member, arm minus holdout, with Welch's interval
  (difference ± t(0.975, df) x sqrt(s1²/n1 + s0²/n0), df by Welch–Satterthwaite; sample
  variances with n - 1).
- Incremental ROI: (incremental revenue - cost) / cost, where incremental revenue is the
  revenue lift per member times the arm's exposed members and cost is what the arm's
  treatment cost in all; None when the arm cost nothing.
An interval needs at least two members on each side (one for a proportion); below that, or
with no holdout members, it is None: the report never invents a bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

Z_95 = NormalDist().inv_cdf(0.975)  # 1.95996...


@dataclass(frozen=True)
class ArmTotals:
    """What the report reads for one arm, summed over its exposed members in one query:
    how many, how many converted, and revenue (its sum and sum of squares, for the
    variance) and cost in minor units."""

    exposed: int
    converted: int
    revenue: int
    revenue_squares: int
    cost: int

    @property
    def revenue_mean(self) -> float:
        return self.revenue / self.exposed

    @property
    def revenue_variance(self) -> float:
        """The sample variance (n - 1) of revenue per member."""
        n = self.exposed
        return (self.revenue_squares - self.revenue * self.revenue / n) / (n - 1)


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class ArmFigures:
    exposed: int
    conversion_rate: float | None
    revenue_per_member: float | None
    cost_per_member: float | None
    conversion_lift: Interval | None = None
    revenue_lift: Interval | None = None
    incremental_roi: float | None = None


def proportion_difference(hits1: int, n1: int, hits0: int, n0: int) -> Interval | None:
    """p1 - p0 and its two-proportion normal 95 % interval."""
    if n1 < 1 or n0 < 1:
        return None
    p1, p0 = hits1 / n1, hits0 / n0
    half = Z_95 * math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    return Interval(p1 - p0, p1 - p0 - half, p1 - p0 + half)


def welch_difference(arm: ArmTotals, holdout: ArmTotals) -> Interval | None:
    """Mean revenue per member, arm minus holdout, and Welch's 95 % interval."""
    if arm.exposed < 2 or holdout.exposed < 2:
        return None
    a = max(0.0, arm.revenue_variance) / arm.exposed
    b = max(0.0, holdout.revenue_variance) / holdout.exposed
    difference = arm.revenue_mean - holdout.revenue_mean
    if a + b == 0:  # no spread on either side: the difference is exact
        return Interval(difference, difference, difference)
    df = (a + b) ** 2 / (a * a / (arm.exposed - 1) + b * b / (holdout.exposed - 1))
    half = t_quantile_975(df) * math.sqrt(a + b)
    return Interval(difference, difference - half, difference + half)


def t_quantile_975(df: float) -> float:
    """The 97.5 % quantile of Student's t with `df` degrees of freedom (bisection on the
    distribution function; df may be fractional, as Welch's is)."""
    low, high = 0.0, 1000.0
    for _ in range(200):
        mid = (low + high) / 2
        if student_t_cdf(mid, df) < 0.975:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def student_t_cdf(t: float, df: float) -> float:
    x = df / (df + t * t)
    tail = 0.5 * _regularized_beta(x, df / 2, 0.5)
    return 1 - tail if t >= 0 else tail


def _regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), by its continued fraction (Lentz), the usual way."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log(1 - x))
    if x > (a + 1) / (a + b + 2):
        return 1 - _regularized_beta(1 - x, b, a)
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
    return math.exp(log_front) * result / a


def arm_figures(arm: ArmTotals, holdout: ArmTotals | None) -> ArmFigures:
    """One arm's figures; against the holdout unless it is the holdout (None)."""
    n = arm.exposed
    if n == 0:
        return ArmFigures(0, None, None, None)
    figures = ArmFigures(n, arm.converted / n, arm.revenue_mean, arm.cost / n)
    if holdout is None or holdout.exposed == 0:
        return figures
    incremental_revenue = (arm.revenue_mean - holdout.revenue_mean) * n
    roi = (incremental_revenue - arm.cost) / arm.cost if arm.cost else None
    return ArmFigures(
        n, figures.conversion_rate, figures.revenue_per_member, figures.cost_per_member,
        proportion_difference(arm.converted, n, holdout.converted, holdout.exposed),
        welch_difference(arm, holdout), roi)
