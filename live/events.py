"""Socket.IO handlers: authenticate on connect, validate, call a service, commit, then emit.

Rooms: `s<id>` every client of a session, `staff<id>` the projector and consoles,
`console<id>` consoles only, `t<id>` a team's phones.
Every write handler answers with an acknowledgement: {"ok": true, ...} or
{"ok": false, "error": "what is wrong"}; nothing is broadcast unless it was committed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Flask, current_app, request
from flask import session as web_session
from flask_socketio import SocketIO, emit, join_room
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from live import gallery, polls, protocol, runofshow, state
from live.context import curricula, database, join_url
from live.models import Activity, Participant, Session
from live.protocol import Refused
from live.sessions import add_team, participant_by_token, session_by_code

socketio = SocketIO()

RESULTS_EVERY = 0.25  # seconds between results pushes to the projector and consoles
PHONE_RESULTS_EVERY = 1.0  # ... and to phones, once results are revealed


@dataclass
class Client:
    """Who is on the other end of a socket."""

    kind: str  # participant, projector, console
    session_id: int
    participant_id: int | None = None
    team_id: int | None = None

    @property
    def id(self) -> int:
        """The participant's id (phones only): a Client stands in as the voter."""
        if self.participant_id is None:
            raise Refused("only participants answer polls", "forbidden")
        return self.participant_id


@dataclass
class _Pending:
    """Broadcasts owed after writes, sent in batches by the flusher."""

    results: set[int] = field(default_factory=set)
    phone_results: set[int] = field(default_factory=set)
    presence: set[int] = field(default_factory=set)
    dots: set[int] = field(default_factory=set)
    last_phone_push: float = 0.0


clients: dict[str, Client] = {}
pending = _Pending()
_flusher_started = False

Effect = Callable[[], None]


def rooms_for(client: Client) -> list[str]:
    rooms = [f"s{client.session_id}"]
    if client.kind in ("projector", "console"):
        rooms.append(f"staff{client.session_id}")
    if client.kind == "console":
        rooms.append(f"console{client.session_id}")
    if client.team_id is not None:
        rooms.append(f"t{client.team_id}")
    return rooms


def current_sid() -> str:
    """The Socket.IO id of the connection being handled."""
    return str(request.sid)  # type: ignore[attr-defined]


def _session(db: DbSession, client: Client) -> Session:
    session = db.get(Session, client.session_id)
    if session is None:
        raise Refused("this session has been removed", "gone")
    return session


def _driver_diagram(session: Session) -> dict[str, Any] | None:
    """The collaborative's driver diagram from its curriculum, for the team to choose from."""
    curriculum = curricula().get(session.collaborative.curriculum_id)
    if curriculum is None or curriculum.topic_pack is None:
        return None
    return asdict(curriculum.topic_pack.driver_diagram)


def _full_state(db: DbSession, client: Client) -> dict[str, Any]:
    if client.kind == "participant":
        participant = db.get(Participant, client.participant_id)
        if participant is None:
            raise Refused("you are no longer in this session; join again", "gone")
        return state.participant_state(db, participant, _driver_diagram(participant.session))
    session = _session(db, client)
    url = join_url(session.join_code)
    if client.kind == "console":
        return state.console_state(db, session, url)
    return state.projector_state(db, session, url)


@socketio.on("connect")
def on_connect(auth: Any = None) -> bool:
    """Anyone opening a page. Phones prove themselves with their rejoin cookie, staff with
    their faculty sign-in; the client then receives `state`, whole."""
    global _flusher_started
    auth = auth if isinstance(auth, dict) else {}
    kind = auth.get("kind", "participant")
    code = str(auth.get("code", ""))
    db = database().session()
    try:
        session = session_by_code(db, code)
        if session is None:
            return False
        if kind == "participant":
            token = auth.get("token") or request.cookies.get(f"bsc_{session.join_code}")
            participant = participant_by_token(db, token)
            if participant is None or participant.session_id != session.id:
                return False
            client = Client("participant", session.id, participant.id, participant.team_id)
        elif kind in ("projector", "console"):
            if web_session.get("facilitator_id") is None:
                return False
            client = Client(kind, session.id)
        else:
            return False
        clients[current_sid()] = client
        for room in rooms_for(client):
            join_room(room)
        emit(protocol.STATE, _full_state(db, client))
    finally:
        db.close()
    if client.kind == "participant":
        pending.presence.add(client.session_id)
        _tell_roster(client)
    if not _flusher_started and current_app.config.get("FLUSH_IN_BACKGROUND", True):
        _flusher_started = True
        socketio.start_background_task(_flusher, current_app._get_current_object())  # type: ignore[attr-defined]
    return True


def _tell_roster(client: Client) -> None:
    """The team's phones learn who is on the team (owners of commitments are picked from it)."""
    db = database().session()
    try:
        names = list(db.scalars(select(Participant.display_name).where(
            Participant.team_id == client.team_id, Participant.session_id == client.session_id)
            .order_by(Participant.id)))
    finally:
        db.close()
    socketio.emit(protocol.ROSTER, {"team_id": client.team_id, "names": names}, to=f"t{client.team_id}")


@socketio.on("disconnect")
def on_disconnect(*_: Any) -> None:
    """A socket closed: forget it (the participant stays; they come back with their cookie)."""
    clients.pop(current_sid(), None)


def run_write(client_kinds: tuple[str, ...], work: Callable[[DbSession, Client], tuple[dict[str, Any],
         list[Effect]]]) -> dict[str, Any]:
    """One write: check who sends it, run it in one transaction, then its broadcasts."""
    client = clients.get(current_sid())
    if client is None:
        return Refused("connect again: this connection is not signed in", "not_connected").reply()
    if client.kind not in client_kinds:
        return Refused("only the facilitator can do that", "forbidden").reply()
    for attempt in (1, 2):
        try:
            with database().transaction() as db:
                reply, effects = work(db, client)
            break
        except Refused as refused:
            return refused.reply()
        except IntegrityError:
            # Two writes for the same answer raced; the second try sees the first.
            if attempt == 2:
                return Refused("that clashed with another change; try again", "conflict").reply()
    for effect in effects:
        effect()
    return reply


def _room_changed(session_id: int) -> Effect:
    def send() -> None:
        db = database().session()
        try:
            session = db.get(Session, session_id)
            if session is not None:
                socketio.emit(protocol.ROOM, state.room(db, session), to=f"s{session_id}")
        finally:
            db.close()
    return send


def _console_changed(session_id: int) -> Effect:
    """Consoles get their whole state again (activities, results, people).

    With a full room that takes a while to build, so it runs after the phones' `room`
    messages have gone out, in its own greenlet.
    """
    def send() -> None:
        db = database().session()
        try:
            session = db.get(Session, session_id)
            if session is not None:
                socketio.emit(protocol.STATE, state.console_state(db, session, join_url(session.join_code)),
                              to=f"console{session_id}")
        finally:
            db.close()

    def later() -> None:
        if not current_app.config.get("FLUSH_IN_BACKGROUND", True):
            send()
            return
        app = current_app._get_current_object()  # type: ignore[attr-defined]

        def run() -> None:
            with app.app_context():
                send()
        socketio.start_background_task(run)
    return later


def _results_changed(activity_id: int) -> Effect:
    def mark() -> None:
        pending.results.add(activity_id)
    return mark


# -- phones ----------------------------------------------------------------------------------
@socketio.on(protocol.CAST_VOTE)
def on_cast_vote(payload: Any = None) -> dict[str, Any]:
    """A phone answers a poll. Acknowledged to that phone; results go to the projector and
    consoles (batched); a team-wide answer goes to the team's phones as `team_answer`."""
    def work(db: DbSession, client: Client) -> tuple[dict[str, Any], list[Effect]]:
        reply, tell_team = polls.cast_vote(db, client, protocol.cast_vote(payload))
        effects = [_results_changed(reply["activity_id"])]
        if tell_team:
            participant = db.get(Participant, client.participant_id)
            message = {"activity_id": reply["activity_id"], "value": reply["value"],
                       "by": participant.display_name if participant else ""}
            team = f"t{client.team_id}"
            effects.append(lambda: socketio.emit(protocol.TEAM_ANSWER, message, to=team))
        return reply, effects
    return run_write(("participant",), work)


@socketio.on(protocol.REQUEST_STATE)
def on_request_state(payload: Any = None) -> dict[str, Any]:
    """Any client asks for its full state again; it receives `state`."""
    client = clients.get(current_sid())
    if client is None:
        return Refused("connect again: this connection is not signed in", "not_connected").reply()
    db = database().session()
    try:
        emit(protocol.STATE, _full_state(db, client))
    finally:
        db.close()
    return {"ok": True}


# -- the facilitator -------------------------------------------------------------------------
def staff_event(event: str, action: Callable[[DbSession, Session, dict[str, Any]], list[Effect] | None],
           doc: str) -> None:
    """Register a facilitator-only event: the whole room receives `room` afterwards."""
    def handler(payload: Any = None) -> dict[str, Any]:
        def work(db: DbSession, client: Client) -> tuple[dict[str, Any], list[Effect]]:
            data = protocol.mapping(payload)
            session = _session(db, client)
            extra = action(db, session, data) or []
            return {"ok": True}, [_room_changed(session.id), _console_changed(session.id), *extra]
        return run_write(("console",), work)
    handler.__name__ = f"on_{event}"
    handler.__doc__ = doc
    socketio.on_event(event, handler)


def _activity(db: DbSession, session: Session, data: dict[str, Any]) -> Activity:
    return runofshow.activity_of(db, session, protocol.integer(data, "activity_id"))


def _push(db: DbSession, session: Session, data: dict[str, Any]) -> None:
    activity_id = data.get("activity_id")
    runofshow.push_activity(db, session, None if activity_id is None else _activity(db, session, data))


def _show(db: DbSession, session: Session, data: dict[str, Any]) -> None:
    # The `room` message that follows carries the results; no extra broadcast is needed.
    runofshow.show_results(db, _activity(db, session, data), protocol.flag(data, "visible"))


def _approve(db: DbSession, session: Session, data: dict[str, Any]) -> list[Effect]:
    activity = _activity(db, session, data)
    polls.approve_answer(db, activity, protocol.integer(data, "response_id"), protocol.flag(data, "approved"))
    return [_results_changed(activity.id)]


def _add_team(db: DbSession, session: Session, data: dict[str, Any]) -> list[Effect]:
    add_team(db, session, protocol.text(data, "name", protocol.MAX_TEAM),
             protocol.text(data, "organisation", protocol.MAX_ORGANISATION, required=False))
    return [lambda: pending.presence.add(session.id)]


staff_event(protocol.GO_TO_ITEM, lambda db, s, d: runofshow.go_to_item(
    db, s, runofshow.item_of(db, s, protocol.integer(d, "item_id"))),
    "Move the room to an agenda item.")
staff_event(protocol.NEXT_ITEM, lambda db, s, d: runofshow.step(db, s, +1), "Next agenda item.")
staff_event(protocol.PREVIOUS_ITEM, lambda db, s, d: runofshow.step(db, s, -1), "Previous agenda item.")
staff_event(protocol.PUSH_ACTIVITY, _push, "Show an activity (or none) on every phone.")
staff_event(protocol.OPEN_ACTIVITY, lambda db, s, d: runofshow.set_state(db, _activity(db, s, d), "open"),
       "Open an activity for answers (and show it on every phone).")
staff_event(protocol.CLOSE_ACTIVITY, lambda db, s, d: runofshow.set_state(db, _activity(db, s, d), "closed"),
       "Close an activity: no more answers.")
staff_event(protocol.RESET_ACTIVITY, lambda db, s, d: [_results_changed(_reset(db, s, d))],
       "Start an activity's answers afresh.")
staff_event(protocol.SHOW_RESULTS, _show, "Reveal or hide a poll's results on the projector and phones.")
staff_event(protocol.START_TIMER, lambda db, s, d: runofshow.start_timer(
    db, s, protocol.integer(d, "seconds", 0, protocol.MAX_TIMER)), "Start (or resume) the countdown.")
staff_event(protocol.PAUSE_TIMER, lambda db, s, d: runofshow.pause_timer(db, s), "Pause the countdown.")
staff_event(protocol.CLEAR_TIMER, lambda db, s, d: runofshow.clear_timer(db, s), "Remove the countdown.")
staff_event(protocol.SET_LOCK, lambda db, s, d: runofshow.set_lock(db, s, protocol.flag(d, "locked")),
       "Lock or unlock answers and edits from phones.")
staff_event(protocol.APPROVE_ANSWER, _approve, "Show an open answer on the projector's wall, or not.")
staff_event(protocol.ADD_POLL, lambda db, s, d: _discard(runofshow.add_poll(db, s, d)),
       "Add an ad-hoc poll at the current agenda item.")
staff_event(protocol.ADD_TEAM, _add_team, "Add a team to the session.")


def _discard(_: object) -> None:
    """For actions whose result the room does not need (it gets `room` and `state`)."""


def _reset(db: DbSession, session: Session, data: dict[str, Any]) -> int:
    activity = _activity(db, session, data)
    runofshow.reset(db, activity)
    return activity.id


# -- batched broadcasts ----------------------------------------------------------------------
def _flusher(app: Flask) -> None:
    """Push owed results and presence a few times a second, never once per vote."""
    while True:
        socketio.sleep(RESULTS_EVERY)
        try:
            with app.app_context():
                flush()
        except Exception:  # keep the room running; the next round retries
            app.logger.exception("broadcast failed")


def flush() -> None:
    """Send every owed `poll_results` and `presence` message now."""
    activity_ids, pending.results = pending.results, set()
    presence_ids, pending.presence = pending.presence, set()
    dot_ids, pending.dots = pending.dots, set()
    if not activity_ids and not presence_ids and not dot_ids and not pending.phone_results:
        return
    db = database().session()
    try:
        for activity_id in activity_ids:
            activity = db.get(Activity, activity_id)
            if activity is None or activity.kind != "poll":
                continue
            public = {"activity_id": activity.id, "visible": activity.results_visible,
                      "results": polls.results(db, activity)}
            socketio.emit(protocol.POLL_RESULTS, public, to=f"staff{activity.session_id}")
            staff = {**public, "results": polls.results(db, activity, approved_only=False),
                     "by_team": polls.results_by_team(db, activity), "console": True}
            socketio.emit(protocol.POLL_RESULTS, staff, to=f"console{activity.session_id}")
            if activity.results_visible:
                pending.phone_results.add(activity.id)
        if pending.phone_results and time.monotonic() - pending.last_phone_push >= PHONE_RESULTS_EVERY:
            pending.last_phone_push = time.monotonic()
            ids, pending.phone_results = pending.phone_results, set()
            for activity_id in ids:
                activity = db.get(Activity, activity_id)
                if activity is not None and activity.results_visible:
                    socketio.emit(protocol.POLL_RESULTS,
                                  {"activity_id": activity.id, "visible": True,
                                   "results": polls.results(db, activity)},
                                  to=f"s{activity.session_id}", skip_sid=None)
        for session_id in dot_ids:
            session = db.get(Session, session_id)
            if session is not None and session.storyboards_revealed:
                socketio.emit(protocol.DOTS, gallery.dot_totals(db, session), to=f"s{session_id}")
        for session_id in presence_ids:
            session = db.get(Session, session_id)
            if session is not None:
                socketio.emit(protocol.PRESENCE, state.presence(db, session), to=f"staff{session_id}")
    finally:
        db.close()
