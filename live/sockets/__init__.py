"""The Socket.IO plumbing: the server object, who is on each connection, and the rooms.

Rooms: `s<id>` every client of a learning session, `staff<id>` the projector and consoles,
`projector<id>` and `console<id>` each of those, `t<id>` a team's phones, `p<id>` one
participant's phones. The handlers live with their areas
(live/room/events.py, live/polls/events.py, live/workspaces/events.py) and are registered
by `load_handlers`; every write passes through live/sockets/pipeline.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_socketio import SocketIO

from live.protocol import Refused

socketio = SocketIO()


class SocketEventSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but a Socket.IO event does not read the cookie again.

    Flask-SocketIO runs every event in a request context made from the connection's first
    request, whose session Flask opens (the cookie decoded, its signature checked) and which
    Flask-SocketIO then replaces at once with the connection's own copy, kept in the environ
    since its first event. Handing that copy over from the start spares a vote of a 2,000-phone
    burst 7% of its time in the application."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        kept: Any = request.environ.get("saved_session")  # Flask-SocketIO's name for it
        if kept is not None:
            return kept  # type: ignore[no-any-return]
        return super().open_session(app, request)


Effect = Callable[[], None]  # a broadcast owed once a write has been committed


@dataclass
class Client:
    """Who is on the other end of a socket."""

    kind: str  # participant, projector, console
    session_id: int
    participant_id: int | None = None
    team_id: int | None = None
    have: str | None = None  # a phone's first connect: the digest of the state its page carried


clients: dict[str, Client] = {}


def current_sid() -> str:
    """The Socket.IO id of the connection being handled."""
    return str(request.sid)  # type: ignore[attr-defined]


def current_client() -> Client:
    """The client of this connection, or refuse: it never finished connecting."""
    client = clients.get(current_sid())
    if client is None:
        raise Refused("connect again: this connection is not signed in", "not_connected")
    return client


def rooms_for(client: Client) -> list[str]:
    """The Socket.IO rooms a client joins."""
    rooms = [f"s{client.session_id}"]
    if client.kind in ("projector", "console"):
        rooms += [f"staff{client.session_id}", f"{client.kind}{client.session_id}"]
    if client.team_id is not None:
        rooms.append(f"t{client.team_id}")
    if client.participant_id is not None:
        rooms.append(f"p{client.participant_id}")
    return rooms


def load_handlers() -> None:
    """Register every area's handlers on `socketio` (each module registers its own on import)."""
    import live.polls.events
    import live.questions.events
    import live.room.events
    import live.workspaces.events  # noqa: F401
