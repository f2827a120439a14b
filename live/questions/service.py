"""Questions on a question board: posting, upvoting, moderating, and the board as each one sees it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from live import protocol
from live.models import Activity, LearningSession, Question, QuestionVote, Team
from live.protocol import Refused
from live.writes import Author

MAX_QUESTION = 280
MAX_PER_PERSON = 10  # questions one participant may post to one board


def board_of(db: Session, session_id: int, activity_id: int) -> Activity:
    """A question board of this session that is open, or refuse."""
    activity = db.get(Activity, activity_id)
    if activity is None or activity.session_id != session_id or activity.kind != "question-board":
        raise Refused("there is no such question board in this session", "no_activity")
    if activity.state != "open":
        if activity.state == "ready":
            raise Refused("the question board is not open yet", "closed")
        raise Refused("the question board has closed", "closed")
    return activity


def ask(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Post a question; on a moderated board it waits for a facilitator before the room sees it."""
    activity = board_of(db, author.session_id, protocol.integer(payload, "activity_id"))
    text = protocol.text(payload, "text", MAX_QUESTION)
    mine = (
        db.scalar(
            select(func.count(Question.id)).where(
                Question.activity_id == activity.id, Question.participant_id == author.id
            )
        )
        or 0
    )
    if mine >= MAX_PER_PERSON:
        raise Refused("you have asked {count} questions here already", "too_many", count=MAX_PER_PERSON)
    question = Question(
        activity_id=activity.id,
        participant_id=author.id,
        team_id=author.team_id,
        text=text,
        approved=not activity.spec.get("moderated", True),
    )
    db.add(question)
    db.flush()
    return {"ok": True, "activity_id": activity.id, "question": _view(question, 0)}


def upvote(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Add one's vote to a question (`up`: true), or take it back."""
    question = db.get(Question, protocol.integer(payload, "question_id"))
    if question is None or not question.approved:
        raise Refused("there is no such question on the board", "no_question")
    board_of(db, author.session_id, question.activity_id)
    if question.participant_id == author.id:
        raise Refused("your own question needs no vote of yours", "own_question")
    voted = db.scalar(
        select(QuestionVote).where(
            QuestionVote.question_id == question.id, QuestionVote.participant_id == author.id
        )
    )
    if protocol.flag(payload, "up") and voted is None:
        db.add(QuestionVote(question_id=question.id, participant_id=author.id))
    elif not payload["up"] and voted is not None:
        db.delete(voted)
    db.flush()
    return {"ok": True, "activity_id": question.activity_id, "question_id": question.id, "up": payload["up"]}


def moderate(db: Session, session: LearningSession, payload: dict[str, Any]) -> Question:
    """The facilitator approves (or hides), pins or marks a question answered."""
    question = db.get(Question, protocol.integer(payload, "question_id"))
    activity = db.get(Activity, question.activity_id) if question else None
    if question is None or activity is None or activity.session_id != session.id:
        raise Refused("there is no such question in this session", "no_question")
    for key in ("approved", "pinned", "answered"):
        if key in payload:
            setattr(question, key, protocol.flag(payload, key))
    if question.pinned:  # one question is pinned at a time: the one being answered
        for other in db.scalars(
            select(Question).where(
                Question.activity_id == question.activity_id, Question.id != question.id, Question.pinned
            )
        ):
            other.pinned = False
    db.flush()
    return question


def remove_votes_of(db: Session, participant_id: int) -> None:
    """A participant taken out of the session: their upvotes no longer count."""
    db.execute(delete(QuestionVote).where(QuestionVote.participant_id == participant_id))


def _view(question: Question, votes: int) -> dict[str, Any]:
    return {
        "id": question.id,
        "text": question.text,
        "votes": votes,
        "approved": question.approved,
        "pinned": question.pinned,
        "answered": question.answered,
    }


def questions(db: Session, activity: Activity, staff: bool = False) -> list[dict[str, Any]]:
    """The board in the room's order: the pinned question, then open ones by votes, then answered.

    Phones and the projector see approved questions only; faculty see every one, with its team.
    """
    votes = dict(
        db.execute(
            select(QuestionVote.question_id, func.count(QuestionVote.id))
            .join(Question, Question.id == QuestionVote.question_id)
            .where(Question.activity_id == activity.id)
            .group_by(QuestionVote.question_id)
        ).all()
    )
    query = (
        select(Question, Team.name)
        .join(Team, Team.id == Question.team_id)
        .where(Question.activity_id == activity.id)
    )
    if not staff:
        query = query.where(Question.approved)
    board = []
    for question, team in db.execute(query):
        view = _view(question, votes.get(question.id, 0))
        if staff:
            view["team"] = team
        board.append(view)
    board.sort(key=lambda q: (not q["pinned"], q["answered"], -q["votes"], q["id"]))
    return board


def question_table(db: Session, activity: Activity) -> tuple[list[str], list[list[Any]]]:
    """Every question of a board for the facilitator's spreadsheet, in the board's order."""
    header = ["question", "team", "votes", "approved", "pinned", "answered"]
    return header, [
        [q["text"], q["team"], q["votes"], q["approved"], q["pinned"], q["answered"]]
        for q in questions(db, activity, staff=True)
    ]


def mine(db: Session, activity: Activity, participant_id: int) -> dict[str, Any]:
    """What one phone needs beyond the public board: its own questions (waiting ones too) and votes."""
    own = [
        _view(q, 0)
        for q in db.scalars(
            select(Question)
            .where(Question.activity_id == activity.id, Question.participant_id == participant_id)
            .order_by(Question.id)
        )
    ]
    voted = list(
        db.scalars(
            select(QuestionVote.question_id)
            .join(Question, Question.id == QuestionVote.question_id)
            .where(Question.activity_id == activity.id, QuestionVote.participant_id == participant_id)
        )
    )
    return {"asked": own, "voted": voted}
