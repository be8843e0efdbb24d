"""`--chart FILE.png`: monthly bonus cost, outstanding liability and renewal revenue, one
panel each, one line per program. matplotlib with the Agg backend: no display needed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

WIDTH_PX, HEIGHT_PX, DPI = 1200, 900, 100
PANELS = (("bonus_cost", "Bonus cost per month"), ("liability", "Outstanding liability"),
          ("renewal_revenue", "Renewal revenue per month"))


def write_chart(summaries: Sequence[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(len(PANELS), 1, sharex=True,
                                   figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    for axis, (key, title) in zip(axes, PANELS, strict=True):
        for summary in summaries:
            series = [amount / 100 for amount in summary["monthly"][key]]
            axis.plot(range(1, len(series) + 1), series, marker="o", label=summary["program"])
        axis.set_title(title)
        axis.set_ylabel("major units")
        axis.grid(alpha=0.3)
        axis.legend(loc="upper left")
    axes[-1].set_xlabel(f"month (from {summaries[0]['start'][:7]})")
    figure.tight_layout()
    figure.savefig(path, dpi=DPI, format="png")
    pyplot.close(figure)
