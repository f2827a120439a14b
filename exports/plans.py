"""A team's plan as plain data: what the take-home PDF, the calendar file and the data export read.

A plan holds the team's worksheets as filled (each named as in curriculum.worksheets, with
its values by field name and its rows). The live room builds these from its database;
exports never see the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from curriculum.problems import Invalid
from curriculum.worksheets import WORKSHEETS, Worksheet, number, parse_points
from exports.runcharts import run_chart_svg


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

    def sheet(self, name: str) -> FilledSheet:
        """The team's copy of a worksheet (empty if it wrote nothing there)."""
        return next((s for s in self.sheets if s.name == name), FilledSheet(name))


def measure_points(row: PlanRow) -> list[tuple[str, float]]:
    """A measure row's monthly data as (label, value) points; data it cannot read draw nothing."""
    try:
        return parse_points(row.get("data"))
    except Invalid:
        return []


def measure_chart(row: PlanRow, width: int, height: int) -> str:
    """The run chart of a measure row, as SVG (every text escaped by run_chart_svg)."""
    points = measure_points(row)
    return run_chart_svg(
        [v for _, v in points],
        [label for label, _ in points],
        title=row.get("name") or WORKSHEETS["measures"].field("name").label,
        target=number(row.get("target")),
        width=width,
        height=height,
    )
