"""The collaborative's data as tables, for faculty to take away (docs/data-export.md).

One learning session, or every session of a collaborative: sessions, teams, participants,
polls and their answers, the teams' workspaces (team-wide fields, and a table per kind of row:
measures, PDSA cycles, plan rows, commitments), the measures' data points, questions, gallery
comments and dots. Never a secret: no token, no password hash, no team code. An anonymous
poll's answers keep their team but not the participant.

Values keep their types (dates as dates, times as UTC datetimes, numbers as numbers) so each
format (exports/dataset.py) writes them as what they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curriculum.measures import parse_data
from curriculum.polls import POLL_KINDS
from curriculum.problems import Invalid
from curriculum.worksheets import ROW_KINDS, WORKSHEETS, number
from live.models import (
    Activity,
    Collaborative,
    Comment,
    Dot,
    LearningSession,
    Participant,
    Question,
    QuestionVote,
    Response,
    Team,
    WorkspaceField,
    WorkspaceItem,
    now,
)

SCHEMA = "bsc-data/1"  # bump when a table or column changes meaning (docs/data-export.md)
# A table per kind of workspace row, named after its worksheet: measures, pdsa, action_plan...
ROW_TABLES = {kind: sheet.name.replace("-", "_") for kind, sheet in ROW_KINDS.items()}


@dataclass
class Table:
    """A table: its columns in order, and rows of typed values."""

    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class Records:
    """What an export holds: where it comes from, and its tables by name."""

    scope: dict[str, Any]
    tables: dict[str, Table]


def _typed(field_input: str, text: str) -> Any:
    """A workspace value as what it is: a date field as a date, a number as a number."""
    if not text:
        return None
    if field_input == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


def session_records(db: Session, session_id: int) -> Records:
    """One learning session's data."""
    room = db.get(LearningSession, session_id)
    if room is None:
        raise LookupError(session_id)
    return _records(db, room.collaborative, [room])


def collaborative_records(db: Session, collaborative_id: int) -> Records:
    """A whole collaborative's data: every learning session, every team."""
    collaborative = db.get(Collaborative, collaborative_id)
    if collaborative is None:
        raise LookupError(collaborative_id)
    sessions = list(
        db.scalars(select(LearningSession).where(LearningSession.collaborative_id == collaborative.id))
    )
    return _records(db, collaborative, sessions)


def _records(db: Session, collaborative: Collaborative, sessions: list[LearningSession]) -> Records:
    ids = [s.id for s in sessions]
    tables: dict[str, Table] = {}
    tables["learning_sessions"] = Table(
        ["session_id", "session_key", "title", "date", "created_at"],
        [[s.id, s.session_key, s.title, _typed("date", s.date), s.created_at] for s in sessions],
    )
    participants = list(
        db.scalars(select(Participant).where(Participant.session_id.in_(ids)).order_by(Participant.id))
    )
    team_ids = {p.team_id for p in participants} | set(
        db.scalars(select(Team.id).where(Team.session_id.in_(ids)))
    )
    if len(sessions) > 1 or not ids:
        team_ids |= set(db.scalars(select(Team.id).where(Team.collaborative_id == collaborative.id)))
    teams = list(db.scalars(select(Team).where(Team.id.in_(team_ids)).order_by(Team.id)))
    tables["teams"] = Table(
        ["team_id", "name", "organisation", "created_at", "removed"],
        [[t.id, t.name, t.organisation, t.created_at, t.removed] for t in teams],
    )
    tables["participants"] = Table(
        ["participant_id", "session_id", "team_id", "name", "role", "joined_at", "removed"],
        [
            [p.id, p.session_id, p.team_id, p.display_name, p.role, p.joined_at, p.removed]
            for p in participants
        ],
    )
    activities = list(
        db.scalars(
            select(Activity)
            .where(Activity.session_id.in_(ids), Activity.kind.in_(("poll", "question-board")))
            .order_by(Activity.session_id, Activity.position)
        )
    )
    tables["polls"] = Table(
        ["activity_id", "session_id", "key", "kind", "poll_type", "title", "prompt", "anonymous", "state"],
        [
            [a.id, a.session_id, a.key, a.kind, a.poll_type, a.title, a.prompt, a.anonymous, a.state]
            for a in activities
        ],
    )
    by_id = {a.id: a for a in activities}
    answers = Table(
        ["activity_id", "round", "team_id", "participant_id", "answer", "value", "approved", "updated_at"]
    )
    for r in db.scalars(
        select(Response)
        .where(Response.activity_id.in_(list(by_id)))
        .order_by(Response.activity_id, Response.id)
    ):
        activity = by_id[r.activity_id]
        kind = POLL_KINDS.get(activity.poll_type or "")
        words = kind.answer_text(activity.spec, r.value) if kind else str(r.value)
        value = r.value if isinstance(r.value, (int, float)) and not isinstance(r.value, bool) else None
        who = None if activity.anonymous else r.participant_id
        answers.rows.append([r.activity_id, r.round, r.team_id, who, words, value, r.approved, r.updated_at])
    tables["answers"] = answers
    questions = list(
        db.scalars(select(Question).where(Question.activity_id.in_(list(by_id))).order_by(Question.id))
    )
    votes: dict[int, int] = {
        question: count
        for question, count in db.execute(
            select(QuestionVote.question_id, func.count())
            .where(QuestionVote.question_id.in_([q.id for q in questions]))
            .group_by(QuestionVote.question_id)
        )
    }
    tables["questions"] = Table(
        [
            "question_id",
            "activity_id",
            "team_id",
            "text",
            "votes",
            "approved",
            "pinned",
            "answered",
            "created_at",
        ],
        [
            [
                q.id,
                q.activity_id,
                q.team_id,
                q.text,
                votes.get(q.id, 0),
                q.approved,
                q.pinned,
                q.answered,
                q.created_at,
            ]
            for q in questions
        ],
    )
    _workspaces(db, tables, [t.id for t in teams])
    tables["gallery_comments"] = Table(
        ["comment_id", "session_id", "team_id", "from_participant_id", "text", "approved", "created_at"],
        [
            [c.id, c.session_id, c.team_id, c.participant_id, c.text, c.approved, c.created_at]
            for c in db.scalars(select(Comment).where(Comment.session_id.in_(ids)).order_by(Comment.id))
        ],
    )
    tables["gallery_dots"] = Table(
        ["dot_id", "session_id", "team_id", "from_participant_id", "created_at"],
        [
            [d.id, d.session_id, d.team_id, d.participant_id, d.created_at]
            for d in db.scalars(select(Dot).where(Dot.session_id.in_(ids)).order_by(Dot.id))
        ],
    )
    scope = {
        "collaborative": {
            "id": collaborative.id,
            "curriculum": collaborative.curriculum_id,
            "title": collaborative.title,
        },
        "sessions": ids,
    }
    return Records(scope, tables)


def _workspaces(db: Session, tables: dict[str, Table], team_ids: list[int]) -> None:
    """Team-wide fields, a table per kind of row (its fields as columns), and data points."""
    fields = list(
        db.scalars(
            select(WorkspaceField)
            .where(WorkspaceField.team_id.in_(team_ids))
            .order_by(WorkspaceField.team_id, WorkspaceField.scope, WorkspaceField.name)
        )
    )
    team_wide = Table(["team_id", "worksheet", "field", "value", "updated_by", "updated_at"])
    home = {f.name: s.name for s in WORKSHEETS.values() for f in s.fields}  # a team field's worksheet
    row_values: dict[int, dict[str, str]] = {}
    for f in fields:
        if f.scope == "" and f.name in home:
            team_wide.rows.append([f.team_id, home[f.name], f.name, f.value, f.updated_by, f.updated_at])
        elif f.scope.startswith("i") and f.scope[1:].isdigit():
            row_values.setdefault(int(f.scope[1:]), {})[f.name] = f.value
    tables["workspace_fields"] = team_wide
    items = list(
        db.scalars(
            select(WorkspaceItem)
            .where(WorkspaceItem.team_id.in_(team_ids), WorkspaceItem.deleted.is_(False))
            .order_by(WorkspaceItem.team_id, WorkspaceItem.kind, WorkspaceItem.position, WorkspaceItem.id)
        )
    )
    points = Table(["team_id", "measure_row_id", "measure", "period", "value", "numerator", "denominator"])
    for kind, name in ROW_TABLES.items():
        sheet = ROW_KINDS[kind]
        defined = sheet.rows.fields if sheet.rows else ()
        table = Table(
            [
                "row_id",
                "team_id",
                "session_id",
                "position",
                *(f.name for f in defined),
                "status",
                "status_note",
                "created_at",
            ]
        )
        for item in (i for i in items if i.kind == kind):
            values = row_values.get(item.id, {})
            cells = [_cell(f.input, f.name, values.get(f.name, "")) for f in defined]
            table.rows.append(
                [
                    item.id,
                    item.team_id,
                    item.session_id,
                    item.position,
                    *cells,
                    item.status or None,
                    item.status_note or None,
                    item.created_at,
                ]
            )
            if kind == "measure":
                try:
                    series = parse_data(values.get("data", ""), values.get("kind", ""))
                except Invalid:
                    series = []
                measure = values.get("name", "")
                for p in series:
                    period = p.period.label if p.period else p.label
                    points.rows.append(
                        [item.team_id, item.id, measure, period, p.value, p.numerator, p.denominator]
                    )
        tables[name] = table
    tables["data_points"] = points


def _cell(field_input: str, name: str, text: str) -> Any:
    if name in ("baseline", "target"):
        return number(text) if text and number(text) is not None else (text or None)
    return _typed(field_input, text)


def exported_at() -> datetime:
    return now()
