"""Control charts (Shewhart charts): centre line, limits, and the special-cause rules.

Which chart a measure gets follows its kind, as The Health Care Data Guide (Provost and
Murray, 2011) chooses them:
- p-chart for a proportion (numerator over denominator): p̄ = Σ numerators / Σ denominators,
  and each period's limits from its own denominator, p̄ ± 3 √(p̄(1 − p̄) / nᵢ);
- u-chart for a rate (a count per unit of opportunity): ū = Σ counts / Σ units,
  limits ū ± 3 √(ū / nᵢ);
- c-chart for a count with the same opportunity each period: c̄ ± 3 √c̄;
- XmR (individuals) chart for a continuous value: x̄ ± 2.66 × the mean moving range.
A lower limit below zero is no limit for p, u and c (they cannot go below zero).

Limits come from a phase's own points, or from its first `freeze` points (a baseline frozen
and extended forward, so that new points are judged against the old process). Faculty start a
new phase after a change has held: its limits are computed again from its own points.

The special-cause rules, the Guide's five, judged within each phase against its limits:
1. a point outside the control limits;
2. eight or more points in a row on one side of the centre line (points on it are skipped);
3. six points in a row all going up or all going down (a repeated value neither makes nor
   breaks the run);
4. two out of three points in a row in the outer third, beyond two sigma on the same side;
5. fifteen points in a row in the inner third, within one sigma of the centre line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import sqrt
from typing import Literal

from exports.runcharts import COLORS, Line, Mark, chart_svg, one_side_streaks

ChartKind = Literal["p", "u", "c", "xmr"]
SHIFT = 8
TREND = 6
HUGGING = 15
XMR_FACTOR = 2.66  # 3 / d2, with d2 = 1.128 for moving ranges of two points
MIN_POINTS = 12  # fewer points than this give only trial limits: the room shows a run chart
NAMES = {"p": "p-chart", "u": "u-chart", "c": "c-chart", "xmr": "XmR chart"}


@dataclass(frozen=True)
class Special:
    """One special-cause rule that fired, with the points (0-based) that show it."""

    rule: int  # 1 to 5, as numbered above
    points: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class ControlChart:
    """A control chart's values and, for each point, its centre line and limits."""

    kind: ChartKind
    values: tuple[float, ...]
    centre: tuple[float, ...]
    upper: tuple[float, ...]
    lower: tuple[float | None, ...]  # None: no lower limit (it would fall below zero)
    sigma: tuple[float, ...]
    phases: tuple[int, ...]  # the index where each phase starts (the first is 0)
    specials: tuple[Special, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        """The chart's name, as people say it."""
        return NAMES[self.kind]

    def fired(self, rule: int) -> bool:
        """Whether a rule fired."""
        return any(s.rule == rule for s in self.specials)

    def flagged(self) -> set[int]:
        """Every point some rule marks."""
        return {i for s in self.specials for i in s.points}


class NotCharted(ValueError):
    """The data cannot make this chart (a message a person can act on)."""


def _spans(count: int, breaks: Sequence[int]) -> list[tuple[int, int]]:
    """The phases as (start, end) index ranges, from the indexes where new ones begin."""
    starts = sorted({0, *(b for b in breaks if 0 < b < count)})
    return [(s, (starts[n + 1] if n + 1 < len(starts) else count)) for n, s in enumerate(starts)]


def _basis(start: int, end: int, freeze: int | None) -> range:
    """The points a phase's limits are computed from: all of it, or its first `freeze`."""
    return range(start, min(end, start + freeze) if freeze else end)


def p_chart(
    numerators: Sequence[float],
    denominators: Sequence[float],
    breaks: Sequence[int] = (),
    freeze: int | None = None,
) -> ControlChart:
    """A p-chart: each period's proportion, with limits from its own denominator."""
    return _attribute("p", numerators, denominators, breaks, freeze)


def u_chart(
    counts: Sequence[float], units: Sequence[float], breaks: Sequence[int] = (), freeze: int | None = None
) -> ControlChart:
    """A u-chart: each period's count per unit of opportunity."""
    return _attribute("u", counts, units, breaks, freeze)


def c_chart(counts: Sequence[float], breaks: Sequence[int] = (), freeze: int | None = None) -> ControlChart:
    """A c-chart: counts with the same opportunity each period."""
    return _attribute("c", counts, [1.0] * len(counts), breaks, freeze)


def _attribute(
    kind: ChartKind,
    counts: Sequence[float],
    sizes: Sequence[float],
    breaks: Sequence[int],
    freeze: int | None,
) -> ControlChart:
    if len(counts) != len(sizes):
        raise NotCharted("every period needs both a numerator and a denominator")
    if any(n <= 0 for n in sizes):
        raise NotCharted("a denominator of zero or less cannot be charted")
    if any(c < 0 for c in counts):
        raise NotCharted("a count below zero cannot be charted")
    if kind == "p" and any(c > n for c, n in zip(counts, sizes, strict=True)):
        raise NotCharted("a numerator is larger than its denominator")
    values = [c / n for c, n in zip(counts, sizes, strict=True)]
    centre: list[float] = []
    sigma: list[float] = []
    spans = _spans(len(values), breaks)
    for start, end in spans:
        basis = _basis(start, end, freeze)
        bar = sum(counts[i] for i in basis) / sum(sizes[i] for i in basis)
        for i in range(start, end):
            centre.append(bar)
            spread = bar * (1 - bar) if kind == "p" else bar
            sigma.append(sqrt(spread / sizes[i]))
    return _finish(kind, values, centre, sigma, [s for s, _ in spans], floor=True, limit=3.0)


def xmr_chart(values: Sequence[float], breaks: Sequence[int] = (), freeze: int | None = None) -> ControlChart:
    """An XmR chart: individual values, limits from the mean moving range."""
    centre: list[float] = []
    sigma: list[float] = []
    spans = _spans(len(values), breaks)
    for start, end in spans:
        basis = list(_basis(start, end, freeze))
        if len(basis) < 2:
            raise NotCharted("an XmR chart needs at least two points in each phase")
        mean = sum(values[i] for i in basis) / len(basis)
        ranges = [abs(values[i] - values[i - 1]) for i in basis[1:]]
        moving = sum(ranges) / len(ranges)
        for _ in range(start, end):
            centre.append(mean)
            sigma.append(moving * XMR_FACTOR / 3)
    return _finish("xmr", values, centre, sigma, [s for s, _ in spans], floor=False, limit=3.0)


def _finish(
    kind: ChartKind,
    values: Sequence[float],
    centre: list[float],
    sigma: list[float],
    phases: list[int],
    floor: bool,
    limit: float,
) -> ControlChart:
    upper = [c + limit * s for c, s in zip(centre, sigma, strict=True)]
    lower: list[float | None] = []
    for c, s in zip(centre, sigma, strict=True):
        low = c - limit * s
        lower.append(None if floor and low <= 0 else low)
    chart = ControlChart(
        kind, tuple(values), tuple(centre), tuple(upper), tuple(lower), tuple(sigma), tuple(phases)
    )
    specials: list[Special] = []
    ends = [*phases[1:], len(values)]
    for start, end in zip(phases, ends, strict=True):
        specials += special_causes(chart, start, end)
    return ControlChart(
        kind,
        chart.values,
        chart.centre,
        chart.upper,
        chart.lower,
        chart.sigma,
        chart.phases,
        tuple(specials),
    )


def _zone(chart: ControlChart, i: int) -> float:
    """How many sigmas point i lies from its centre line (signed; 0 if sigma is 0)."""
    s = chart.sigma[i]
    return (chart.values[i] - chart.centre[i]) / s if s else 0.0


def special_causes(chart: ControlChart, start: int = 0, end: int | None = None) -> list[Special]:
    """The Guide's five rules over points start..end (one phase)."""
    end = len(chart.values) if end is None else end
    found: list[Special] = []
    idx = range(start, end)
    v = chart.values

    # 1: outside the limits.
    outside = tuple(
        i
        for i in idx
        if v[i] > chart.upper[i] or (chart.lower[i] is not None and v[i] < (chart.lower[i] or 0.0))
    )
    if outside:
        said = "1 point" if len(outside) == 1 else f"{len(outside)} points"
        found.append(Special(1, outside, f"{said} outside the control limits"))

    # 2: a shift of eight or more on one side of the centre line.
    sides = [(i, 1 if v[i] > chart.centre[i] else -1 if v[i] < chart.centre[i] else 0) for i in idx]
    for side, streak in one_side_streaks(sides, SHIFT):
        where = "above" if side > 0 else "below"
        found.append(Special(2, streak, f"Shift: {len(streak)} points in a row {where} the centre line"))

    # 3: a trend of six points going one way.
    points = list(idx)
    run = points[:1]
    direction = 0
    for i in [*points[1:], -1]:
        if i >= 0 and v[i] == v[run[-1]]:
            continue  # a repeated value neither makes nor breaks it
        move = 2 if i < 0 else (1 if v[i] > v[run[-1]] else -1)
        if move == direction:
            run.append(i)
            continue
        if len(run) >= TREND:
            word = "up" if direction > 0 else "down"
            found.append(Special(3, tuple(run), f"Trend: {len(run)} points in a row going {word}"))
        run = [run[-1], i] if i >= 0 else []
        direction = move

    # 4: two of three in a row beyond two sigma, on the same side.
    near: set[int] = set()
    for first in range(start, end - 2):
        window = range(first, first + 3)
        for sign in (1, -1):
            beyond = [i for i in window if sign * _zone(chart, i) > 2]
            if len(beyond) >= 2:
                near.update(beyond)
    if near:
        found.append(Special(4, tuple(sorted(near)), "Two of three points beyond two sigma, on one side"))

    # 5: fifteen in a row hugging the centre line.
    hug: list[int] = []
    hugging: set[int] = set()
    for i in [*idx, -1]:
        if i >= 0 and chart.sigma[i] and abs(_zone(chart, i)) < 1:
            hug.append(i)
            continue
        if len(hug) >= HUGGING:
            hugging.update(hug)
        hug = []
    if hugging:
        found.append(
            Special(
                5, tuple(sorted(hugging)), "15 or more points in a row within one sigma of the centre line"
            )
        )
    return found


def control_chart_svg(
    chart: ControlChart,
    labels: Sequence[str],
    title: str = "",
    target: float | None = None,
    scale: float = 1.0,
    marks: Sequence[Mark] = (),
    width: float = 520,
    height: float = 240,
) -> str:
    """A control chart as SVG: centre line and limits (steps where they follow each period's
    denominator), special causes in coral. `scale` shows proportions as percentages (100)."""

    def scaled(heights: Sequence[float | None]) -> list[float | None]:
        return [None if h is None else h * scale for h in heights]

    centre = chart.centre[-1] * scale if chart.centre else 0.0
    lines = [
        Line(scaled(chart.centre), COLORS["median"], f"CL {centre:.3g}", "5 3"),
        Line(scaled(chart.upper), COLORS["limit"], "UCL"),
        Line(scaled(chart.lower), COLORS["limit"], "LCL"),
    ]
    if target is not None:
        lines.append(Line(target, COLORS["target"], f"target {target:.3g}", width=1.5, label_left=True))
    said = "; ".join(s.text for s in chart.specials) or "No special causes"
    return chart_svg(
        [v * scale for v in chart.values],
        labels,
        title,
        lines,
        chart.flagged(),
        f"{chart.name}: {said}",
        bool(chart.specials),
        marks,
        width,
        height,
    )
