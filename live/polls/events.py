"""Socket.IO handlers of polls: votes from phones, approvals and quick polls from the console,
and the batched `poll_results` to the projector, the consoles and (once revealed) the phones."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from live import protocol
from live.context import db
from live.models import Activity, LearningSession
from live.polls import service
from live.room.runofshow import activity_of
from live.sockets import Effect, socketio
from live.sockets.broadcast import batched, owe
from live.sockets.pipeline import Outcome, phone_write, staff_command
from live.writes import Author

PHONE_RESULTS_EVERY = 1.0  # seconds between results pushes to phones, once results are revealed
RESULTS = "poll_results"


def results_changed(activity_id: int) -> Effect:
    """After a write: the poll's results are owed to the room in the next round."""
    return lambda: owe(RESULTS, activity_id)


def _cast_vote(db: Session, author: Author, data: dict[str, Any]) -> Outcome:
    reply, tell_team = service.cast_vote(db, author, protocol.cast_vote(data))
    effects = [results_changed(reply["activity_id"])]
    if tell_team:
        message = {"activity_id": reply["activity_id"], "value": reply["value"], "by": author.name}
        effects.append(lambda: socketio.emit(protocol.TEAM_ANSWER, message, to=f"t{author.team_id}"))
    return reply, effects


phone_write(
    protocol.CAST_VOTE,
    _cast_vote,
    "A phone answers a poll. Acknowledged to that phone; results go to the projector and "
    "consoles (batched); an answer the team gives once goes to the team's phones as `team_answer`.",
)


def _approve(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    activity = activity_of(db, session, protocol.integer(data, "activity_id"))
    service.approve_answer(
        db, activity, protocol.integer(data, "response_id"), protocol.flag(data, "approved")
    )
    return [results_changed(activity.id)]


def _add_poll(db: Session, session: LearningSession, data: dict[str, Any]) -> dict[str, Any]:
    return {"activity_id": service.add_poll(db, session, data).id}


def _hide_word(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    activity = activity_of(db, session, protocol.integer(data, "activity_id"))
    service.hide_word(db, activity, protocol.text(data, "word", 40), protocol.flag(data, "hidden"))
    return [results_changed(activity.id)]


staff_command(
    protocol.APPROVE_ANSWER,
    _approve,
    "Show an answer of a moderated poll (open answers; word clouds that say so), or not.",
)
staff_command(protocol.HIDE_WORD, _hide_word, "Take a word off the word cloud, or put it back.")
staff_command(protocol.ADD_POLL, _add_poll, "Add a quick poll at the current agenda item.")


class PhoneResults:
    """Results owed to phones, sent at most once a second (a room of phones is many sockets)."""

    owed: ClassVar[set[int]] = set()
    last = 0.0  # time.monotonic() of the last push


@batched(RESULTS)
def send_results(activity_ids: set[int]) -> None:
    """Results to the projector and consoles now; to phones, once revealed, at most every second."""
    if not activity_ids and not PhoneResults.owed:
        return
    session = db()
    for activity_id in activity_ids:
        activity = session.get(Activity, activity_id)
        if activity is None or activity.kind != "poll":
            continue
        answers = service.responses(session, activity)  # read once for the three tallies
        public = {
            "activity_id": activity.id,
            "visible": activity.results_visible,
            "results": service.results(session, activity, answers=answers),
        }
        socketio.emit(RESULTS, public, to=f"staff{activity.session_id}")
        staff = {
            **public,
            "results": service.results(session, activity, approved_only=False, answers=answers),
            "by_team": service.results_by_team(session, activity, answers),
            "console": True,
        }
        socketio.emit(RESULTS, staff, to=f"console{activity.session_id}")
        if activity.results_visible:
            PhoneResults.owed.add(activity.id)
    if PhoneResults.owed and time.monotonic() - PhoneResults.last >= PHONE_RESULTS_EVERY:
        PhoneResults.last = time.monotonic()
        ids, PhoneResults.owed = PhoneResults.owed, set()
        for activity_id in ids:
            activity = session.get(Activity, activity_id)
            if activity is not None and activity.results_visible:
                socketio.emit(
                    RESULTS,
                    {
                        "activity_id": activity.id,
                        "visible": True,
                        "results": service.results(session, activity),
                    },
                    to=f"s{activity.session_id}",
                )
