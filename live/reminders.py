"""Reminders by e-mail: a commitment due tomorrow, to its owner; the month's report coming due,
to a team that has not sent it.

Only participants who gave an e-mail address when they joined get them, and only when the
faculty have configured an SMTP server (BSC_SMTP_HOST and the rest; docs/action-period.md).
With none, nothing is sent and the console says so.

Every server process checks every few minutes (and `bsc remind` once, for cron). Before it
sends, a process claims the reminder by inserting its key into `reminder_sent`, which is
unique: of two processes due to send the same reminder, one wins and the other skips it. If
sending fails, the claim is dropped and the next check tries again.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curriculum.worksheets import SUBMITTED
from exports.calendar import report_due
from exports.dashboard import previous_month
from live.db import Database
from live.models import LearningSession, Participant, ReminderSent, Team, WorkspaceField, WorkspaceItem

log = logging.getLogger(__name__)
REMIND_BEFORE = 2  # days before a report is due


@dataclass(frozen=True)
class Smtp:
    """The faculty's mail server."""

    host: str
    port: int = 25
    sender: str = "reminders@localhost"
    user: str = ""
    password: str = ""
    starttls: bool = False

    @classmethod
    def from_config(cls, config: Any) -> Smtp | None:
        """From the app's configuration (BSC_SMTP_*), or None where no server is set."""
        if not config.get("SMTP_HOST"):
            return None
        return cls(
            str(config["SMTP_HOST"]),
            int(config.get("SMTP_PORT") or 25),
            str(config.get("SMTP_FROM") or "reminders@localhost"),
            str(config.get("SMTP_USER") or ""),
            str(config.get("SMTP_PASSWORD") or ""),
            str(config.get("SMTP_STARTTLS") or "").lower() in ("1", "true", "yes"),
        )

    def describe(self) -> str:
        """Where reminders go out, for the console."""
        return f"{self.host}:{self.port}, from {self.sender}"


@dataclass(frozen=True)
class Reminder:
    """One e-mail to one person."""

    key: str  # what, for whom, which day: sent once
    to: str
    subject: str
    body: str


def _key(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def due_reminders(db: Session, today: date, public_url: str) -> Iterator[Reminder]:
    """Every reminder due today."""
    people: dict[int, list[Participant]] = {}
    for person in db.scalars(
        select(Participant)
        .where(Participant.removed.is_(False), Participant.email != "")
        .order_by(Participant.id)
    ):
        people.setdefault(person.team_id, []).append(person)
    if not people:
        return
    teams = {t.id: t for t in db.scalars(select(Team).where(Team.id.in_(people), Team.removed.is_(False)))}
    fields: dict[str, dict[str, str]] = {}
    for team_id, scope, name, value in db.execute(
        select(WorkspaceField.team_id, WorkspaceField.scope, WorkspaceField.name, WorkspaceField.value).where(
            WorkspaceField.team_id.in_(teams), WorkspaceField.scope != ""
        )
    ):
        fields.setdefault(f"{team_id}{scope}", {})[name] = value
    items = db.scalars(
        select(WorkspaceItem).where(
            WorkspaceItem.team_id.in_(teams),
            WorkspaceItem.deleted.is_(False),
            WorkspaceItem.kind.in_(("commitment", "report")),
        )
    )
    sent_months: dict[int, set[str]] = {}
    tomorrow = (today + timedelta(days=1)).isoformat()
    for item in items:
        row = fields.get(f"{item.team_id}i{item.id}", {})
        if item.kind == "report":
            if item.status == SUBMITTED:
                sent_months.setdefault(item.team_id, set()).add(row.get("month", ""))
            continue
        if row.get("due") != tomorrow or item.status == "done" or not row.get("what"):
            continue
        members = people[item.team_id]
        owner = row.get("owner", "").strip().lower()
        owners = [p for p in members if p.display_name.strip().lower() == owner] or members
        for person in {p.email.lower(): p for p in owners}.values():
            yield Reminder(
                _key("commitment", str(item.id), tomorrow, person.email.lower()),
                person.email,
                f"Due tomorrow: {row['what'][:80]}",
                f"Hello {person.display_name},\n\n{teams[item.team_id].name} committed to this, due "
                f"tomorrow ({tomorrow}):\n\n  {row['what']}\n\nYour team's workspace: "
                f"{public_url}/room/{_code(db, person)}\n",
            )

    month = previous_month(today)
    due = report_due(month)
    if (due - today).days != REMIND_BEFORE:
        return
    for team_id, members in people.items():
        if team_id not in teams or month in sent_months.get(team_id, set()):
            continue
        for person in {p.email.lower(): p for p in members if _in_action_period(db, p, today)}.values():
            yield Reminder(
                _key("report", str(team_id), month, person.email.lower()),
                person.email,
                f"{teams[team_id].name}: the report for {month} is due {due.isoformat()}",
                f"Hello {person.display_name},\n\n{teams[team_id].name}'s monthly report for {month} "
                f"is due on {due.strftime('%A %d %B')}: what you tested, what you learned, your "
                f"measures and your rating.\n\nWrite it in the Report tab: "
                f"{public_url}/room/{_code(db, person)}\n",
            )


def _code(db: Session, person: Participant) -> str:
    room = db.get(LearningSession, person.session_id)
    return room.join_code if room else ""


def _in_action_period(db: Session, person: Participant, today: date) -> bool:
    """Whether the person's learning session is over (its date has passed)."""
    room = db.get(LearningSession, person.session_id)
    return room is not None and bool(room.date) and room.date < today.isoformat()


def send_due(database: Database, smtp: Smtp | None, today: date, public_url: str) -> int:
    """Send every reminder due today that no process has sent; the number sent. With no SMTP
    server configured, nothing is sent."""
    if smtp is None:
        return 0
    with database.session() as db:
        due = list(due_reminders(db, today, public_url))
    sent = 0
    for reminder in due:
        with database.session() as db:
            db.add(ReminderSent(key=reminder.key))
            try:
                db.commit()
            except IntegrityError:
                db.rollback()
                continue  # another process has it
        try:
            _send(smtp, reminder)
            sent += 1
        except (OSError, smtplib.SMTPException) as error:
            log.warning("reminder to %s not sent (%s): tried again at the next check", reminder.to, error)
            with database.session() as db:
                db.execute(delete(ReminderSent).where(ReminderSent.key == reminder.key))
                db.commit()
    return sent


def _send(smtp: Smtp, reminder: Reminder) -> None:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = reminder.to
    message["Subject"] = reminder.subject
    message.set_content(reminder.body)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=15) as server:
        if smtp.starttls:
            server.starttls()
        if smtp.user:
            server.login(smtp.user, smtp.password)
        server.send_message(message)
