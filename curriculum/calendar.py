"""The collaborative's calendar, written once in the manifest.

Slides and handouts quote dates, weekdays and lengths ("by next Tuesday", "Action Period 1
lasts 3 months"); a module writes them as `{{ ... }}` and they are computed from its
session's date and the manifest's phases, so the deck, the handout and the manifest cannot
disagree. `bsc validate` checks the calendar itself (`check_calendar`) and every date still
typed by hand (`check_dates`).

What a module may write between `{{` and `}}`:

    next tuesday        the first Tuesday after the session: "Tuesday 16 March" (any weekday)
    day +2              the session's date plus 2 days, with its weekday: "Thursday 11 March"
    date +2             the same without the weekday: "11 March"
    month +3            the month three months after the session's: "June 2027"
    session date        the session's own date: "Tuesday 9 March 2027"
    session 2 date      another session's date (prework, 1, 2, 3, congress)
    phase Action Period 1   a phase's length from the manifest: "3 months"
    duration            the collaborative's length: "15 months"
    end                 the month it ends: "June 2028"
    topic primary 1     words of the collaborative's topic pack, for examples from its own field:
                        topic aim, topic primary 2, topic secondary 2.1, topic change 2.1.3,
                        topic measure process 1 (a measure's name; also definition, numerator,
                        denominator); after a '|', what a module read on its own shows instead
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from babel.dates import format_date

from curriculum.problems import Problems

WEEKDAYS = tuple(_calendar.day_name)  # Monday first, as date.weekday() counts
MONTHS = tuple(_calendar.month_name)[1:]
DAYS_PER_MONTH = 365.25 / 12
TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_OFFSET = r"([+-]\s*\d{1,4})"

_WEEKDAY = "|".join(WEEKDAYS)
_MONTH = "|".join(MONTHS)
# "Tuesday 11 March", "Tuesday, 11 March 2027", "Tuesday, March 11, 2027"
_WEEKDAY_DATE = re.compile(
    rf"\b({_WEEKDAY}),?\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})|({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?)"
    rf"(?:,?\s+(\d{{4}}))?\b"
)
# "June 2028", "11 March 2027"
_MONTH_YEAR = re.compile(rf"\b({_MONTH})\s+(\d{{4}})\b")


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


# How dates read in each language (CLDR patterns for babel.dates): day and month,
# with the weekday, in full, and month and year.
DATE_PATTERNS = {
    "en": ("d MMMM", "EEEE d MMMM", "EEEE d MMMM y", "MMMM y"),
    "es": ("d 'de' MMMM", "EEEE d 'de' MMMM", "EEEE d 'de' MMMM 'de' y", "MMMM 'de' y"),
}
# A phase's length: the unit's singular and plural in each language.
UNITS = {
    "en": {"months": ("month", "months"), "weeks": ("week", "weeks"), "days": ("day", "days")},
    "es": {"months": ("mes", "meses"), "weeks": ("semana", "semanas"), "days": ("día", "días")},
}


def _date(day: date, which: int, lang: str) -> str:
    return format_date(day, DATE_PATTERNS.get(lang, DATE_PATTERNS["en"])[which], locale=lang)


def day_month(day: date, lang: str = "en") -> str:
    return _date(day, 0, lang)


def weekday_day_month(day: date, lang: str = "en") -> str:
    return _date(day, 1, lang)


def long_date(day: date, lang: str = "en") -> str:
    """'Tuesday 9 March 2027', 'martes 9 de marzo de 2027'."""
    return _date(day, 2, lang)


def month_year(day: date, lang: str = "en") -> str:
    return _date(day, 3, lang)


def length_words(count: int, unit: str, lang: str = "en") -> str:
    """'3 months', '1 day', '3 meses'."""
    one, many = UNITS.get(lang, UNITS["en"])[unit]
    return f"{count} {one if count == 1 else many}"


def as_date(value: object) -> date | None:
    """A manifest's date (YAML reads 2027-03-09 as a date; quoted, it is text)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class PhaseSpan:
    """A phase of the collaborative with its length in days (a month counts 365.25/12 days)."""

    name: str
    length: str  # as people read it: "3 months"
    days: float
    line: int = 0
    count: int = 0
    unit: str = "months"

    def words(self, lang: str = "en") -> str:
        return length_words(self.count, self.unit, lang) if self.count else self.length


@dataclass(frozen=True)
class Calendar:
    """What a curriculum's manifest says about time: when each session is, the phases, the length."""

    sessions: Mapping[str, date] = field(default_factory=dict)
    phases: tuple[PhaseSpan, ...] = ()
    months: int | None = None
    # Words of the topic pack a module may quote as an example: "primary 1", "change 1.1.1",
    # "measure process 2", "aim" (see curriculum.manifest.topic_words).
    topic: Mapping[str, str] = field(default_factory=dict)
    lang: str = "en"  # the language dates are written in

    @property
    def start(self) -> date | None:
        """Where the phases begin: the earliest session's date, less the phases before its own."""
        if not self.sessions:
            return None
        key, first = min(self.sessions.items(), key=lambda kv: kv[1])
        before = 0.0
        for phase in self.phases:
            if phase_session(phase.name) == key:
                return first - timedelta(days=round(before))
            before += phase.days
        return first

    def offsets(self) -> list[tuple[PhaseSpan, float]]:
        """Each phase with the days from the start to its beginning."""
        out, before = [], 0.0
        for phase in self.phases:
            out.append((phase, before))
            before += phase.days
        return out

    @property
    def end(self) -> date | None:
        """The last day of the collaborative: its start plus its length in months."""
        if self.start is None or self.months is None:
            return None
        return add_months(self.start, self.months) - timedelta(days=1)

    def phase(self, name: str) -> PhaseSpan | None:
        wanted = name.strip().lower()
        return next((p for p in self.phases if p.name.lower() == wanted), None)


def phase_session(name: str) -> str | None:
    """The session a phase holds, by the phase's name: 'Learning Session 2' holds session 2."""
    lowered = name.strip().lower()
    if "congress" in lowered:
        return "congress"
    if lowered.startswith("prework"):
        return "prework"
    found = re.fullmatch(r"learning session (\d)", lowered)
    return found.group(1) if found else None


class TokenError(ValueError):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def resolve(expression: str, session: str, calendar: Calendar | None) -> str:
    """What `{{ expression }}` reads as in a module of `session`; TokenError if it means nothing.

    Without a calendar (a module read on its own) the words stand in for the date.
    """
    words = " ".join(expression.lower().split())
    today = calendar.sessions.get(session) if calendar else None
    lang = calendar.lang if calendar else "en"
    if match := re.fullmatch(rf"next ({_WEEKDAY.lower()})", words):
        weekday = WEEKDAYS.index(match.group(1).capitalize())
        if today is None:
            return f"next {WEEKDAYS[weekday]}"
        ahead = (weekday - today.weekday() - 1) % 7 + 1
        return weekday_day_month(today + timedelta(days=ahead), lang)
    if match := re.fullmatch(rf"(day|date|month) {_OFFSET}", words):
        unit, offset = match.group(1), int(match.group(2).replace(" ", ""))
        if today is None:
            units = "months" if unit == "month" else "days"
            return f"{abs(offset)} {units} {'later' if offset >= 0 else 'earlier'}"
        if unit == "month":
            return month_year(add_months(today, offset), lang)
        moved = today + timedelta(days=offset)
        return weekday_day_month(moved, lang) if unit == "day" else day_month(moved, lang)
    if match := re.fullmatch(r"session(?: (prework|congress|[123]))? date", words):
        key = match.group(1) or session
        if calendar is None:
            return "the session's date"
        if key not in calendar.sessions:
            raise TokenError(
                f"'{{{{{expression}}}}}': the manifest has no session '{key}' with a date", "add it"
            )
        return long_date(calendar.sessions[key], lang)
    if match := re.fullmatch(r"phase (.+)", words):
        if calendar is None:
            return "(its length)"
        found = calendar.phase(match.group(1))
        if found is None:
            names = ", ".join(p.name for p in calendar.phases)
            raise TokenError(f"'{{{{{expression}}}}}': no phase of that name", f"the phases are: {names}")
        return found.words(lang)
    if words.startswith("topic "):
        name, _, fallback = (x.strip() for x in words[len("topic ") :].partition("|"))
        if calendar is None or (fallback and name not in calendar.topic):
            return fallback or f"(the collaborative's {name})"
        if name not in calendar.topic:
            raise TokenError(
                f"'{{{{{expression}}}}}': the topic pack has no {name}",
                "write topic aim, topic primary 1, topic secondary 1.1, topic change 1.1.1 "
                "or topic measure process 1",
            )
        return calendar.topic[name]
    if words == "duration":
        if calendar is None or calendar.months is None:
            return "the collaborative's length"
        return length_words(calendar.months, "months", lang)
    if words == "end":
        if calendar is None or calendar.end is None:
            return "its end"
        return month_year(calendar.end, lang)
    raise TokenError(
        f"'{{{{{expression}}}}}' is not a date this kit computes",
        "write next tuesday, day +2, date +2, month +3, session date, phase NAME, duration or end",
    )


_FIELD_OPEN = re.compile(r"^:::\s*field\s+([a-z]+)\s*$")


def choose_field(
    lines: list[str], first: int, field: str | None, path: Path, problems: Problems
) -> list[str]:
    """Keep the `::: field NAME` ... `:::` passages written for this collaborative's field.

    A module shared by a clinical and a school collaborative writes an example twice, once
    for each field; a module read on its own keeps the first. Lines dropped stay as blank
    lines, so every later line keeps its number.
    """
    out: list[str] = []
    inside: str | None = None
    nested = 0  # a ::: notes block inside a passage
    kept_one = False
    opened_at = 0
    for number, line in enumerate(lines, start=first):
        stripped = line.strip()
        opened = _FIELD_OPEN.match(stripped)
        if inside is None and opened:
            inside, opened_at = opened.group(1), number
            out.append("")
            continue
        if inside is not None and stripped.startswith(":::") and stripped != ":::":
            nested += 1
        elif inside is not None and stripped == ":::" and nested:
            nested -= 1
        elif inside is not None and stripped == ":::":
            kept_one = kept_one or inside == (field or inside)
            inside = None
            out.append("")
            continue
        if inside is None:
            if stripped:
                kept_one = False  # the next passages are another choice
            out.append(line)
        elif field is None:
            out.append("" if kept_one else line)
        else:
            out.append(line if inside == field else "")
    if inside is not None:
        problems.add(
            path, opened_at, f"the '::: field {inside}' passage is never closed", "close it with ':::'"
        )
    return out


def fill(
    lines: list[str], first: int, session: str, calendar: Calendar | None, path: Path, problems: Problems
) -> list[str]:
    """`lines` (the first is file line `first`) with every `{{ ... }}` computed."""
    out = []
    for number, line in enumerate(lines, start=first):
        if "{{" not in line:
            out.append(line)
            continue

        def computed(match: re.Match[str], number: int = number) -> str:
            try:
                return resolve(match.group(1), session, calendar)
            except TokenError as error:
                problems.add(path, number, str(error), error.hint)
                return match.group(0)

        out.append(TOKEN.sub(computed, line))
    return out


def _nearest_year(day: int, month: int, near: date) -> int:
    """The year that puts day/month closest to `near` (a date written without its year)."""
    best = near.year
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            if abs((date(year, month, day) - near).days) < abs((date(best, month, day) - near).days):
                best = year
        except ValueError:
            continue
    return best


def check_dates(
    lines: Iterable[tuple[int, str]],
    path: Path,
    problems: Problems,
    near: date | None = None,
    calendar: Calendar | None = None,
) -> None:
    """Dates typed by hand: a weekday that is not the date's, a date outside the collaborative.

    A date without a year is taken in the year closest to `near` (the session's date).
    """
    start, end = (calendar.start, calendar.end) if calendar else (None, None)
    for number, line in lines:
        if calendar is not None and calendar.lang != "en":
            continue  # the weekday check reads English dates; a translation's are computed
        for match in _WEEKDAY_DATE.finditer(line):
            weekday, day = match.group(1), match.group(2) or match.group(5)
            month = match.group(3) or match.group(4)
            month_number = MONTHS.index(month) + 1
            if match.group(6):
                year = int(match.group(6))
            elif near is not None:
                year = _nearest_year(int(day), month_number, near)
            else:
                continue
            try:
                written = date(year, month_number, int(day))
            except ValueError:
                problems.add(path, number, f"'{match.group(0)}' is not a date", "check the day of the month")
                continue
            if WEEKDAYS[written.weekday()] != weekday:
                problems.add(
                    path,
                    number,
                    f"'{match.group(0)}': {day_month(written)} {year} is a {WEEKDAYS[written.weekday()]}",
                    "write {{ day +N }} or {{ next tuesday }} to compute it from the session's date",
                )
        if start is None or end is None:
            continue
        for match in _MONTH_YEAR.finditer(line):
            month_number, year = MONTHS.index(match.group(1)) + 1, int(match.group(2))
            first = date(year, month_number, 1)
            if first > end or date(year, month_number, _calendar.monthrange(year, month_number)[1]) < start:
                problems.add(
                    path,
                    number,
                    f"'{match.group(0)}' falls outside the collaborative "
                    f"({month_year(start)} to {month_year(end)})",
                    "move the date inside it, or lengthen 'duration_months'",
                )
