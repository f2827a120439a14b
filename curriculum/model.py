"""The curriculum as plain data: modules, slides, activities, manifests and topic packs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curriculum.calendar import Calendar, as_date, long_date

# Printed pages a module can add to its session's handout (exports/templates/handout/extra-*.html):
# the run chart rules card with the runs table and a blank chart; a PDSA log; gallery-walk
# feedback cards; the module's polls as a paper evaluation form.
HANDOUT_EXTRAS = (
    "run-chart-rules",
    "pdsa-log",
    "gallery-card",
    "evaluation",
    "prework-packet",  # the team charter with its roles, the data-collection plan, a baseline sheet
    "senior-leaders",  # what senior leaders do between sessions
    "monthly-report",  # the action period's monthly report, on paper
)
ACTIVITY_KINDS = ("poll", "question-board", "storyboard", "team-time", "gallery-walk", "break")
AGENDA_KINDS = ("plenary", "break", "meal")


@dataclass(frozen=True)
class Run:
    """A stretch of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


Inline = tuple[Run, ...]


def plain(runs: Inline) -> str:
    """The text of some runs without their styles."""
    return "".join(r.text for r in runs)


@dataclass(frozen=True)
class Paragraph:
    runs: Inline


@dataclass(frozen=True)
class ListItem:
    runs: Inline
    level: int  # 0 or 1
    ordered: bool = False


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Image:
    path: Path
    alt: str
    line: int


@dataclass(frozen=True)
class Table:
    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]


# The parts of a topic pack a module can show (some share a worksheet's name, not its meaning).
TOPIC_PARTS = (
    "aim",
    "driver-diagram",
    "change-package",
    "measures",
    "assessment-scale",  # not the pack's: the one IHI scale (curriculum.assessment), from..to
)


@dataclass(frozen=True)
class TopicBlock:
    """A part of the collaborative's topic pack, drawn where a module asks for it:
    a ```topic block holding `aim`, `driver-diagram`, `change-package P1` (one primary
    driver's change ideas) or `measures outcome` (a family of measures, or `all`)."""

    part: str
    arg: str
    line: int


Block = Paragraph | BulletList | Image | Table | TopicBlock


@dataclass(frozen=True)
class Activity:
    """Something the room does: a poll, team time on a worksheet, a gallery walk, a break."""

    kind: str
    id: str
    title: str
    prompt: str
    minutes: int
    line: int = 0
    poll_type: str | None = None
    spec: Mapping[str, Any] = field(default_factory=dict, hash=False)  # the poll kind's settings
    anonymous: bool = True
    worksheet: str | None = None
    dots: int = 3
    moderated: bool = False  # a gallery walk's comments, a question board's questions: shown once approved

    @property
    def live(self) -> bool:
        """Whether phones take part (everything but a break)."""
        return self.kind != "break"


@dataclass(frozen=True)
class Slide:
    title: str
    blocks: tuple[Block, ...]
    notes: str
    line: int
    activity: Activity | None = None


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    session: str  # "prework", "1".."3", "ap1".."ap9"
    duration: int
    objectives: tuple[str, ...]
    slides: tuple[Slide, ...]
    path: Path
    presenter: str = ""
    audience: str = ""
    prints: tuple[str, ...] = ()  # handout pages this module adds (HANDOUT_EXTRAS)

    @property
    def activities(self) -> tuple[Activity, ...]:
        return tuple(s.activity for s in self.slides if s.activity is not None)


@dataclass(frozen=True)
class AgendaItem:
    """One line of a session's agenda: a module, or a plain item such as lunch."""

    start: int  # minutes after midnight
    minutes: int
    title: str
    module: Module | None = None
    kind: str = "plenary"
    line: int = 0
    points: tuple[str, ...] = ()  # what a plain plenary item's slide says
    notes: str = ""  # and what the facilitator says

    @property
    def end(self) -> int:
        return self.start + self.minutes


@dataclass(frozen=True)
class LearningSession:
    session: str
    title: str
    start: int
    end: int
    agenda: tuple[AgendaItem, ...]
    date: str = ""
    venue: str = ""

    @property
    def day(self) -> str:
        """Its date as people read it: 'Tuesday 9 March 2027' (or as written, if not a date)."""
        return self.day_in("en")

    def day_in(self, lang: str) -> str:
        """Its date in a language: 'martes 9 de marzo de 2027'."""
        parsed = as_date(self.date) if self.date else None
        return long_date(parsed, lang) if parsed else self.date

    @property
    def slug(self) -> str:
        """File-name-safe name: prework, ls1, ap2."""
        return f"ls{self.session}" if self.session.isdigit() else self.session

    @property
    def modules(self) -> tuple[Module, ...]:
        return tuple(i.module for i in self.agenda if i.module is not None)

    @property
    def activities(self) -> tuple[Activity, ...]:
        return tuple(a for m in self.modules for a in m.activities)

    @property
    def worksheets(self) -> tuple[str, ...]:
        """The worksheets this session's team time uses, in order of first use."""
        seen: dict[str, None] = {}
        for a in self.activities:
            if a.worksheet:
                seen.setdefault(a.worksheet, None)
        return tuple(seen)


@dataclass(frozen=True)
class Phase:
    name: str
    length: str


@dataclass(frozen=True)
class ChangeIdea:
    """A change idea of the change package: what to try, who usually does it, a tool to use."""

    idea: str
    try_: str = ""
    who: str = ""
    tool: str = ""


@dataclass(frozen=True)
class SecondaryDriver:
    id: str
    text: str
    changes: tuple[str, ...]
    ideas: tuple[ChangeIdea, ...] = ()  # the same changes with their details, where written


@dataclass(frozen=True)
class PrimaryDriver:
    id: str
    text: str
    secondary: tuple[SecondaryDriver, ...]


@dataclass(frozen=True)
class DriverDiagram:
    aim: str
    primary: tuple[PrimaryDriver, ...]


@dataclass(frozen=True)
class Measure:
    family: str  # outcome, process, balancing
    name: str
    definition: str
    numerator: str = ""
    denominator: str = ""
    direction: str = "up"
    target: str = ""


@dataclass(frozen=True)
class TopicPack:
    name: str
    aim: str
    driver_diagram: DriverDiagram
    measures: tuple[Measure, ...]
    field: str = "clinic"  # whose examples the shared modules show: clinic or school


@dataclass(frozen=True)
class Curriculum:
    id: str
    title: str
    topic: str
    aim: str
    phases: tuple[Phase, ...]
    sessions: tuple[LearningSession, ...]
    modules: dict[str, Module] = field(default_factory=dict)
    topic_pack: TopicPack | None = None
    path: Path | None = None
    duration_months: int | None = None
    calendar: Calendar | None = None  # dates, phases and length, for `{{ ... }}` in modules

    def session(self, key: str) -> LearningSession:
        """The learning session named `key` (its session value or its slug)."""
        for s in self.sessions:
            if key in (s.session, s.slug):
                return s
        raise KeyError(key)


def session_label(session: str) -> str:
    """How a session value reads to people: 'Learning Session 2', 'Prework', 'Action-period call 1'."""
    if session == "prework":
        return "Prework"
    if session.isdigit():
        return f"Learning Session {session}"
    if session == "congress":
        return "Closing congress"
    if session == "any":
        return "any session"
    if session.startswith("ap"):
        return f"Action-period call {session[2:]}"
    return session


def session_heading(session: str, title: str) -> str:
    """'Learning Session 1: Getting started', without repeating a label the title already has."""
    label = session_label(session)
    return title if title.lower().startswith(label.lower()) else f"{label}: {title}"


def clock(minutes: int) -> str:
    """Minutes after midnight as HH:MM."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
