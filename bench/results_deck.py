"""Time the results deck of a big learning session: `bsc results` for 40 teams.

    .venv/bin/python -m bench.results_deck [--teams 40] [--people 5] [--months 12]

A learning session (Safe Starts, Learning Session 1) gets N teams of P people. Every person
answers every poll of the session (each poll's first value its kind accepts, varied by
person), every team rates itself, writes three commitments and gets dots; every team also has
5 measures with M months of data before the session (bench/dashboard.py's data, written
through the phones' service functions). Then the deck is made as the console's button and
`bsc results` make it: the session's results read from the database, then the .pptx built,
several times (the first in a fresh process also loads python-pptx's and XlsxWriter's code).
Target (issue 12): under 5 s for 40 teams. The deck is reopened with python-pptx to count
its slides and native charts.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import tempfile
import time
from typing import Any

from pptx import Presentation
from sqlalchemy import select, update

from bench.dashboard import fill, months
from curriculum.problems import Invalid
from exports.decks import DEFAULT_TEMPLATE
from exports.results_deck import build_results_deck
from facilitator.app import create_app
from live.context import curricula, database
from live.models import Activity, Dot
from live.polls.service import cast_vote
from live.protocol import Refused
from live.results import session_results
from live.room.sessions import add_team, create_session, join
from live.workspaces.service import add_item, edit_field
from live.writes import author_of

CANDIDATES: tuple[Any, ...] = (2, 1, 3.0, 2.5, "Momentum", "A script card at the front desk", [0, 1], 0)


def answer_everything(db: Any, authors: list[Any], polls: list[Activity], salt: int) -> int:
    answered = 0
    for n, author in enumerate(authors):
        for poll in polls:
            tried = CANDIDATES[(n + salt) % 3 :] + CANDIDATES
            for value in tried:
                try:
                    cast_vote(db, author, {"client_id": "", "activity_id": poll.id, "value": value})
                except (Refused, Invalid):
                    continue
                answered += 1
                break
    return answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    periods = months(args.months)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "DATA_DIR": folder, "ASYNC_MODE": "threading"})
        answers = 0
        with app.app_context(), database().transaction() as db:
            curriculum = curricula()["safe-starts"]
            room = create_session(db, curriculum, curriculum.session("ls1"))
            db.execute(update(Activity).where(Activity.session_id == room.id).values(state="open"))
            polls = list(
                db.scalars(select(Activity).where(Activity.session_id == room.id, Activity.kind == "poll"))
            )
            teams = []
            for t in range(args.teams):
                team = add_team(db, room, f"Team {t + 1:02d}", f"Practice {t + 1}")
                people = [
                    join(db, room, team_id=team.id, display_name=f"Person {p + 1}", team_code=team.code)[0]
                    for p in range(args.people)
                ]
                db.flush()
                authors = [author_of(db, p.id) for p in people]
                answers += answer_everything(db, authors, polls, t)
                fill(db, authors[0], t, periods, 5)
                for c in range(3):
                    item = int(add_item(db, authors[0], {"kind": "commitment"})["item"]["id"])
                    payload = {
                        "item_id": item,
                        "name": "what",
                        "value": f"Call {c + 3} families",
                        "base_version": 0,
                    }
                    assert edit_field(db, authors[0], payload)["ok"]
                teams.append((team.id, people))
            for t, (_team, people) in enumerate(teams):  # each person dots two other teams
                for p, person in enumerate(people):
                    for other in (teams[(t + 1 + p) % len(teams)][0], teams[(t + 2 + p) % len(teams)][0]):
                        db.add(Dot(session_id=room.id, participant_id=person.id, team_id=other))
            session_id = room.id
        times, reads = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            with app.app_context(), database().transaction() as db:
                found = session_results(db, session_id)
            reads.append(time.perf_counter() - started)
            data = build_results_deck(found, DEFAULT_TEMPLATE)
            times.append(time.perf_counter() - started)
    deck = Presentation(io.BytesIO(data))
    charts = sum(1 for slide in deck.slides for shape in slide.shapes if shape.has_chart)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; SQLite"
    )
    print(
        f"{args.teams} teams of {args.people}: {answers} answers to {len(polls)} polls, "
        f"3 commitments a team, dots, 5 measures x {args.months} months a team"
    )
    print(f"results read from the database: median {statistics.median(reads):.2f} s")
    print(
        f"results deck ({len(deck.slides)} slides, {charts} native charts, {len(data) // 1024} KB), "
        f"read and built: median {statistics.median(times):.2f} s, first {times[0]:.2f} s (a fresh "
        f"process), slowest {max(times):.2f} s over {args.runs} runs; target under 5 s"
    )


if __name__ == "__main__":
    main()
