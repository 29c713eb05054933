"""Bar charts as SVG geometry computed here, so pages need neither a chart library nor inline
styles (the Content-Security-Policy forbids them); the template only prints numbers.

The chart carries its axes: a count scale on the left (0, the middle and the peak, with grid
lines) and the column labels along the bottom, so a bar can be read without hovering it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WIDTH = 560
HEIGHT = 180
LEFT = 34
"""Room for the count labels."""
BOTTOM = 20
"""Room for the column labels."""
TOP = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str
    count: int


@dataclass(frozen=True)
class Tick:
    at: float
    """x for a column label, y for a count label."""
    label: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    peak: int
    counts: list[Tick]
    columns: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM


def stacked_bars(
    columns: Sequence[Mapping[str, int]],
    series: Sequence[str],
    labels: Sequence[str] = (),
    label_every: int = 2,
) -> Chart:
    """One stacked bar per column, scaled so the tallest column fills the plot's height.

    ``labels`` name the columns; every ``label_every``-th one is printed under the axis.
    """
    peak = max((sum(c.get(s, 0) for s in series) for c in columns), default=0)
    plot_height = HEIGHT - BOTTOM - TOP
    baseline = HEIGHT - BOTTOM
    step = (WIDTH - LEFT) / max(len(columns), 1)
    bars = []
    for index, column in enumerate(columns):
        top = float(baseline)
        for name in series:
            count = column.get(name, 0)
            if not count:
                continue
            height = plot_height * count / peak
            top -= height
            bars.append(
                Bar(
                    round(LEFT + index * step + 2, 1),
                    round(top, 1),
                    round(step - 4, 1),
                    round(height, 1),
                    name,
                    count,
                )
            )
    levels = sorted({0, peak // 2, peak}) if peak else []
    counts = [Tick(round(baseline - plot_height * v / peak, 1), str(v)) for v in levels]
    columns_ticks = [
        Tick(round(LEFT + (i + 0.5) * step, 1), label)
        for i, label in enumerate(labels)
        if (len(labels) - 1 - i) % label_every == 0
    ]
    return Chart(bars, peak, counts, columns_ticks)
