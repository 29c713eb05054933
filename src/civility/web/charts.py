"""Bar charts as SVG geometry computed here, so pages need neither a chart library nor inline
styles (the Content-Security-Policy forbids them); the template only prints numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WIDTH = 560
HEIGHT = 160


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str
    count: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    peak: int
    width: int = WIDTH
    height: int = HEIGHT


def stacked_bars(columns: Sequence[Mapping[str, int]], series: Sequence[str]) -> Chart:
    """One stacked bar per column, scaled so the tallest column fills the chart's height."""
    peak = max((sum(c.get(s, 0) for s in series) for c in columns), default=0)
    step = WIDTH / max(len(columns), 1)
    bars = []
    for index, column in enumerate(columns):
        top = float(HEIGHT)
        for name in series:
            count = column.get(name, 0)
            if not count:
                continue
            height = HEIGHT * count / peak
            top -= height
            bars.append(
                Bar(
                    round(index * step + 2, 1),
                    round(top, 1),
                    round(step - 4, 1),
                    round(height, 1),
                    name,
                    count,
                )
            )
    return Chart(bars, peak)
