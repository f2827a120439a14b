"""Socket.IO handlers of team workspaces and the gallery walk.

Every write goes through the pipeline (live/sockets/pipeline.py): applied once per client id,
refused in a locked room. A workspace change goes to the team's phones and the consoles only:
team work stays private until the facilitator reveals the storyboards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from live import protocol
from live.context import db
from live.models import LearningSession
from live.protocol import Refused
from live.room.people import team_of
from live.room.state import driver_diagram, roster
from live.sockets import Effect, current_client, current_sid, socketio
from live.sockets.broadcast import batched, owe
from live.sockets.pipeline import Outcome, answered, phone_write, staff_command
from live.workspaces import gallery, service
from live.writes import Author, author_of

Change = Callable[[Session, Author, dict[str, Any]], dict[str, Any]]


def _team_hears(event: str, change: Change) -> Callable[[Session, Author, dict[str, Any]], Outcome]:
    """A workspace write whose reply goes, as `workspace_changed`, to the team and the consoles."""

    def action(db: Session, author: Author, data: dict[str, Any]) -> Outcome:
        reply = change(db, author, data)
        message = {"event": event, **reply}

        def send() -> None:
            socketio.emit(protocol.WORKSPACE_CHANGED, message, to=f"t{author.team_id}")
            socketio.emit(protocol.WORKSPACE_CHANGED, message, to=f"console{author.session_id}")

        return reply, [send]

    return action


def _room_hears(change: Change) -> Callable[[Session, Author, dict[str, Any]], Outcome]:
    """A gallery write: the room's dot totals follow in the next round."""

    def action(db: Session, author: Author, data: dict[str, Any]) -> Outcome:
        return change(db, author, data), [lambda: owe(protocol.DOTS, author.session_id)]

    return action


for _event, _change, _doc in (
    (
        protocol.EDIT_FIELD,
        service.edit_field,
        "A phone saves a field of its team's workspace; a stale edit gets a conflict.",
    ),
    (protocol.ADD_ITEM, service.add_item, "A phone adds a row to its team's workspace."),
    (protocol.REMOVE_ITEM, service.remove_item, "A phone removes a row of its team's workspace."),
    (
        protocol.MARK_ITEM,
        service.mark_item,
        "A phone marks an earlier commitment or cycle done, partly or not done.",
    ),
    (
        protocol.SUBMIT_REPORT,
        service.submit_report,
        "A phone submits its team's monthly report, which locks it.",
    ),
    (
        protocol.ENTER_DATA,
        service.enter_data,
        "A phone enters one period of a measure's data, and the note on its point.",
    ),
):
    phone_write(_event, _team_hears(_event, _change), _doc)

phone_write(protocol.PLACE_DOT, _room_hears(gallery.place_dot), "A phone places a dot; the totals follow.")
phone_write(protocol.REMOVE_DOT, _room_hears(gallery.remove_dot), "A phone takes a dot back.")


def _comment(db: Session, author: Author, data: dict[str, Any]) -> Outcome:
    return gallery.add_comment(db, author, data), [lambda: owe(protocol.COMMENTS, author.session_id)]


phone_write(
    protocol.ADD_COMMENT,
    _comment,
    "A phone comments on another team's storyboard; the room sees it (once approved, if moderated).",
)


@socketio.on(protocol.REQUEST_GALLERY)
@answered
def on_request_gallery(payload: Any = None) -> dict[str, Any]:
    """A phone (once revealed) or a console asks for the storyboards; it receives `gallery`."""
    client = current_client()
    session = db().get(LearningSession, client.session_id)
    if session is None:
        raise Refused("this session has ended", "gone")
    viewer = author_of(db(), client.participant_id) if client.participant_id is not None else None
    board = gallery.gallery(db(), session, viewer, staff=client.kind == "console")
    socketio.emit(protocol.GALLERY, board, to=current_sid())
    return {"ok": True}


@socketio.on(protocol.REQUEST_WORKSPACE)
@answered
def on_request_workspace(payload: Any = None) -> dict[str, Any]:
    """A console looks over a team's shoulder: it receives `workspace`, that team's workspace
    (read-only), and from then on that team's `workspace_changed` as every console does."""
    client = current_client()
    if client.kind != "console":
        raise Refused("only the facilitator can do that", "forbidden")
    session = db().get(LearningSession, client.session_id)
    if session is None:
        raise Refused("this session has ended", "gone")
    team = team_of(db(), session, protocol.integer(protocol.mapping(payload), "team_id"))
    view = {
        "team": {"id": team.id, "name": team.name, "organisation": team.organisation},
        "workspace": service.workspace(db(), team.id),
        "roster": roster(db(), team.id, session.id),
        "driver_diagram": driver_diagram(session),
    }
    socketio.emit(protocol.WORKSPACE, view, to=current_sid())
    return {"ok": True}


def _reveal(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    session.storyboards_revealed = protocol.flag(data, "visible")
    db.flush()
    return [lambda: owe(protocol.DOTS, session.id)]


def _approve_comment(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    gallery.approve_comment(
        db, session, protocol.integer(data, "comment_id"), protocol.flag(data, "approved")
    )
    return [lambda: owe(protocol.COMMENTS, session.id)]


staff_command(
    protocol.APPROVE_COMMENT, _approve_comment, "Show a gallery comment to the room, or take it down."
)
staff_command(
    protocol.REVEAL_STORYBOARDS,
    _reveal,
    "Reveal the storyboards to the room for the gallery walk, or hide them.",
)


@batched(protocol.DOTS)
def send_dots(session_ids: set[int]) -> None:
    """Dots per team to everyone in the session, once the storyboards are revealed."""
    for session_id in session_ids:
        session = db().get(LearningSession, session_id)
        if session is not None and session.storyboards_revealed:
            socketio.emit(protocol.DOTS, gallery.dot_totals(db(), session), to=f"s{session_id}")


@batched(protocol.COMMENTS)
def send_comments(session_ids: set[int]) -> None:
    """The gallery's comments by team: approved ones to the room once revealed, every one to consoles."""
    for session_id in session_ids:
        session = db().get(LearningSession, session_id)
        if session is None:
            continue
        if session.storyboards_revealed:
            socketio.emit(protocol.COMMENTS, gallery.comments(db(), session), to=f"s{session_id}")
        socketio.emit(
            protocol.COMMENTS,
            {"console": True, "comments": gallery.comments(db(), session, staff=True)},
            to=f"console{session_id}",
        )
