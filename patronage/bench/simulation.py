"""`patronage simulate` as a benchmark: the shipped default program over a synthetic
population for 12 months, timed in CPU seconds (a shared machine's load inflates wall time,
not CPU). The reference, in the same run: rewards' `quote_bonus` alone, called once for
each recharge the simulation quoted, which is the least any simulation that asks the rule
per recharge must spend; the ratio says what the rest (tiers, draws, renewals, arrays)
costs on top of it."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from patronage.simulate.engine import simulate
from patronage.simulate.population import synthetic
from patronage.simulate.program import default_program
from services.rewards.rules.offers import RechargeFacts, quote_bonus

START = datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


def simulation_speed(members: int, months: int = 12, seed: int = 1) -> dict:
    program = default_program()
    cpu, wall = time.process_time(), time.monotonic()
    population = synthetic(members, seed, months)
    outcome = simulate(program, population, START)
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    amounts = population.recharges[:, population.history:]
    facts = [RechargeFacts(int(a), False, int(a), START, 0, "silver")
             for a in amounts[amounts > 0].tolist()[:outcome.recharges]]
    reference = time.process_time()
    for recharge in facts:
        quote_bonus(recharge, program.offers)
    reference = time.process_time() - reference
    return {"name": "simulate", "members": members, "months": months,
            "cpu_seconds": round(cpu, 2), "wall_seconds": round(wall, 2),
            "recharges": outcome.recharges, "bonus_cost": sum(outcome.bonus_cost),
            "reference": {"quote_bonus_cpu_seconds": round(reference, 3)},
            "ratio_vs_quote_bonus": round(cpu / reference, 1) if reference else None}
