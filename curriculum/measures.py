"""A measure's data: the periods, the points, and the notes on them.

A measure keeps its data as text in its `data` field, one period per line, as people type it
in the room ("Jan 2027: 42", "2027-01: 35/80" for a numerator over a denominator). The
action period's monthly entry writes the same lines (`enter`), so there is one store, which
a team can also read and correct as text. Notes on points (the change or PDSA cycle tested
then) are kept in the measure's `annotations` field, as JSON keyed by period.

A line's label names its period where it can be read as one (a month: "2027-01", "Jan 2027",
"01/2027", "ene 2027"; an ISO week: "2027-W05"); a label that is not a period ("Baseline")
still charts, in the order written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from curriculum.problems import Invalid, Word

MAX_POINTS = 120
MAX_NOTE = 200
ENGLISH = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
SPANISH = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
MONTHS = {name: n for names in (ENGLISH, SPANISH) for n, name in enumerate(names, 1)}
NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True, order=True)
class Period:
    """A month (week 0) or an ISO week (month 0) of a year."""

    year: int
    month: int = 0
    week: int = 0

    @property
    def key(self) -> str:
        """How it is stored: 2027-01 for a month, 2027-W05 for a week."""
        return f"{self.year}-W{self.week:02d}" if self.week else f"{self.year}-{self.month:02d}"

    @property
    def label(self) -> str:
        """How a chart shows it: Jan 2027, or W5 2027."""
        return f"W{self.week} {self.year}" if self.week else f"{NAMES[self.month - 1]} {self.year}"

    @property
    def start(self) -> date:
        """Its first day."""
        return date.fromisocalendar(self.year, self.week, 1) if self.week else date(self.year, self.month, 1)


def parse_period(text: str) -> Period | None:
    """A period from a label as people write it, or None if it names none."""
    text = text.strip().lower().rstrip(".")
    found: Period | None = None
    if match := re.fullmatch(r"(\d{4})-?w(\d{1,2})", text):
        found = Period(int(match[1]), week=int(match[2]))
    elif match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        found = Period(int(match[1]), int(match[2]))
    elif match := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
        found = Period(int(match[2]), int(match[1]))
    elif match := re.fullmatch(r"([a-zé]{3,10})\.?[\s'-]*(\d{4}|\d{2})", text):
        month = MONTHS.get(match[1][:3])
        year = int(match[2]) + (2000 if len(match[2]) == 2 else 0)
        found = Period(year, month) if month else None
    if found is None or not 1990 <= found.year <= 2100:
        return None
    if found.week:
        weeks = date(found.year, 12, 28).isocalendar().week
        return found if 1 <= found.week <= weeks else None
    return found if 1 <= found.month <= 12 else None


@dataclass(frozen=True)
class Point:
    """One line of a measure's data."""

    label: str  # as written
    period: Period | None
    value: float  # the percentage for a numerator over a denominator, the ratio for a rate
    numerator: float | None = None
    denominator: float | None = None

    @property
    def key(self) -> str:
        """The period's key, or the label where it names no period."""
        return self.period.key if self.period else self.label

    @property
    def reading(self) -> str:
        """What its line says after the period: '42', or '30/80' for a numerator over a
        denominator (as `Entry.line` writes them)."""
        if self.numerator is not None and self.denominator is not None:
            return f"{_number_text(self.numerator)}/{_number_text(self.denominator)}"
        return _number_text(self.value)


_NUMBER = r"-?\d+(?:[.,]\d+)?"
_LINE = re.compile(rf"^\s*([^:=,\t]{{1,20}}?)\s*[:=,\t]\s*({_NUMBER})\s*(?:/\s*({_NUMBER}))?\s*%?\s*$")


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def parse_data(text: str, kind: str = "") -> list[Point]:
    """A measure's data lines as points; a line it cannot read is refused with its number.

    `kind` says what a numerator over a denominator means: a rate is their ratio, anything
    else a percentage."""
    points: list[Point] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if not match:
            raise Invalid(
                "line {line} of the data is not 'month: value' (such as 'Mar 2027: 42')", line=number
            )
        label = match[1].strip()
        if match[3] is None:
            point = Point(label, parse_period(label), _float(match[2]))
        else:
            top, bottom = _float(match[2]), _float(match[3])
            if bottom <= 0:
                raise Invalid(
                    "line {line} of the data divides by {bottom}: a denominator must be above 0",
                    line=number,
                    bottom=match[3],
                )
            ratio = top / bottom if kind == "rate" else 100 * top / bottom
            point = Point(label, parse_period(label), ratio, top, bottom)
        if point.key in seen:
            raise Invalid(
                "line {line} of the data repeats {period} (line {first})",
                line=number,
                period=label,
                first=seen[point.key],
            )
        seen[point.key] = number
        points.append(point)
    if len(points) > MAX_POINTS:
        raise Invalid("keep to {count} data points", "too_long", count=MAX_POINTS)
    return points


def _number_text(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else str(value)


# The inputs of an entry, as a refusal names them.
_INPUTS = {
    "numerator": Word("the numerator"),
    "denominator": Word("the denominator"),
    "value": Word("the value"),
}


def _typed(value: Any, what: str) -> float | None:
    """A number as typed ('42', '4,5') or sent (42), None if left empty; refused otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Invalid("{what} must be a number, such as 42", what=_INPUTS[what])
    try:
        number = _float(value.strip()) if isinstance(value, str) else float(value)
    except ValueError:
        raise Invalid("{what} must be a number, such as 42", what=_INPUTS[what]) from None
    if number != number or abs(number) > 1e12:  # NaN, or absurdly large
        raise Invalid("{what} must be a number, such as 42", what=_INPUTS[what])
    return number


class FieldInvalid(Invalid):
    """A refused entry, naming the input it is about (the phone shows the reason beside it)."""

    def __init__(self, message: str, field: str, **params: Any) -> None:
        super().__init__(message, "bad_value", **params)
        self.field = field


@dataclass(frozen=True)
class Entry:
    """One period's data as a team enters it: checked, and ready to write as a line."""

    period: Period
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None

    @property
    def line(self) -> str:
        """The data line it writes."""
        if self.value is not None:
            return f"{self.period.key}: {_number_text(self.value)}"
        return f"{self.period.key}: {_number_text(self.numerator or 0)}/{_number_text(self.denominator or 0)}"


def check_period(frequency: str, period: Any, today: date) -> Period:
    """The period an entry is for, as the measure counts (a month or a week), not yet to come."""
    if not isinstance(period, str) or not period.strip():
        raise FieldInvalid("choose the month the data are for", "period")
    found = parse_period(period[:20])
    if found is None:
        raise FieldInvalid(
            "give the period as a month, such as 2027-03, or a week, such as 2027-W10", "period"
        )
    if frequency == "weekly" and not found.week:
        raise FieldInvalid("this measure is weekly: give a week, such as 2027-W10", "period")
    if frequency == "monthly" and found.week:
        raise FieldInvalid("this measure is monthly: give a month, such as 2027-03", "period")
    if found.start > today:
        raise FieldInvalid("{period} has not begun yet", "period", period=found.label)
    return found


def check_entry(kind: str, period: Period, typed: dict[str, Any]) -> Entry:
    """A period's data as typed (`numerator` and `denominator`, or `value`), checked against
    what the measure is: each refusal names its input."""
    numerator, denominator, value = typed.get("numerator"), typed.get("denominator"), typed.get("value")
    if kind in ("proportion", "rate") or (not kind and numerator not in (None, "")):
        top = _checked(numerator, "numerator")
        bottom = _checked(denominator, "denominator")
        if top is None:
            raise FieldInvalid("give the numerator: how many met the definition", "numerator")
        if bottom is None:
            raise FieldInvalid("give the denominator: how many could have", "denominator")
        if bottom <= 0:
            raise FieldInvalid(
                "the denominator must be above 0 (with none eligible, leave the month empty)", "denominator"
            )
        if top < 0:
            raise FieldInvalid("the numerator cannot be below 0", "numerator")
        if kind != "rate" and top > bottom:
            raise FieldInvalid(
                "the numerator ({top}) cannot be larger than the denominator ({bottom})",
                "numerator",
                top=_number_text(top),
                bottom=_number_text(bottom),
            )
        return Entry(period, top, bottom)
    single = _checked(value, "value")
    if single is None:
        raise FieldInvalid("give the value for the period", "value")
    if kind == "count" and (single < 0 or single != int(single)):
        raise FieldInvalid("a count is a whole number, 0 or more", "value")
    return Entry(period, value=single)


def _checked(value: Any, what: str) -> float | None:
    try:
        return _typed(value, what)
    except Invalid as error:
        raise FieldInvalid(error.template, what, **error.params) from None


def enter(text: str, entry: Entry, kind: str = "") -> str:
    """The data text with the entry's period written (replacing that period's line if any)."""
    points = parse_data(text, kind)
    lines = [line for line in text.splitlines() if line.strip()]
    kept = [line for line, p in zip(lines, points, strict=True) if p.period != entry.period]
    periods = [p.period for p in points if p.period != entry.period]
    if len(kept) >= MAX_POINTS:
        raise Invalid("keep to {count} data points", "too_long", count=MAX_POINTS)
    # In period order where every line names one; after the others where some do not.
    at = sum(1 for p in periods if p is not None and p < entry.period) if all(periods) else len(kept)
    return "\n".join([*kept[:at], entry.line, *kept[at:]])


def remove(text: str, period: Period, kind: str = "") -> str:
    """The data text without the period's line."""
    points = parse_data(text, kind)
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join(line for line, p in zip(lines, points, strict=True) if p.period != period)


@dataclass(frozen=True)
class Note:
    """A note on a point: the PDSA cycle tested then (a workspace row id), and words."""

    cycle: int | None
    text: str


def parse_notes(text: str) -> dict[str, Note]:
    """The notes on a measure's points, by period key (refused if not what `format_notes` writes)."""
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except ValueError:
        raise Invalid("the notes on the chart must be a JSON object") from None
    if not isinstance(raw, dict) or len(raw) > MAX_POINTS:
        raise Invalid("the notes on the chart must be a JSON object of periods")
    notes: dict[str, Note] = {}
    for key, note in raw.items():
        period = parse_period(key) if isinstance(key, str) else None
        if period is None or period.key != key or not isinstance(note, dict):
            raise Invalid("'{period}' is not a period with a note", period=str(key)[:20])
        cycle, words = note.get("cycle"), note.get("text", "")
        if (cycle is not None and (isinstance(cycle, bool) or not isinstance(cycle, int))) or not isinstance(
            words, str
        ):
            raise Invalid("the note on {period} is not a cycle and a text", period=period.label)
        if len(words) > MAX_NOTE:
            raise Invalid("a note on the chart holds at most {limit} characters", "too_long", limit=MAX_NOTE)
        notes[key] = Note(cycle, words)
    return notes


def format_notes(notes: dict[str, Note]) -> str:
    """Notes as stored: JSON in period order ('' for none)."""
    if not notes:
        return ""
    ordered = sorted(notes.items())
    return json.dumps({k: {"cycle": n.cycle, "text": n.text} for k, n in ordered}, ensure_ascii=False)


@dataclass(frozen=True)
class Limits:
    """How a measure's control limits are computed, as the faculty set them: from a baseline
    frozen at a period (its limits extended forward), and new phases from the periods where a
    change has held (limits computed again from the phase's own points)."""

    freeze: str = ""  # the last period of the baseline ('' for none)
    phases: tuple[str, ...] = ()  # the first period of each new phase

    def indexes(self, points: list[Point]) -> tuple[int | None, list[int]]:
        """As a control chart takes them: how many points the first phase's limits use, and
        the index where each new phase starts."""
        keys = [p.key for p in points]
        breaks = sorted({keys.index(k) for k in self.phases if k in keys})
        freeze = keys.index(self.freeze) + 1 if self.freeze in keys else None
        return freeze, breaks


def parse_limits(text: str) -> Limits:
    """A measure's limits as stored: {"freeze": "2027-06", "phases": ["2027-09"]} ('' for none)."""
    if not text.strip():
        return Limits()
    try:
        raw = json.loads(text)
    except ValueError:
        raise Invalid("the control limits must be a JSON object") from None
    if not isinstance(raw, dict):
        raise Invalid("the control limits must be a JSON object")
    freeze, phases = raw.get("freeze") or "", raw.get("phases") or []
    if not isinstance(phases, list) or len(phases) > 12:
        raise Invalid("a chart has at most 12 phases")
    for key in [*([freeze] if freeze else []), *phases]:
        period = parse_period(key) if isinstance(key, str) else None
        if period is None or period.key != key:
            raise Invalid("'{period}' is not a period such as 2027-03", period=str(key)[:20])
    return Limits(freeze, tuple(sorted(set(phases))))


def format_limits(limits: Limits) -> str:
    """Limits as stored ('' for none)."""
    if not limits.freeze and not limits.phases:
        return ""
    return json.dumps({"freeze": limits.freeze or None, "phases": list(limits.phases)})
