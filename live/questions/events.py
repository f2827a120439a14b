"""Socket.IO handlers of the question board (every write through the pipeline), and the batched
`questions` message: the public board to the whole session, the full one to consoles."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from live import protocol
from live.context import db
from live.models import Activity, LearningSession
from live.questions import service
from live.sockets import Effect, socketio
from live.sockets.broadcast import batched, owe
from live.sockets.pipeline import Outcome, phone_write, staff_command
from live.writes import Author


def _changed(activity_id: int) -> Effect:
    return lambda: owe(protocol.QUESTIONS, activity_id)


def _ask(db: Session, author: Author, data: dict[str, Any]) -> Outcome:
    reply = service.ask(db, author, data)
    return reply, [_changed(reply["activity_id"])]


def _upvote(db: Session, author: Author, data: dict[str, Any]) -> Outcome:
    reply = service.upvote(db, author, data)
    return reply, [_changed(reply["activity_id"])]


def _moderate(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    question = service.moderate(db, session, data)
    return [_changed(question.activity_id)]


phone_write(protocol.ASK_QUESTION, _ask, "A phone posts a question to the open question board.")
phone_write(protocol.UPVOTE_QUESTION, _upvote, "A phone upvotes a question, or takes its vote back.")
staff_command(protocol.MODERATE_QUESTION, _moderate, "Approve (or hide), pin, or mark a question answered.")


@batched(protocol.QUESTIONS)
def send_questions(activity_ids: set[int]) -> None:
    """The boards that changed: public to everyone in the session, whole to the consoles."""
    for activity_id in activity_ids:
        activity = db().get(Activity, activity_id)
        if activity is None:
            continue
        public = {"activity_id": activity.id, "questions": service.questions(db(), activity)}
        socketio.emit(protocol.QUESTIONS, public, to=f"s{activity.session_id}")
        staff = {**public, "questions": service.questions(db(), activity, staff=True), "console": True}
        socketio.emit(protocol.QUESTIONS, staff, to=f"console{activity.session_id}")
