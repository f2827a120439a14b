"""Worksheets, each defined once: the team workspace's sections and every field in them.

A worksheet has fields the team fills once (the aim statement) and, for some, rows it adds
as many of as it needs (measures, PDSA cycles, plan rows, commitments). Each field has its
name, label, hint, input kind, size limit and choices. From these definitions come the
checks of every edit in the room, the phone's workspace (sent to it as JSON), the take-home
plan, the gallery's storyboards, and the labels of the printed handout.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from curriculum.assessment import ASSESSMENT_SCALE
from curriculum.measures import parse_data, parse_limits, parse_notes, parse_period
from curriculum.problems import Invalid, Word
from curriculum.text import check_plain

SHORT, LONG = 200, 4000
# The roles on a team: the join form's choices and the team charter's rows (translated where
# shown; curriculum.i18n extracts them with the definitions).
ROLES = (
    "Senior leader",
    "Day-to-day lead",
    "Data lead",
    "Clinician or staff",
    "Family or student partner",
    "Other",
)
MAX_ROWS = 60
MAX_NOTE = 1000

# data: a measure's data lines; notes: the notes on its chart's points (JSON, drawn by the
# phone's data panel rather than as a field); month: YYYY-MM; feedback: written by the faculty
# only, read by the team.
# idea: a change idea of the driver diagram ("S1.2.3") or the team's own ("own:<text>");
# measures: a JSON list of the team's measure rows; limits: how a control chart's limits are
# computed (set by the faculty: curriculum.measures.parse_limits).
FACULTY_INPUTS = ("feedback", "limits")
Input = Literal[
    "limits",
    "text",
    "long",
    "choice",
    "date",
    "month",
    "member",
    "data",
    "notes",
    "drivers",
    "feedback",
    "idea",
    "measures",
]


@dataclass(frozen=True)
class Choice:
    """One of a field's allowed values, with the words people read for it."""

    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Field:
    """One field of a worksheet or of its rows."""

    name: str
    label: str
    input: Input = "text"
    hint: str = ""
    choices: tuple[Choice, ...] = ()

    @property
    def limit(self) -> int:
        """The most characters the field holds."""
        return SHORT if self.input in ("text", "choice", "date", "month", "member", "idea") else LONG

    @property
    def faculty(self) -> bool:
        """Written by the faculty only (a report's feedback, a chart's limits); the team reads it."""
        return self.input in FACULTY_INPUTS

    @property
    def on_paper(self) -> bool:
        """Printed for the team to fill in by hand: not a measure's data lines or their notes
        (plotted on the chart), nor what the faculty write."""
        return self.input not in ("data", "notes") and not self.faculty

    def choice_label(self, value: str) -> str:
        """The words for a stored choice ('' for none)."""
        return next((c.label for c in self.choices if c.value == value), value)


@dataclass(frozen=True)
class Rows:
    """The rows of a worksheet: their stored kind, what one is called, and their fields."""

    kind: str  # stored with each row: measure, pdsa, plan, commitment
    noun: str  # "Cycle" -> "Cycle 2", "Add a cycle"
    fields: tuple[Field, ...]
    carry_forward: bool = False  # at the next learning session, marked done, partly or not done


@dataclass(frozen=True)
class Worksheet:
    """A section of a team's workspace, and how it shows on each surface."""

    name: str
    title: str  # headings on the handout, the take-home plan, slides and the console
    tab: str  # the phone's short tab label
    fields: tuple[Field, ...] = ()
    rows: Rows | None = None
    # The take-home plan's layout: fields (a label/value grid), cards (a grid per row),
    # table (a row per row), measures (with run charts), drivers (the chosen change ideas).
    takehome: Literal["fields", "cards", "table", "measures", "drivers"] = "fields"
    headline: str = ""  # a field printed large above the others
    summary: tuple[str, ...] = ()  # what sums the sheet up in a line: its first filled field,
    #                                or for rows, that field of every row
    gallery: Literal["summary", "fields", "charts", ""] = ""  # how a storyboard shows it
    gallery_label: str = ""
    recap: tuple[str, ...] = ()  # other worksheets summed up above this one's fields
    # Only for the sessions that use it (a phone shows its tab, a take-home plan prints it,
    # where the session's team time uses it or the team has written in it).
    optional: bool = False
    # Also shown once the learning session's day has passed: the action period's work.
    after_session: bool = False

    @property
    def all_fields(self) -> tuple[Field, ...]:
        """The team-wide fields, then the fields of a row."""
        return self.fields + (self.rows.fields if self.rows else ())

    def field(self, name: str) -> Field:
        """One of its fields (team-wide or of a row) by name."""
        for found in self.all_fields:
            if found.name == name:
                return found
        raise KeyError(name)


FAMILIES = (
    Choice("outcome", "Outcome", "is the system getting better for the people it serves?"),
    Choice("process", "Process", "are the changes happening as planned?"),
    Choice("balancing", "Balancing", "has anything else got worse?"),
)
DIRECTIONS = (Choice("up", "Higher is better"), Choice("down", "Lower is better"))
# What a measure counts decides how its data are entered and which control chart it gets
# (exports/controlcharts.py): p-chart, u-chart, c-chart or XmR.
KINDS = (
    Choice(
        "proportion",
        "Percentage",
        "a numerator out of a denominator, such as screens done of eligible visits",
    ),
    Choice("rate", "Rate", "a count per unit of opportunity, such as days missed per 100 days enrolled"),
    Choice("count", "Count", "how many in the period, with the same opportunity each time"),
    Choice("continuous", "Measurement", "a value such as days from referral to a first appointment"),
)
FREQUENCIES = (Choice("monthly", "Monthly"), Choice("weekly", "Weekly"))
# As IHI's PDSA worksheet defines them (the deck's PDSA module says the same).
ACT = (
    Choice("adopt", "Adopt", "implement it on a larger scale, with a plan to sustain it"),
    Choice("adapt", "Adapt", "improve the change and keep testing"),
    Choice("abandon", "Abandon", "discard it and try a different idea"),
)
CARRIED = (Choice("done", "Done"), Choice("partly", "Partly"), Choice("not-done", "Not done"))
RATINGS = tuple(Choice(p.score, p.name, p.description) for p in ASSESSMENT_SCALE)
SUBMITTED = "submitted"  # a monthly report's row status once the team has sent it

_sheets = (
    Worksheet(
        "aim",
        "Aim statement",
        "Aim",
        fields=(
            Field("aim_what", "What will we improve?", "long", "the process or result"),
            Field("aim_for_whom", "For whom?", hint="which people, in which setting"),
            Field("aim_how_much", "How much?", hint="a number: from what, to what"),
            Field("aim_by_when", "By when?", hint="a date"),
            Field("aim_baseline", "Baseline", hint="where we are now: the data and their date"),
            Field("aim_target", "Target", hint="where we will be"),
            Field(
                "aim_statement", "Our aim statement", "long", "By [when], [how much] for [whom] in [what]."
            ),
        ),
        headline="aim_statement",
        summary=("aim_statement", "aim_what"),
        gallery="summary",
        gallery_label="Aim",
    ),
    Worksheet(
        "measures",
        "Family of measures",
        "Measures",
        rows=Rows(
            "measure",
            "Measure",
            (
                Field("family", "Family", "choice", "outcome, process or balancing", FAMILIES),
                Field("name", "Measure", hint="a short name, as on the chart"),
                Field("definition", "Operational definition", "long", "what is measured, in a sentence"),
                Field("kind", "Kind of measure", "choice", "how its data are counted", KINDS),
                Field("numerator", "Numerator", hint="what is counted"),
                Field("denominator", "Denominator", hint="out of what (for a percentage or a rate)"),
                Field("inclusions", "Inclusions and exclusions", "long", "who or what is in, and who is out"),
                Field("source", "Data source", hint="where the data come from, and who collects them"),
                Field("frequency", "How often", "choice", "how often a point is added", FREQUENCIES),
                Field("direction", "Which way is better?", "choice", choices=DIRECTIONS),
                Field("baseline", "Baseline", hint="the value before the changes"),
                Field(
                    "baseline_period",
                    "Baseline period",
                    hint="the months before the changes, such as Oct-Dec 2026",
                ),
                Field("target", "Goal", hint="the value the aim asks for"),
                Field(
                    "data",
                    "Data",
                    "data",
                    "one period per line: 2027-01: 35/80 (numerator/denominator) or Jan 2027: 42",
                ),
                Field("annotations", "Notes on the chart", "notes"),
                Field("limits", "Control limits", "limits"),
            ),
        ),
        takehome="measures",
        summary=("name",),
        gallery="charts",
        gallery_label="Measures",
    ),
    Worksheet(
        "driver-diagram",
        "Driver diagram",
        "Drivers",
        fields=(
            Field("drivers_chosen", "Change ideas from the collaborative's driver diagram", "drivers"),
            Field("drivers_own", "Our own change ideas", "long", "one per line"),
        ),
        takehome="drivers",
    ),
    # Learning Session 2's process mapping (the module ls2-process-mapping): the team's process
    # as it is today, a row per step, with where it goes wrong and what the team could test.
    Worksheet(
        "process-map",
        "Process map",
        "Map",
        rows=Rows(
            "step",
            "Step",
            (
                Field("step", "Step", hint="what happens, in the order it happens"),
                Field("who", "Who", hint="the person or role that does it"),
                Field("wait", "Wait or hand-off", hint="time lost before the next step, or a hand-over"),
                Field(
                    "problem",
                    "What goes wrong",
                    "long",
                    "where people or information are lost, repeated or delayed",
                ),
                Field("idea", "Change idea to test", "long", "what the team could try at this step"),
            ),
        ),
        takehome="table",
        summary=("step",),
        optional=True,
    ),
    Worksheet(
        "pdsa",
        "PDSA worksheet",
        "PDSA",
        rows=Rows(
            "pdsa",
            "Cycle",
            (
                Field("test", "Test of change", "long", "what change, tried on how small a scale?"),
                Field("question", "Question this test answers", "long", "what do we want to learn from it?"),
                Field("cycle", "Cycle number"),
                Field(
                    "change_idea",
                    "Change idea it tests",
                    "idea",
                    "from the driver diagram, or one of our own",
                ),
                Field("driver", "Driver it serves"),
                Field("moves", "Measures it should move", "measures"),
                Field("tasks", "Plan: tasks", "long", "what needs to happen to run the test"),
                Field("who", "Who", hint="runs the test"),
                Field("when", "When"),
                Field("where", "Where"),
                Field("prediction", "Prediction", "long", "what do we expect to happen?"),
                Field("measures", "Measures", "long", "what will show whether it worked?"),
                Field(
                    "data_plan", "Data plan", "long", "who collects the data, numerator and denominator, when"
                ),
                Field("do", "Do: what happened?", "long", "what did we observe, what surprised us?"),
                Field("study", "Study: results against the prediction", "long", "what did we learn?"),
                Field("act", "Act", "choice", "adopt, adapt or abandon", ACT),
                Field("next_cycle", "Next cycle", "long", "bigger, other conditions, more people?"),
            ),
            carry_forward=True,
        ),
        takehome="cards",
        summary=("test",),
        gallery="summary",
        gallery_label="Tested",
    ),
    Worksheet(
        "action-plan",
        "Action-period plan",
        "Plan",
        rows=Rows(
            "plan",
            "Row",
            (
                Field("driver", "Driver"),
                Field("change", "Change to test"),
                Field("preparation", "Preparation tasks", "long"),
                Field("measure", "Measure"),
                Field("who", "Who"),
                Field("when", "When"),
                Field("follow_up", "Follow-up", "long"),
            ),
        ),
        takehome="table",
    ),
    Worksheet(
        "commitments",
        "By next Tuesday: commitments",
        "By next Tuesday",
        rows=Rows(
            "commitment",
            "Commitment",
            (
                Field("what", "What we will do", "long", "a small, concrete step"),
                Field("owner", "Owner", "member"),
                Field("due", "Due date", "date"),
            ),
            carry_forward=True,
        ),
        takehome="table",
        summary=("what",),
    ),
    Worksheet(
        "sustain-plan",
        "Sustain plan",
        "Sustain",
        rows=Rows(
            "sustain",
            "Change",
            (
                Field("change", "Change to sustain"),
                Field(
                    "standard",
                    "Standard work",
                    "long",
                    "what is done every time, and where it is written down",
                ),
                Field("owner", "Process owner", hint="who keeps it going after the collaborative"),
                Field(
                    "hardwired",
                    "How it is built in",
                    "long",
                    "templates, job descriptions, training, the record",
                ),
                Field("measure", "Measure to watch"),
                Field("review", "Reviewed", hint="how often, and where"),
                Field("trigger", "If it slips", "long", "the level that calls for action, and the action"),
            ),
        ),
        takehome="table",
        summary=("change",),
        optional=True,
    ),
    Worksheet(
        "spread-plan",
        "Spread plan",
        "Spread",
        rows=Rows(
            "spread",
            "Change",
            (
                Field("change", "Change to spread"),
                Field("where", "Where next", hint="units, sites or groups, in order"),
                Field("messenger", "Messenger", hint="someone the adopters trust"),
                Field("how", "How it spreads", "long", "what to share, training, tools, support"),
                Field("measure", "Measure of spread", hint="how many units use it, and how well"),
                Field("when", "When"),
            ),
        ),
        takehome="table",
        summary=("change",),
        optional=True,
    ),
    Worksheet(
        "monthly-report",
        "Monthly report",
        "Report",
        rows=Rows(
            "report",
            "Report",
            (
                Field("month", "Month", "month", "the month it reports on"),
                Field("tested", "What we tested", "long", "the month's PDSA cycles and what each showed"),
                Field("learned", "What we learned", "long", "what the data and the tests taught us"),
                Field(
                    "rating", "Our rating on the assessment scale", "choice", "where the team is now", RATINGS
                ),
                Field("barriers", "Barriers", "long", "what is in the way"),
                Field("help", "Help wanted", "long", "from the faculty or from other teams"),
                Field("feedback", "Faculty feedback", "feedback"),
            ),
        ),
        takehome="cards",
        summary=("month",),
        optional=True,
        after_session=True,
    ),
    Worksheet(
        "storyboard",
        "Storyboard",
        "Storyboard",
        fields=(
            Field("story_changes", "Changes tested", "long", "and how many PDSA cycles"),
            Field("story_results", "Results", "long", "what the data show"),
            Field("story_lessons", "Lessons learned", "long", "what surprised you"),
            Field("story_next", "Next steps", "long", "who, what, by when"),
        ),
        gallery="fields",
        recap=("aim", "measures"),
    ),
)

WORKSHEETS: dict[str, Worksheet] = {sheet.name: sheet for sheet in _sheets}
ROW_KINDS: dict[str, Worksheet] = {s.rows.kind: s for s in _sheets if s.rows is not None}
TEAM_FIELDS: dict[str, Field] = {f.name: f for s in _sheets for f in s.fields}


def worksheet(name: str) -> Worksheet:
    """A worksheet by name (KeyError if there is none)."""
    return WORKSHEETS[name]


def row_field(kind: str, name: str) -> Field:
    """A field of a row kind, or refuse it."""
    sheet = ROW_KINDS.get(kind)
    if sheet is None or sheet.rows is None:
        raise Invalid("'{kind}' is not a kind of row", "bad_payload", kind=kind)
    for found in sheet.rows.fields:
        if found.name == name:
            return found
    raise Invalid("'{name}' is not a field of a {kind}", "bad_payload", name=name, kind=kind)


def team_field(name: str) -> Field:
    """A team-wide field, or refuse it."""
    found = TEAM_FIELDS.get(name)
    if found is None:
        raise Invalid("'{name}' is not a field of the workspace", "bad_payload", name=name)
    return found


def check_value(field: Field, value: Any) -> str:
    """A field's new text, checked against its definition: size, choices, dates, data lines."""
    if not isinstance(value, str):
        raise Invalid("'value' must be text", "bad_payload")
    if len(value) > field.limit:
        raise Invalid("that is longer than {limit} characters", "too_long", limit=field.limit)
    text = check_plain(value.replace("\r\n", "\n"), Word(field.label)).strip()
    if not text:
        return text
    if field.input == "choice" and text not in {c.value for c in field.choices}:
        raise Invalid("choose one of: {choices}", choices=", ".join(c.value for c in field.choices))
    if field.input == "month":
        period = parse_period(text)
        if period is None or period.week:
            raise Invalid("give '{what}' as a month, such as 2027-03", what=Word(field.label))
        text = period.key
    if field.input == "date":
        try:
            date.fromisoformat(text)
        except ValueError:
            raise Invalid("give '{what}' as a date, such as 2027-03-16", what=Word(field.label)) from None
    if field.input == "data":
        parse_data(text)  # refuses what it cannot read
    if field.input == "notes":
        parse_notes(text)
    if field.input == "limits":
        parse_limits(text)
    if field.input == "drivers":
        chosen_ids(text)  # refuses what is not a list of ids
    if field.input == "measures":
        row_ids(text)
    return text


def chosen_ids(text: str) -> list[str]:
    """The change ideas a team chose from the driver diagram: a JSON list of ids such as 'S1.2'."""
    if not text.strip():
        return []
    try:
        chosen = json.loads(text)
    except ValueError:
        raise Invalid("the chosen drivers must be a list of ids") from None
    if not isinstance(chosen, list) or not all(isinstance(c, str) and len(c) <= 40 for c in chosen):
        raise Invalid("the chosen drivers must be a list of ids")
    return chosen


def row_ids(text: str) -> list[int]:
    """Rows of the team's workspace a field points to: a JSON list of their ids."""
    if not text.strip():
        return []
    try:
        found = json.loads(text)
    except ValueError:
        raise Invalid("the measures must be a list of the team's measures") from None
    if (
        not isinstance(found, list)
        or len(found) > MAX_ROWS
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in found)
    ):
        raise Invalid("the measures must be a list of the team's measures")
    return found


def number(text: str) -> float | None:
    """A typed value such as '42', '42%' or '4,5' as a number, or None."""
    try:
        return float(text.replace("%", "").replace(",", ".").strip())
    except ValueError:
        return None


def described(
    sheets: tuple[Worksheet, ...] | None = None, carried: tuple[Choice, ...] | None = None
) -> dict[str, Any]:
    """Every worksheet and the words for a carried-forward row's status, as plain data: the phone
    draws the workspace from this, and keeps no labels or limits of its own. Give `sheets` and
    `carried` in another language (curriculum.i18n.localized_definitions) for a phone in it."""

    def field(f: Field) -> dict[str, Any]:
        return {**asdict(f), "limit": f.limit, "faculty": f.faculty}

    sheets_data = [
        {
            **asdict(s),
            "fields": [field(f) for f in s.fields],
            "rows": None
            if s.rows is None
            else {**asdict(s.rows), "fields": [field(f) for f in s.rows.fields]},
        }
        for s in (sheets if sheets is not None else _sheets)
    ]
    return {"sheets": sheets_data, "carried": [asdict(c) for c in (carried or CARRIED)]}
