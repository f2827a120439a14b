"""A team's plan as plain data: what the take-home PDF, the calendar file and the data export read.

A plan holds the team's worksheets as filled (each named as in curriculum.worksheets, with
its values by field name and its rows). The live room builds these from its database;
exports never see the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from curriculum.measures import Point, parse_data, parse_limits, parse_notes
from curriculum.problems import Invalid
from curriculum.worksheets import WORKSHEETS, Field, Worksheet, number, row_ids
from exports.controlcharts import (
    MIN_POINTS,
    ControlChart,
    NotCharted,
    c_chart,
    control_chart_svg,
    p_chart,
    u_chart,
    xmr_chart,
)
from exports.runcharts import Mark, run_chart_svg


@dataclass(frozen=True)
class PlanRow:
    """One row of a worksheet (a measure, a PDSA cycle, a commitment...), its values by field name."""

    values: Mapping[str, str] = field(default_factory=dict, hash=False)
    status: str = ""  # carried forward from an earlier learning session: done, partly, not-done
    note: str = ""
    item_id: int | None = None  # the workspace row it came from, if any

    def get(self, name: str) -> str:
        """The text of one field ('' when empty)."""
        return self.values.get(name, "")


@dataclass(frozen=True)
class FilledSheet:
    """One worksheet as the team filled it."""

    name: str
    values: Mapping[str, str] = field(default_factory=dict, hash=False)
    rows: tuple[PlanRow, ...] = ()

    @property
    def sheet(self) -> Worksheet:
        """Its definition."""
        return WORKSHEETS[self.name]

    def get(self, name: str) -> str:
        """The text of one of its team-wide fields ('' when empty)."""
        return self.values.get(name, "")

    @property
    def empty(self) -> bool:
        """Whether the team wrote nothing in it."""
        return not self.rows and not any(v.strip() for v in self.values.values())

    def summary(self) -> list[str]:
        """The sheet in a line or a few: its first filled summary field, or that field of each row."""
        if self.sheet.rows is not None:
            return [r.get(n) for r in self.rows for n in self.sheet.summary[:1] if r.get(n)]
        first = next((self.get(n) for n in self.sheet.summary if self.get(n)), "")
        return [first] if first else []


@dataclass(frozen=True)
class DriverChoice:
    """A driver or change idea from the collaborative's diagram the team chose, or its own."""

    primary: str
    secondary: str = ""
    change: str = ""
    own: bool = False


@dataclass(frozen=True)
class Rating:
    """The team's self-rating on the IHI Assessment Scale, given in one poll of the session."""

    asked: str  # the poll's title
    value: float


@dataclass(frozen=True)
class TeamPlan:
    """Everything a team takes home from a learning session."""

    collaborative: str
    session: str  # e.g. "Learning Session 1: Getting started"
    team: str
    organisation: str = ""
    members: tuple[str, ...] = ()
    sheets: tuple[FilledSheet, ...] = ()
    drivers: tuple[DriverChoice, ...] = ()  # the chosen change ideas, resolved from the topic pack
    ratings: tuple[Rating, ...] = ()  # the team's self-ratings in this session, in order
    workspace_url: str = ""  # printed as a QR code back to the team's workspace
    date: str = ""  # the session's date, ISO
    # Every change idea of the collaborative's driver diagram by id ("S1.2.3"), in its words.
    ideas: Mapping[str, str] = field(default_factory=dict, hash=False)

    def sheet(self, name: str) -> FilledSheet:
        """The team's copy of a worksheet (empty if it wrote nothing there)."""
        return next((s for s in self.sheets if s.name == name), FilledSheet(name))

    def shown(self, definition: Field, row: PlanRow) -> str:
        """A row's field as people read it: a choice's words, a change idea's words, the names
        of the measures it points to."""
        value = row.get(definition.name)
        if definition.choices:
            return definition.choice_label(value)
        if definition.input == "idea":
            return idea_words(value, self.ideas)
        if definition.input == "measures":
            names = {r.item_id: r.get("name") for r in self.sheet("measures").rows}
            try:
                return "; ".join(names.get(i) or f"#{i}" for i in row_ids(value))
            except Invalid:
                return value
        return value

    def ramps(self) -> list[Ramp]:
        """The PDSA cycles as ramps: the cycles testing one change idea, in order, each with what
        the team decided. Cycles naming no change idea are grouped by the driver they serve."""
        found: dict[str, list[tuple[int, str, str]]] = {}
        for n, row in enumerate(self.sheet("pdsa").rows, 1):
            key = row.get("change_idea") or row.get("driver")
            if key:
                found.setdefault(key, []).append((n, row.get("test"), row.get("act")))
        return [Ramp(idea_words(k, self.ideas), tuple(c)) for k, c in found.items()]


@dataclass(frozen=True)
class Ramp:
    """A ramp of PDSA cycles: one change idea, tested cycle after cycle."""

    idea: str
    cycles: tuple[tuple[int, str, str], ...]  # (cycle number, test, act: adopt, adapt, abandon or '')


def idea_words(value: str, ideas: Mapping[str, str]) -> str:
    """A change idea as people read it: the diagram's words with its id, or the team's own."""
    if value.startswith("own:"):
        return value[4:].strip()
    return f"{value} {ideas[value]}" if value in ideas else value


def measure_data(row: PlanRow) -> list[Point]:
    """A measure row's data as points; data it cannot read draw nothing."""
    try:
        return parse_data(row.get("data"), row.get("kind"))
    except Invalid:
        return []


def measure_points(row: PlanRow) -> list[tuple[str, float]]:
    """A measure row's data as (label, value) points."""
    return [(p.label, p.value) for p in measure_data(row)]


def control_chart(row: PlanRow, points: list[Point]) -> ControlChart | None:
    """The control chart a measure's kind calls for, once it has enough points to judge by
    (a p-chart for a percentage, a u-chart for a rate, a c-chart for a count, XmR for a
    measurement); None while a run chart is the right tool."""
    kind = row.get("kind")
    if len(points) < MIN_POINTS or not kind:
        return None
    ratio = all(p.numerator is not None and p.denominator is not None for p in points)
    tops = [p.numerator or 0.0 for p in points]
    bottoms = [p.denominator or 0.0 for p in points]
    try:
        freeze, breaks = parse_limits(row.get("limits")).indexes(points)
    except Invalid:
        freeze, breaks = None, []
    try:
        if kind == "proportion" and ratio:
            return p_chart(tops, bottoms, breaks, freeze)
        if kind == "rate" and ratio:
            return u_chart(tops, bottoms, breaks, freeze)
        if kind == "count" and not ratio:
            return c_chart([p.value for p in points], breaks, freeze)
        if kind == "continuous":
            return xmr_chart([p.value for p in points], breaks, freeze)
    except NotCharted:
        pass  # data typed in the room that no control chart takes: the run chart shows them
    return None


def cycle_names(pdsa: FilledSheet) -> dict[int, str]:
    """The team's PDSA cycles by row id, named as a chart's notes say them: 'Cycle 2 (test…)'."""
    names = {}
    for n, row in enumerate(pdsa.rows, 1):
        if row.item_id is not None:
            test = row.get("test")
            names[row.item_id] = f"Cycle {n}" + (f" ({test[:40]})" if test else "")
    return names


def measure_chart(row: PlanRow, width: int, height: int, cycles: Mapping[int, str] | None = None) -> str:
    """The chart of a measure row, as SVG (every text escaped where it is drawn): a control chart
    where the kind and the data allow, else a run chart; notes on points numbered on it, each
    naming the PDSA cycle tested then (`cycles`: a cycle's row id to its name)."""
    points = measure_data(row)
    try:
        notes = parse_notes(row.get("annotations"))
    except Invalid:
        notes = {}
    labels = [p.period.label if p.period else p.label for p in points]
    index = {p.key: i for i, p in enumerate(points)}
    marks = []
    for key, note in notes.items():
        if key in index:
            tested = (cycles or {}).get(note.cycle or 0, "")
            words = ": ".join(w for w in (labels[index[key]], tested, note.text) if w)
            marks.append(Mark(index[key], words))
    title = row.get("name") or WORKSHEETS["measures"].field("name").label
    target = number(row.get("target"))
    chart = control_chart(row, points)
    if chart is not None:
        scale = 100.0 if chart.kind == "p" else 1.0
        return control_chart_svg(chart, labels, title, target, scale, marks, width, height)
    return run_chart_svg([p.value for p in points], labels, title, target, None, width, height, marks)
