"""What a learning session's room said, as plain data for the results deck (exports/results_deck.py).

Every poll that was answered (its bars, its words, its approved answers), the question
boards' top questions, each team's self-ratings on the assessment scale (the first and the
last of the session), the commitments each team wrote, the most-dotted storyboards, and the
action period before the session: each measure pooled across teams, and each team's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curriculum.calendar import as_date
from curriculum.polls import POLL_KINDS, AssessmentPoll
from curriculum.worksheets import number
from exports.dashboard import previous_month
from live.dashboard import dashboard
from live.models import Activity, Dot, LearningSession, Question, QuestionVote, Team, WorkspaceItem
from live.polls.service import responses, results

TOP_QUESTIONS = 10
TOP_STORYBOARDS = 8


@dataclass(frozen=True)
class PollResult:
    title: str
    prompt: str
    poll_type: str
    count: int
    bars: tuple[tuple[str, int, int | None], ...] = ()  # label, how many chose it, % of answers
    words: tuple[tuple[str, int], ...] = ()  # a word cloud's words, most said first
    answers: tuple[str, ...] = ()  # open answers the facilitator approved


@dataclass(frozen=True)
class MeasureResult:
    """A measure through the action period: pooled across teams, and per team (month labels,
    values), up to the month before the learning session."""

    name: str
    months: tuple[str, ...]
    pooled: tuple[float, ...]
    target: float | None = None
    teams: tuple[tuple[str, tuple[str, ...], tuple[float, ...]], ...] = ()


@dataclass(frozen=True)
class SessionResults:
    collaborative: str
    session: str
    date: str
    polls: tuple[PollResult, ...] = ()
    questions: tuple[tuple[str, int], ...] = ()  # the most-voted approved questions
    ratings: tuple[tuple[str, float | None, float | None], ...] = ()  # team, first, last
    commitments: tuple[tuple[str, int], ...] = ()  # team, how many
    dots: tuple[tuple[str, int], ...] = ()  # team, dots on its storyboard
    # The action period so far: each measure pooled across teams, and each team's own.
    measures: tuple[MeasureResult, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def session_results(db: Session, session_id: int) -> SessionResults:
    room = db.get(LearningSession, session_id)
    if room is None:
        raise LookupError(session_id)
    teams = dict(
        db.execute(select(Team.id, Team.name).where(Team.collaborative_id == room.collaborative_id)).all()
    )
    activities = list(
        db.scalars(
            select(Activity).where(Activity.session_id == room.id).order_by(Activity.position, Activity.id)
        )
    )
    polls: list[PollResult] = []
    ratings_by_team: dict[int, list[float | None]] = {}
    for activity in (a for a in activities if a.kind == "poll" and a.poll_type in POLL_KINDS):
        found = responses(db, activity)
        if not found:
            continue
        tally = results(db, activity, approved_only=True, answers=found)
        polls.append(
            PollResult(
                title=activity.title,
                prompt=activity.prompt,
                poll_type=activity.poll_type or "",
                count=int(tally.get("count", len(found))),
                bars=tuple((str(b["label"]), int(b["count"]), b.get("share")) for b in tally.get("bars", ())),
                words=tuple(
                    (w["text"], int(w["count"])) for w in tally.get("words", ()) if not w.get("hidden")
                ),
                answers=tuple(str(a["text"]) for a in tally.get("answers", ()) if a.get("approved")),
            )
        )
        if activity.poll_type == AssessmentPoll.name:
            for answer in found:
                first_last = ratings_by_team.setdefault(answer.team_id, [None, None])
                value = float(answer.value)
                first_last[0] = value if first_last[0] is None else first_last[0]
                first_last[1] = value
    boards = [a.id for a in activities if a.kind == "question-board"]
    votes = func.count(QuestionVote.id)
    questions = db.execute(
        select(Question.text, votes)
        .outerjoin(QuestionVote, QuestionVote.question_id == Question.id)
        .where(Question.activity_id.in_(boards), Question.approved.is_(True))
        .group_by(Question.id)
        .order_by(votes.desc(), Question.id)
        .limit(TOP_QUESTIONS)
    ).all()
    commitments = db.execute(
        select(WorkspaceItem.team_id, func.count())
        .where(
            WorkspaceItem.session_id == room.id,
            WorkspaceItem.kind == "commitment",
            WorkspaceItem.deleted.is_(False),
        )
        .group_by(WorkspaceItem.team_id)
    ).all()
    dots = db.execute(
        select(Dot.team_id, func.count()).where(Dot.session_id == room.id).group_by(Dot.team_id)
    ).all()
    return SessionResults(
        measures=_measures(db, room),
        collaborative=room.collaborative.title,
        session=room.title,
        date=room.date,
        polls=tuple(polls),
        questions=tuple((text, int(n)) for text, n in questions),
        ratings=tuple(
            sorted(((teams.get(t, "?"), v[0], v[1]) for t, v in ratings_by_team.items()), key=lambda r: r[0])
        ),
        commitments=tuple(sorted(((teams.get(t, "?"), int(n)) for t, n in commitments), key=lambda r: r[0])),
        dots=tuple(
            sorted(((teams.get(t, "?"), int(n)) for t, n in dots), key=lambda r: (-r[1], r[0]))[
                :TOP_STORYBOARDS
            ]
        ),
    )


def _measures(db: Session, room: LearningSession) -> tuple[MeasureResult, ...]:
    """The collaborative's measures from the action period before this session: pooled across
    teams, and each team's, up to the month before the session (or before today)."""
    day = as_date(room.date) if room.date else None
    month = previous_month(day or datetime.now(UTC).date())
    board = dashboard(db, room.collaborative_id, month)
    found = []
    for name in board.measure_names:
        labels, values = board.pooled(name)
        if not values:
            continue
        teams = []
        for team in board.teams:
            measure = team.measure(name.strip().lower())
            points = [p for p in measure.points if p.period and p.period.key <= month] if measure else []
            if points:
                teams.append(
                    (
                        team.name,
                        tuple(p.period.label for p in points if p.period),
                        tuple(p.value for p in points),
                    )
                )
        found.append(
            MeasureResult(
                name, tuple(labels), tuple(values), number(board.targets.get(name, "")), tuple(teams)
            )
        )
    return tuple(found)
