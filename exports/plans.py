"""A team's plan as plain data: what the take-home PDF, the calendar file and the data export read.

The live room builds these from its database; exports never see the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DataPoint:
    """One month's value of a measure."""

    label: str  # "2027-03" or "Mar 2027"
    value: float


@dataclass(frozen=True)
class TeamMeasure:
    family: str  # outcome, process, balancing
    name: str
    definition: str = ""
    direction: str = "up"  # up or down: which way is better
    baseline: float | None = None
    target: float | None = None
    points: tuple[DataPoint, ...] = ()
    item_id: int | None = None  # the workspace row it came from, if any


@dataclass(frozen=True)
class TeamAim:
    what: str = ""
    for_whom: str = ""
    how_much: str = ""
    by_when: str = ""
    baseline: str = ""
    target: str = ""
    statement: str = ""


@dataclass(frozen=True)
class PdsaCycle:
    """The IHI PDSA worksheet's fields."""

    test: str  # the test of change
    cycle: int = 1
    driver: str = ""
    tasks: str = ""
    who: str = ""
    when: str = ""
    where: str = ""
    prediction: str = ""
    measures: str = ""
    data_plan: str = ""
    do: str = ""
    study: str = ""
    act: str = ""  # adopt, adapt, abandon, or ""
    next_cycle: str = ""


@dataclass(frozen=True)
class PlanRow:
    """One row of the action-period plan."""

    driver: str = ""
    change: str = ""
    preparation: str = ""
    measure: str = ""
    who: str = ""
    when: str = ""
    follow_up: str = ""


@dataclass(frozen=True)
class Commitment:
    """What we will do by next Tuesday: each with an owner and a due date (ISO, YYYY-MM-DD)."""

    what: str
    owner: str
    due: str = ""
    status: str = ""  # carried forward: done, partly, not-done
    note: str = ""


@dataclass(frozen=True)
class DriverChoice:
    """A driver or change idea from the collaborative's diagram the team chose, or its own."""

    primary: str
    secondary: str = ""
    change: str = ""
    own: bool = False


@dataclass(frozen=True)
class Storyboard:
    """The poster fields not already held elsewhere in the plan."""

    changes_tested: str = ""
    results: str = ""
    lessons: str = ""
    next_steps: str = ""


@dataclass(frozen=True)
class TeamPlan:
    """Everything a team takes home from a learning session."""

    collaborative: str
    session: str  # e.g. "Learning Session 1: Getting started"
    team: str
    organisation: str = ""
    members: tuple[str, ...] = ()
    aim: TeamAim = field(default_factory=TeamAim)
    measures: tuple[TeamMeasure, ...] = ()
    drivers: tuple[DriverChoice, ...] = ()
    cycles: tuple[PdsaCycle, ...] = ()
    plan: tuple[PlanRow, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    storyboard: Storyboard = field(default_factory=Storyboard)
    workspace_url: str = ""  # printed as a QR code back to the team's workspace
    date: str = ""  # the session's date, ISO
