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


def commitments_ics(plan: TeamPlan, now: datetime | None = None) -> bytes:
    """An .ics of the team's commitments that have a due date (others are left out)."""
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
    owner = sheet.sheet.field("owner").label
    for commitment in sheet.rows:
        what = commitment.get("what")
        if not what:
            continue
        try:
            due = date.fromisoformat(commitment.get("due"))
        except ValueError:
            continue
        uid = hashlib.sha256(f"{plan.team}|{what}|{commitment.get('due')}".encode()).hexdigest()[:32]
        description = (
            f"{owner}: {commitment.get('owner')}\nTeam: {plan.team}\n{plan.collaborative} · {plan.session}"
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@bsc-learning-session-kit",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{due.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(due + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{_escape(f'{sheet.sheet.tab}: {what}')}",
            f"DESCRIPTION:{_escape(description)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(part for line in lines for part in _fold(line)) + "\r\n").encode()
