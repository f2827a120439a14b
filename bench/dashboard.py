"""Time the action-period dashboard of a big collaborative.

    .venv/bin/python bench/dashboard.py [--teams 60] [--months 15] [--measures 5]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--keep DIR]

A collaborative (Safe Starts) gets N teams, each with M measures holding a numerator and a
denominator for every month and a submitted monthly report for every month (with a rating),
written through the same service functions the phones use. Then a signed-in facilitator
opens the dashboard for the last month, several times: the figure is the median time to the
whole page (every query, every pooled chart, every team's small charts, the ratings table),
and the page's size. Target (issue 11): under 1 s on SQLite and on PostgreSQL.
`--keep DIR` writes the page and its PDF there, to look at.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy

from facilitator.app import create_app
from facilitator.auth import set_password
from live.context import curricula, database
from live.room.sessions import add_team, create_session, join
from live.workspaces.service import add_item, edit_field, enter_data, submit_report
from live.writes import author_of

NAMES = ("Screening rate", "In-visit response", "Referral loop closed", "Families connected to trauma care")


def months(count: int, last: tuple[int, int] = (2026, 10)) -> list[str]:
    """`count` months ending with `last` (year, month), oldest first."""
    year, month = last
    found = []
    for _ in range(count):
        found.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def fill(db: Any, author: Any, team: int, periods: list[str], measures: int) -> int:
    writes = 0

    def edit(name: str, value: str, item: int) -> None:
        nonlocal writes
        writes += 1
        assert edit_field(db, author, {"item_id": item, "name": name, "value": value, "base_version": 0})[
            "ok"
        ]

    for m in range(measures):
        item = int(add_item(db, author, {"kind": "measure"})["item"]["id"])
        edit("name", NAMES[m] if m < len(NAMES) else f"Measure {m + 1}", item)
        edit("kind", "proportion", item)
        edit("target", "80", item)
        for k, period in enumerate(periods):
            bottom = 40 + (team * 7 + k * 3) % 30
            top = min(bottom, 10 + (k * 2 + team + m * 5) % 30)
            writes += 1
            payload = {"item_id": item, "period": period, "numerator": top, "denominator": bottom}
            assert enter_data(db, author, payload)["ok"]
    for k, period in enumerate(periods):
        item = int(add_item(db, author, {"kind": "report"})["item"]["id"])
        edit("month", period, item)
        edit("learned", f"What month {k + 1} taught us: families answer texts more than calls.", item)
        edit("rating", f"{min(5.0, 1.0 + k * 0.5):.1f}", item)
        assert submit_report(db, author, {"item_id": item})["ok"]
    return writes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--teams", type=int, default=60)
    parser.add_argument("--months", type=int, default=15)
    parser.add_argument("--measures", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL URL (a schema of its own is made and dropped)")
    parser.add_argument("--keep", type=Path, help="write the page and its PDF into this folder")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    periods = months(args.months)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as folder:
        settings: dict[str, Any] = {"SECRET_KEY": "bench", "DATA_DIR": folder, "ASYNC_MODE": "threading"}
        if args.postgres:
            admin = sqlalchemy.create_engine(args.postgres)
            with admin.begin() as connection:
                connection.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
            settings["DATABASE_URL"] = f"{args.postgres}?options=-csearch_path%3D{schema}"
        try:
            app = create_app(settings)
            writes = 0
            with app.app_context(), database().transaction() as db:
                set_password(db, "lead@example.org", "bench password", "Lead")
                curriculum = curricula()["safe-starts"]
                room = create_session(db, curriculum, curriculum.session("ls1"))
                for t in range(args.teams):
                    team = add_team(db, room, f"Team {t + 1:02d}", f"Practice {t + 1}")
                    participant, _ = join(db, room, team_id=team.id, display_name="Ana", team_code=team.code)
                    db.flush()
                    writes += fill(db, author_of(db, participant.id), t, periods, args.measures)
                collaborative = room.collaborative_id
            web = app.test_client()
            page = web.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf" value="([^"]+)"', page)
            assert token
            web.post(
                "/login", data={"email": "lead@example.org", "password": "bench password", "csrf": token[1]}
            )
            url = f"/console/collaboratives/{collaborative}/dashboard?month={periods[-1]}"
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                reply = web.get(url)
                times.append(time.perf_counter() - started)
                assert reply.status_code == 200, reply.status_code
            body = reply.get_data(as_text=True)
            assert f"Monthly reports: {args.teams} of {args.teams} teams" in body
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / "dashboard.html").write_text(body)
                started = time.perf_counter()
                pdf = web.get(url.replace("dashboard?", "dashboard.pdf?"))
                print(f"dashboard PDF: {time.perf_counter() - started:.2f} s, {len(pdf.data) // 1024} KB")
                (args.keep / "dashboard.pdf").write_bytes(pdf.data)
        finally:
            if args.postgres:
                with admin.begin() as connection:
                    connection.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
    backend = "PostgreSQL" if args.postgres else "SQLite"
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}; {backend}")
    print(
        f"{args.teams} teams x {args.measures} measures x {args.months} months, "
        f"a report a month ({writes} writes)"
    )
    size = f"{len(body) // 1024} KB, {body.count('<svg')} charts"
    print(
        f"dashboard page ({size}): median {statistics.median(times):.3f} s, fastest {min(times):.3f} s, "
        f"slowest {max(times):.3f} s over {args.runs} loads; target under 1 s"
    )


if __name__ == "__main__":
    main()
