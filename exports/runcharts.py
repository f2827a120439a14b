"""Run charts: the median and the four run-chart rules, and the chart drawn as SVG.

The rules, as IHI teaches them (Perla, Provost and Murray, "The run chart", BMJ Qual Saf 2011):
- shift: six or more consecutive points all above or all below the median;
- trend: five or more consecutive points all going up or all going down;
- runs: too few or too many runs (a run is a series of points on one side of the median)
  for the number of useful points, outside what chance would give;
- astronomical point: a point obviously different from the rest.

Points on the median neither make nor break a shift and are not useful observations for the
runs rule; a repeated value neither makes nor breaks a trend. The runs limits come from the
exact distribution of the number of runs (Swed and Eisenhart, 1943) for the chart's own counts
above and below the median, with 1% in each tail: this reproduces the published table's rows
(10 useful points: 3 to 9 runs; 20: 6 to 16; 24: 8 to 18). The astronomical point, which the
literature leaves to the eye, is flagged when a point lies beyond Tukey's far-out fences
(three interquartile ranges outside the quartiles), so a steady trend is not mistaken for one:
an aid to the eye, said as such on the chart.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from math import ceil, comb
from xml.sax.saxutils import escape

SHIFT = 6
TREND = 5
TAIL = 0.01
MIN_POINTS_FOR_RULES = 10


@dataclass(frozen=True)
class Signal:
    """One rule that fired, with the points (0-based indexes) that show it."""

    rule: str  # shift, trend, too-few-runs, too-many-runs, astronomical
    points: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Analysis:
    """A run chart's median, runs and signals."""

    median: float | None
    useful: int
    runs: int
    runs_range: tuple[int, int] | None
    signals: tuple[Signal, ...] = field(default_factory=tuple)

    def fired(self, rule: str) -> bool:
        """Whether a rule fired."""
        return any(s.rule == rule for s in self.signals)


def runs_limits(above: int, below: int, tail: float = TAIL) -> tuple[int, int]:
    """The fewest and most runs chance gives for these counts above and below the median."""
    total = comb(above + below, above)
    probability: dict[int, float] = {}
    for r in range(2, above + below + 1):
        k = r // 2
        if r % 2 == 0:
            ways = 2 * comb(above - 1, k - 1) * comb(below - 1, k - 1)
        else:
            ways = comb(above - 1, k) * comb(below - 1, k - 1) + comb(above - 1, k - 1) * comb(below - 1, k)
        probability[r] = ways / total
    fewest = 2
    below_r = 0.0
    for r in sorted(probability):
        if below_r > tail:
            break
        fewest = r
        below_r += probability[r]
    most = above + below
    above_r = 0.0
    for r in sorted(probability, reverse=True):
        if above_r > tail:
            break
        most = r
        above_r += probability[r]
    return fewest, most


def one_side_streaks(
    sides: Sequence[tuple[int, int]], at_least: int
) -> Iterator[tuple[int, tuple[int, ...]]]:
    """Each streak of at least `at_least` points on one side of a centre line, as (side,
    indices): `sides` gives each point's index and side (1 above, -1 below, 0 on the line;
    points on the line neither make nor break a streak). The shift rule of run charts and of
    control charts."""
    streak: list[int] = []
    side = 0
    for index, s in [*sides, (-1, 2)]:  # 2 closes the last streak
        if s == 0:
            continue
        if s != side:
            if len(streak) >= at_least:
                yield side, tuple(streak)
            streak, side = [index], s
        else:
            streak.append(index)


def analyse(values: Sequence[float], baseline: int | None = None) -> Analysis:
    """The median (of the first `baseline` points, if given) and every rule that fires."""
    if not values:
        return Analysis(None, 0, 0, None)
    median = statistics.median(values[:baseline] if baseline else values)
    sides = [(1 if v > median else -1 if v < median else 0) for v in values]
    signals: list[Signal] = []

    # Shift: a streak of points on one side; points on the median are skipped.
    for side, streak in one_side_streaks(list(enumerate(sides)), SHIFT):
        where = "above" if side > 0 else "below"
        signals.append(Signal("shift", streak, f"Shift: {len(streak)} points in a row {where} the median"))

    # Trend: a streak of rises or of falls; repeated values are skipped.
    moves: list[tuple[int, int]] = []  # (direction, index of the later point)
    last = 0
    for index in range(1, len(values)):
        if values[index] != values[last]:
            moves.append((1 if values[index] > values[last] else -1, index))
            last = index
    run: list[int] = []
    direction = 0
    first_of_run = 0
    previous = 0
    for move, index in [*moves, (2, -1)]:
        if move != direction:
            if len(run) + 1 >= TREND:
                points = (first_of_run, *run)
                word = "up" if direction > 0 else "down"
                signals.append(Signal("trend", points, f"Trend: {len(points)} points going {word}"))
            direction, run, first_of_run = move, [index], previous
        else:
            run.append(index)
        previous = index

    useful = [s for s in sides if s != 0]
    runs = sum(1 for i, s in enumerate(useful) if i == 0 or s != useful[i - 1])
    runs_range = None
    above, below = useful.count(1), useful.count(-1)
    if len(useful) >= MIN_POINTS_FOR_RULES and above and below:
        runs_range = runs_limits(above, below)
        if runs < runs_range[0]:
            signals.append(
                Signal(
                    "too-few-runs",
                    (),
                    f"Too few runs: {runs} (chance gives {runs_range[0]} to {runs_range[1]})",
                )
            )
        elif runs > runs_range[1]:
            signals.append(
                Signal(
                    "too-many-runs",
                    (),
                    f"Too many runs: {runs} (chance gives {runs_range[0]} to {runs_range[1]})",
                )
            )

    if len(values) >= MIN_POINTS_FOR_RULES:
        q1, _, q3 = statistics.quantiles(values, n=4)
        spread = q3 - q1
        far = tuple(
            i for i, v in enumerate(values) if spread and (v > q3 + 3 * spread or v < q1 - 3 * spread)
        )
        if far:
            signals.append(
                Signal("astronomical", far, "Astronomical point: far outside the others (check it by eye)")
            )
    return Analysis(median, len(useful), runs, runs_range, tuple(signals))


COLORS = {
    "line": "#12435A",
    "median": "#8A9AA3",
    "target": "#3D9970",
    "signal": "#C4553A",
    "limit": "#B07D2B",
    "note": "#6A4C93",
}


@dataclass(frozen=True)
class Line:
    """A horizontal line across a chart: one height for every point, or a height per point
    (control limits that follow each month's denominator are drawn as steps; None: none there)."""

    heights: float | Sequence[float | None]
    color: str
    label: str
    dash: str = ""
    width: float = 1.0
    label_left: bool = False  # its label at the left end (the target's, clear of the median's)

    def at(self, i: int) -> float | None:
        """Its height at point i."""
        return self.heights if isinstance(self.heights, int | float) else self.heights[i]


@dataclass(frozen=True)
class Mark:
    """A note on a point: its number on the chart, and the words under it."""

    point: int
    text: str


def chart_svg(
    values: Sequence[float],
    labels: Sequence[str],
    title: str,
    lines: Sequence[Line],
    flagged: set[int],
    notes: str,
    alarm: bool,
    marks: Sequence[Mark] = (),
    width: float = 520,
    height: float = 240,
) -> str:
    """A time-series chart as SVG: the points, horizontal lines, flagged points in coral, the
    numbered notes, and a line of findings under it. Every text is escaped here."""
    left, right, top = 44.0, 12.0, 26.0 if title else 12.0
    bottom = 60.0 if marks else 46.0
    plot_w, plot_h = width - left - right, height - top - bottom
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family="DejaVu Sans, sans-serif" '
        f'font-size="10" role="img" aria-label="{escape(title or "Run chart", {chr(34): "&quot;"})}">'
    ]
    if title:
        out.append(
            f'<text x="{left}" y="15" font-size="12" font-weight="bold" fill="#12435A">{escape(title)}</text>'
        )
    out.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#C9CFD3"/>'
    )
    if not values:
        out.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" '
            'fill="#5B6770">No data yet</text></svg>'
        )
        return "".join(out)
    heights = [h for line in lines for i in range(len(values)) if (h := line.at(i)) is not None]
    low, high = min([*values, *heights]), max([*values, *heights])
    if high == low:
        high, low = high + 1, low - 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad
    step_w = plot_w / len(values)

    def x(i: int) -> float:
        return left + step_w * (i + 0.5)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    for tick in (low + pad, (low + high) / 2, high - pad):
        out.append(
            f'<text x="{left - 4}" y="{y(tick) + 3:.1f}" text-anchor="end" fill="#5B6770">{tick:.3g}</text>'
        )
    for line in lines:
        style = f'stroke="{line.color}" stroke-width="{line.width}"' + (
            f' stroke-dasharray="{line.dash}"' if line.dash else ""
        )
        if isinstance(line.heights, int | float):
            h = y(line.heights)
            out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{h:.1f}" y2="{h:.1f}" {style}/>')
            last_h = h
        else:
            steps = [
                f"M{left + step_w * i:.1f},{y(v):.1f}h{step_w:.1f}"
                for i in range(len(values))
                if (v := line.at(i)) is not None
            ]
            if not steps:
                continue
            out.append(f'<path d="{"".join(steps)}" fill="none" {style}/>')
            last_h = y(next(v for i in reversed(range(len(values))) if (v := line.at(i)) is not None))
        where = f'x="{left + 2}"' if line.label_left else f'x="{left + plot_w - 2}" text-anchor="end"'
        out.append(f'<text {where} y="{last_h - 3:.1f}" fill="{line.color}">{escape(line.label)}</text>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    out.append(f'<path d="{path}" fill="none" stroke="{COLORS["line"]}" stroke-width="1.5"/>')
    for i, v in enumerate(values):
        color = COLORS["signal"] if i in flagged else COLORS["line"]
        out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.2" fill="{color}"/>')
    for number, mark in enumerate(marks, 1):
        if 0 <= mark.point < len(values):
            px = x(mark.point)
            out.append(
                f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top + 8:.1f}" y2="{y(values[mark.point]) - 4:.1f}" '
                f'stroke="{COLORS["note"]}" stroke-dasharray="2 2"/>'
                f'<circle cx="{px:.1f}" cy="{top + 7:.1f}" r="6" fill="{COLORS["note"]}"/>'
                f'<text x="{px:.1f}" y="{top + 10.5:.1f}" text-anchor="middle" fill="#fff" font-size="9">'
                f"{number}</text>"
            )
    every = max(1, ceil(56 / step_w))  # a label is about 50 px wide: never two overlap
    for i, label in enumerate(labels[: len(values)]):
        if i % every == 0:
            out.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 12}" text-anchor="middle" fill="#5B6770">'
                f"{escape(label[:8])}</text>"
            )
    fits = int((width - left) / 6)  # characters of 10-point text across the chart
    said = "  ".join(f"{n}. {m.text}" for n, m in enumerate(marks, 1))
    # In full for screen readers and anyone reading the file: the lines below may be cut.
    out.append(f"<desc>{escape(' '.join(w for w in (said, notes) if w))}</desc>")
    if marks:
        cut = escape(_fit(said, fits))
        out.append(f'<text x="{left}" y="{height - 22}" fill="{COLORS["note"]}">{cut}</text>')
    color = COLORS["signal"] if alarm else "#5B6770"
    out.append(f'<text x="{left}" y="{height - 8}" fill="{color}">{escape(_fit(notes, fits))}</text>')
    out.append("</svg>")
    return "".join(out)


def _fit(text: str, characters: int) -> str:
    """Text cut to fit a line, with an ellipsis where it was cut."""
    return text if len(text) <= characters else text[: characters - 1].rstrip() + "…"


def run_chart_svg(
    values: Sequence[float],
    labels: Sequence[str],
    title: str = "",
    target: float | None = None,
    baseline: int | None = None,
    width: float = 520,
    height: float = 240,
    marks: Sequence[Mark] = (),
) -> str:
    """A run chart as SVG: the points, the median, the target, and signals marked in coral."""
    analysis = analyse(values, baseline)
    lines = []
    if analysis.median is not None:
        lines.append(Line(analysis.median, COLORS["median"], f"median {analysis.median:.3g}", "5 3"))
    if target is not None:
        lines.append(Line(target, COLORS["target"], f"target {target:.3g}", width=1.5, label_left=True))
    flagged = {i for s in analysis.signals for i in s.points}
    notes = "; ".join(s.text for s in analysis.signals) or "No signals yet"
    return chart_svg(
        values, labels, title, lines, flagged, notes, bool(analysis.signals), marks, width, height
    )
