"""Time a whole collaborative's backup: `bsc export --all` and `bsc import` of a big one.

    .venv/bin/python bench/backup.py [--teams 60] [--months 15] [--measures 5] [--people 5]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

A collaborative (Safe Starts) gets N teams of P people, each team with M measures holding a
numerator and a denominator for every month, a PDSA cycle and a submitted monthly report for
every month (bench/dashboard.py's data, written through the phones' service functions). Then
the whole collaborative is exported to a backup file, imported into an empty database, and
imported again (which changes nothing). Target (issue 12): export and import each under 10 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy

from bench.dashboard import fill, months
from facilitator.app import create_app
from live.backup import dumps, export_backup, import_backup
from live.context import curricula, database
from live.db import Database, sqlite_url, upgrade
from live.room.sessions import add_team, create_session, join
from live.workspaces.service import add_item, edit_field
from live.writes import author_of


def cycles(db: Any, author: Any, periods: list[str]) -> None:
    for k, period in enumerate(periods):
        item = int(add_item(db, author, {"kind": "pdsa"})["item"]["id"])
        for name, value in (
            ("test", f"Cycle {k + 1}: text families the day before ({period})"),
            ("cycle", "adapt"),
        ):
            assert edit_field(db, author, {"item_id": item, "name": name, "value": value, "base_version": 0})[
                "ok"
            ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--teams", type=int, default=60)
    parser.add_argument("--months", type=int, default=15)
    parser.add_argument("--measures", type=int, default=5)
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL URL (schemas of their own are made and dropped)")
    args = parser.parse_args()
    periods = months(args.months)
    schemas = [f"bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = sqlalchemy.create_engine(args.postgres) if args.postgres else None
    with tempfile.TemporaryDirectory() as folder:
        settings: dict[str, Any] = {"SECRET_KEY": "bench", "DATA_DIR": folder, "ASYNC_MODE": "threading"}
        if admin is not None:
            with admin.begin() as connection:
                for schema in schemas:
                    connection.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
            settings["DATABASE_URL"] = f"{args.postgres}?options=-csearch_path%3D{schemas[0]}"
        try:
            app = create_app(settings)
            with app.app_context(), database().transaction() as db:
                curriculum = curricula()["safe-starts"]
                room = create_session(db, curriculum, curriculum.session("ls1"))
                for t in range(args.teams):
                    team = add_team(db, room, f"Team {t + 1:02d}", f"Practice {t + 1}")
                    people = [
                        join(db, room, team_id=team.id, display_name=f"Person {p + 1}", team_code=team.code)[
                            0
                        ]
                        for p in range(args.people)
                    ]
                    db.flush()
                    author = author_of(db, people[0].id)
                    fill(db, author, t, periods, args.measures)
                    cycles(db, author, periods)
            with app.app_context(), database().transaction() as db:
                started = time.perf_counter()
                data = dumps(export_backup(db))
                exported = time.perf_counter() - started
            if admin is not None:
                target = Database(args.postgres, schema=schemas[1])
            else:
                (Path(folder) / "target").mkdir()
                target = Database(sqlite_url(Path(folder) / "target"))
            upgrade(target.engine)
            started = time.perf_counter()
            with target.transaction() as db:
                counts = import_backup(db, data)
            imported = time.perf_counter() - started
            started = time.perf_counter()
            with target.transaction() as db:
                again = import_backup(db, data)
            reimported = time.perf_counter() - started
            target.engine.dispose()
        finally:
            if admin is not None:
                with admin.begin() as connection:
                    for schema in schemas:
                        connection.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
    rows = sum(c.added for c in counts.values())
    assert not any(c.added or c.changed for c in again.values())
    backend = "PostgreSQL" if args.postgres else "SQLite"
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}; {backend}")
    print(
        f"{args.teams} teams of {args.people} x {args.measures} measures x {args.months} months, "
        f"a PDSA cycle and a report a month: {rows} rows, a {len(data) / 2**20:.1f} MiB backup"
    )
    print(f"export (bsc export --all): {exported:.2f} s; target under 10 s")
    print(f"import into an empty database (bsc import): {imported:.2f} s; target under 10 s")
    print(f"import of the same file again (changes nothing): {reimported:.2f} s")


if __name__ == "__main__":
    main()
