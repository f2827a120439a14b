"""Reminders: each participant's own calendar with alarms, and e-mail through the faculty's SMTP
server, sent once even when two processes check at the same moment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from exports.calendar import report_due
from live.protocol import ADD_ITEM

from .helpers import Server, connect, edit, free_port


def _unfold(body: str) -> list[str]:
    lines: list[str] = []
    for line in body.split("\r\n"):
        if line.startswith(" ") and lines:
            lines[-1] += line[1:]
        elif line:
            lines.append(line)
    return lines


def _events(body: str) -> list[dict[str, Any]]:
    """Each VEVENT's properties (outside its alarms), and how many alarms it has."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    in_alarm = False
    for line in _unfold(body):
        if line == "BEGIN:VEVENT":
            current = {"alarms": 0}
        elif line == "BEGIN:VALARM" and current is not None:
            current["alarms"] += 1
            in_alarm = True
        elif line == "END:VALARM":
            in_alarm = False
        elif line == "END:VEVENT" and current is not None:
            events.append(current)
            current = None
        elif current is not None and not in_alarm:
            name, _, value = line.partition(":")
            current[name] = value
    return events


def test_report_due_is_the_fifth_working_day_of_the_next_month() -> None:
    assert report_due("2027-03") == date(2027, 4, 7)  # 1 April 2027 is a Thursday
    assert report_due("2026-12") == date(2027, 1, 7)


def _commitment(phone: Any, client: str, what: str, owner: str, due: str) -> None:
    row = phone.emit(ADD_ITEM, {"client_id": f"add-{client}", "kind": "commitment"}, callback=True)["item"][
        "id"
    ]
    for n, (name, value) in enumerate((("what", what), ("owner", owner), ("due", due))):
        assert edit(phone, name, value, 0, f"edit-{client}-{n}", item_id=row)["ok"]


def test_a_participants_own_calendar_has_their_commitments_and_report_dates_with_alarms(
    app: Any, join_phone: Any, room: dict[str, Any]
) -> None:
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    cy = connect(app, join_phone("Riverside Clinic", "Cy"), room["code"])
    _commitment(ana, "c-ana-01", "Call three families", "Ana", "2027-03-16")
    _commitment(cy, "c-cy-001", "Print the script", "Cy", "2027-03-17")
    reply = ana.flask_test_client.get(f"/room/{room['code']}/my-calendar.ics")
    assert reply.mimetype == "text/calendar"
    events = _events(reply.get_data(as_text=True))
    summaries = [e["SUMMARY"] for e in events]
    assert any("Call three families" in s for s in summaries), summaries
    assert not any("Print the script" in s for s in summaries)  # Cy's, not Ana's
    assert all(e["alarms"] == 1 for e in events)
    reports = [e for e in events if "monthly report for" in e["SUMMARY"]]
    assert reports, summaries
    first = next(e for e in reports if "2027-03" in e["SUMMARY"])
    assert first["DTSTART;VALUE=DATE"] == "20270407"
    team = ana.flask_test_client.get(f"/room/{room['code']}/commitments.ics").get_data(as_text=True)
    assert "Print the script" in team  # the team's file still has everyone's
    assert "BEGIN:VALARM" in team


class Inbox:
    """A local SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        inbox = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                from email import message_from_bytes

                message = message_from_bytes(envelope.content)
                with inbox.lock:
                    for to in envelope.rcpt_tos:
                        inbox.messages.append((to, str(message["Subject"])))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Inbox:
        self.controller.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.controller.stop()


def _remind(data: Path, today: str, port: int | None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BSC_SMTP")}
    if port is not None:
        env |= {
            "BSC_SMTP_HOST": "127.0.0.1",
            "BSC_SMTP_PORT": str(port),
            "BSC_SMTP_FROM": "faculty@example.org",
        }
    command = [sys.executable, "-m", "facilitator", "remind", "--data-dir", str(data), "--today", today]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_reminders_are_sent_once_though_two_processes_check_at_once(
    app: Any, join_phone: Any, room: dict[str, Any], tmp_path: Path, faculty_client: Any
) -> None:
    from sqlalchemy import update

    from live.context import database
    from live.models import Participant

    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    cy = connect(app, join_phone("Riverside Clinic", "Cy"), room["code"])
    connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    _commitment(ana, "c-ana-11", "Call three families", "Ana", "2027-04-06")
    _commitment(cy, "c-cy-011", "Ask the front desk", "", "2027-04-06")  # no owner: the whole team
    _commitment(cy, "c-cy-012", "Later", "Cy", "2027-04-20")  # not due yet
    with app.app_context(), database().transaction() as db:
        for name in ("Ana", "Cy", "Ben"):
            address = f"{name.lower()}@example.org"
            db.execute(update(Participant).where(Participant.display_name == name).values(email=address))
    off = _remind(tmp_path / "data", "2027-04-05", None).communicate(timeout=60)[0]
    assert "No SMTP server configured" in off
    assert "E-mail reminders: off" in faculty_client.get("/console").get_data(as_text=True)

    # 5 April 2027: Ana's and the team's commitments fall due tomorrow, March's report in two days.
    with Inbox() as inbox:
        both = [_remind(tmp_path / "data", "2027-04-05", inbox.port) for _ in range(2)]
        said = [p.communicate(timeout=120)[0] for p in both]
        assert all(p.returncode == 0 for p in both), said
        again = _remind(tmp_path / "data", "2027-04-05", inbox.port).communicate(timeout=120)[0]
    assert "Sent 0 reminders" in again
    received = sorted(inbox.messages)
    assert received == sorted(
        [
            ("ana@example.org", "Due tomorrow: Call three families"),
            ("ana@example.org", "Due tomorrow: Ask the front desk"),
            ("cy@example.org", "Due tomorrow: Ask the front desk"),
            ("ana@example.org", "Riverside Clinic: the report for 2027-03 is due 2027-04-07"),
            ("cy@example.org", "Riverside Clinic: the report for 2027-03 is due 2027-04-07"),
            ("ben@example.org", "Hilltop Practice: the report for 2027-03 is due 2027-04-07"),
        ]
    ), said


@pytest.mark.slow
@pytest.mark.parametrize("queue", ["in each server", "on Redis, sent by bsc worker"])
def test_two_running_servers_send_each_reminder_once(
    app: Any, join_phone: Any, room: dict[str, Any], tmp_path: Path, queue: str
) -> None:
    """Two `bsc serve` processes on one room, each checking every second: each reminder
    arrives once. With Redis, the servers queue the checks and a worker sends."""
    from sqlalchemy import update

    from live.context import database
    from live.models import Participant

    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    connect(app, join_phone("Riverside Clinic", "Cy"), room["code"])
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    _commitment(ana, "c-ana-21", "Call three families", "Ana", tomorrow)
    _commitment(ana, "c-ana-22", "Ask the front desk", "", tomorrow)  # the whole team
    with app.app_context(), database().transaction() as db:
        for name in ("Ana", "Cy"):
            db.execute(
                update(Participant)
                .where(Participant.display_name == name)
                .values(email=f"{name.lower()}@example.org")
            )
    expected = sorted(
        [
            ("ana@example.org", "Due tomorrow: Call three families"),
            ("ana@example.org", "Due tomorrow: Ask the front desk"),
            ("cy@example.org", "Due tomorrow: Ask the front desk"),
        ]
    )
    with Inbox() as inbox:
        env = {
            "BSC_SMTP_HOST": "127.0.0.1",
            "BSC_SMTP_PORT": str(inbox.port),
            "BSC_SMTP_FROM": "faculty@example.org",
            "BSC_REMINDER_EVERY": "1",
        }
        if queue != "in each server":
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", 6379)) != 0:
                    pytest.skip("no Redis answers at 127.0.0.1:6379")
            env |= {
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "BSC_JOB_QUEUE": f"bsc-test-{uuid.uuid4().hex[:8]}",
            }
        servers = [Server(tmp_path / f"server-{n}", env=env) for n in range(2)]
        for server in servers:
            server.folder.mkdir()
            server.data = Path(app.config["DATA_DIR"])
        try:
            for server in servers:
                server.start()
            time.sleep(3)  # several checks each
            if queue != "in each server":
                assert inbox.messages == []  # the servers only queue: a worker sends
                worker = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "facilitator",
                        "worker",
                        "--burst",
                        "--data-dir",
                        app.config["DATA_DIR"],
                    ],
                    env={**os.environ, **env},
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                )
                assert worker.returncode == 0, worker.stderr[-2000:]
            deadline = time.monotonic() + 30
            while len(inbox.messages) < len(expected) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)  # more checks: nothing is sent twice
        finally:
            for server in servers:
                server.stop()
            if "REDIS_URL" in env:  # the checks queued after the worker left
                from redis import Redis
                from rq import Queue

                Queue(env["BSC_JOB_QUEUE"], connection=Redis.from_url(env["REDIS_URL"])).empty()  # type: ignore[no-untyped-call]
        logs = "".join((s.folder / "serve-1.log").read_text() for s in servers)
    assert sorted(inbox.messages) == expected, logs
    assert logs.count("E-mail reminders: on") == 2


def test_a_bad_e_mail_on_the_join_form_keeps_what_was_typed(
    client: Any, room: dict[str, Any], csrf: Any
) -> None:
    page = client.get(f"/j/{room['code']}").get_data(as_text=True)
    reply = client.post(
        f"/j/{room['code']}",
        data={
            "team": "new",
            "new_team": "Lakeside",
            "name": "Dee",
            "email": "dee at clinic",
            "csrf": csrf(page),
        },
    )
    assert reply.status_code == 400
    again = reply.get_data(as_text=True)
    assert "give an e-mail address such as ana@clinic.org, or leave it empty" in again
    assert 'value="dee at clinic"' in again
    assert 'value="Dee"' in again
