"""Socket.IO handlers of team workspaces and the gallery walk (same rules as live/events.py).

A workspace change goes to the team's phones and the consoles only: team work stays private
until the facilitator reveals the storyboards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session as DbSession

from live import gallery, protocol, workspace
from live.context import database
from live.events import Client, Effect, clients, current_sid, pending, run_write, socketio, staff_event
from live.models import Session
from live.protocol import (
    ADD_COMMENT,
    ADD_ITEM,
    DOTS,
    EDIT_FIELD,
    GALLERY,
    MARK_ITEM,
    PLACE_DOT,
    REMOVE_DOT,
    REMOVE_ITEM,
    REQUEST_GALLERY,
    REVEAL_STORYBOARDS,
    WORKSPACE_CHANGED,
    Refused,
)

__all__ = ["ADD_COMMENT", "ADD_ITEM", "DOTS", "EDIT_FIELD", "GALLERY", "MARK_ITEM", "PLACE_DOT",
           "REMOVE_DOT", "REMOVE_ITEM", "REQUEST_GALLERY", "REVEAL_STORYBOARDS", "WORKSPACE_CHANGED"]


def _tell_team(session_id: int, team_id: int, message: dict[str, Any]) -> Effect:
    def send() -> None:
        socketio.emit(WORKSPACE_CHANGED, message, to=f"t{team_id}")
        socketio.emit(WORKSPACE_CHANGED, message, to=f"console{session_id}")
    return send


def _participant_write(event: str, action: Callable[[DbSession, workspace.Author, dict[str, Any]],
                                                    dict[str, Any]], doc: str) -> None:
    def handler(payload: Any = None) -> dict[str, Any]:
        def work(db: DbSession, client: Client) -> tuple[dict[str, Any], list[Effect]]:
            data = protocol.mapping(payload)
            author = workspace.author_of(db, client.id)
            reply = action(db, author, data)
            message = {"event": event, **reply}
            return reply, [_tell_team(author.session_id, author.team_id, message)]
        return run_write(("participant",), work)
    handler.__name__ = f"on_{event}"
    handler.__doc__ = doc
    socketio.on_event(event, handler)


_participant_write(EDIT_FIELD, workspace.edit_field,
                   "A phone saves a field of its team's workspace; a stale edit gets a conflict.")
_participant_write(ADD_ITEM, workspace.add_item, "A phone adds a row to its team's workspace.")
_participant_write(REMOVE_ITEM, workspace.remove_item, "A phone removes a row of its team's workspace.")
_participant_write(MARK_ITEM, workspace.mark_item,
                   "A phone marks an earlier commitment or cycle done, partly or not done.")


def _gallery_write(event: str, action: Callable[[DbSession, Session, workspace.Author, dict[str, Any]],
                                                dict[str, Any]], doc: str) -> None:
    def handler(payload: Any = None) -> dict[str, Any]:
        def work(db: DbSession, client: Client) -> tuple[dict[str, Any], list[Effect]]:
            data = protocol.mapping(payload)
            author = workspace.author_of(db, client.id)
            session = db.get(Session, author.session_id)
            if session is None:
                raise Refused("this session has ended", "gone")
            reply = action(db, session, author, data)
            return reply, [lambda: pending.dots.add(session.id)]
        return run_write(("participant",), work)
    handler.__name__ = f"on_{event}"
    handler.__doc__ = doc
    socketio.on_event(event, handler)


_gallery_write(PLACE_DOT, gallery.place_dot, "A phone places a dot; the projector's totals follow.")
_gallery_write(REMOVE_DOT, gallery.remove_dot, "A phone takes a dot back.")
_gallery_write(ADD_COMMENT, gallery.add_comment, "A phone comments on another team's storyboard.")


@socketio.on(REQUEST_GALLERY)
def on_request_gallery(payload: Any = None) -> dict[str, Any]:
    """A phone (once revealed) or a console asks for the storyboards; it receives `gallery`."""
    client = clients.get(current_sid())
    if client is None:
        return Refused("connect again: this connection is not signed in", "not_connected").reply()
    db = database().session()
    try:
        session = db.get(Session, client.session_id)
        if session is None:
            return Refused("this session has ended", "gone").reply()
        viewer = workspace.author_of(db, client.id) if client.kind == "participant" else None
        board = gallery.gallery(db, session, viewer)
    except Refused as refused:
        return refused.reply()
    finally:
        db.close()
    socketio.emit(GALLERY, board, to=current_sid())
    return {"ok": True}


def _reveal(db: DbSession, session: Session, data: dict[str, Any]) -> list[Effect]:
    session.storyboards_revealed = protocol.flag(data, "visible")
    db.flush()
    return [lambda: pending.dots.add(session.id)]


staff_event(REVEAL_STORYBOARDS, _reveal,
            "Reveal the storyboards to the room for the gallery walk, or hide them.")
