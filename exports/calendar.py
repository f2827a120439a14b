"""The team's commitments as an iCalendar file (RFC 5545): one all-day event per due date."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from exports.plans import TeamPlan


def _escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return out


REPORT_WORKING_DAY = 5  # a month's report is due by the fifth working day of the next month


def report_due(month: str) -> date:
    """The day a month's report (YYYY-MM) is due: the fifth working day (Monday to Friday) after it."""
    year, number = (int(p) for p in month.split("-"))
    day = date(year + (number == 12), 1 if number == 12 else number + 1, 1)
    working = 0
    while True:
        if day.weekday() < 5:
            working += 1
            if working == REPORT_WORKING_DAY:
                return day
        day += timedelta(days=1)


def _alarm(trigger: str, words: str) -> list[str]:
    """A reminder the calendar shows (RFC 5545 3.6.6): `trigger` before the event, such as -PT15H
    (9:00 the day before an all-day event)."""
    return [
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_escape(words)}",
        f"TRIGGER:{trigger}",
        "END:VALARM",
    ]


def _event(identity: str, stamp: str, day: date, title: str, description: str) -> list[str]:
    """An all-day event (its UID made from `identity`, so a new download updates it)."""
    uid = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}@bsc-learning-session-kit",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).strftime('%Y%m%d')}",
        f"SUMMARY:{_escape(title)}",
        f"DESCRIPTION:{_escape(description)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def commitments_ics(
    plan: TeamPlan, now: datetime | None = None, owner: str | None = None, report_months: tuple[str, ...] = ()
) -> bytes:
    """An .ics of the team's commitments that have a due date (others are left out), each with
    an alarm the day before. With `owner`, only that person's commitments (their own calendar),
    and the due dates of the team's monthly reports for `report_months`, each with an alarm
    two days before."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//BSC Learning Session Kit//Commitments//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(plan.team + ': commitments')}",
    ]
    sheet = plan.sheet("commitments")
    owner_label = sheet.sheet.field("owner").label
    for commitment in sheet.rows:
        what = commitment.get("what")
        if not what:
            continue
        if owner is not None and commitment.get("owner").strip().lower() != owner.strip().lower():
            continue
        try:
            due = date.fromisoformat(commitment.get("due"))
        except ValueError:
            continue
        who = f"{owner_label}: {commitment.get('owner')}"
        description = f"{who}\nTeam: {plan.team}\n{plan.collaborative} · {plan.session}"
        title = f"{sheet.sheet.tab}: {what}"
        lines += _event(f"{plan.team}|{what}|{commitment.get('due')}", stamp, due, title, description)
        lines[-1:-1] = _alarm("-PT15H", f"Due tomorrow: {what}")
    for month in report_months:
        title = f"{plan.team}: monthly report for {month} due"
        about = f"{plan.collaborative}: what you tested and learned, your measures and your rating"
        lines += _event(f"{plan.team}|report|{month}", stamp, report_due(month), title, about)
        lines[-1:-1] = _alarm("-P2DT15H", f"{title} in two days")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(part for line in lines for part in _fold(line)) + "\r\n").encode()
