"""Socket.IO handlers of the room: connecting, the full state, and the facilitator's run of show.

Phones prove themselves with their rejoin cookie, staff with their faculty sign-in; every
client then receives `state`, whole. After every facilitator command the whole session gets
`room` and the consoles `state` again.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_socketio import emit, join_room
from sqlalchemy.orm import Session

from live import protocol
from live.context import db, faculty_id, join_url
from live.models import Activity, LearningSession
from live.polls.events import results_changed
from live.protocol import Refused
from live.room import people, requests, runofshow, state
from live.room.resync import want_state
from live.room.sessions import add_team, phone_of, session_by_code
from live.sockets import (
    Client,
    Effect,
    broadcast,
    clients,
    current_client,
    current_sid,
    limits,
    rooms_for,
    socketio,
)
from live.sockets.broadcast import batched, owe
from live.sockets.pipeline import Outcome, after_every_staff_command, answered, phone_write, staff_command
from live.writes import Author


def full_state(client: Client) -> dict[str, Any]:
    """The whole state for a client, as sent on every (re)connect."""
    session = db()
    if client.kind == "participant":
        found = state.participant_states(session, [client.participant_id or 0])
        if not found:
            raise Refused("you are no longer in this session; join again", "gone")
        return found[client.participant_id or 0]
    room = session.get(LearningSession, client.session_id)
    if room is None:
        raise Refused("this session has been removed", "gone")
    url = join_url(room.join_code)
    if client.kind == "console":
        return state.console_state(session, room, url)
    return state.projector_state(session, room, url)


@socketio.on("connect")
def on_connect(auth: Any = None) -> bool:
    """Anyone opening a page: a phone with its rejoin cookie (or `auth.token`), the projector
    or a console with a faculty sign-in. The client then receives `state`, whole: a phone's
    comes from the resync queue, so that the handshake itself is answered at once."""
    auth = auth if isinstance(auth, dict) else {}
    kind = auth.get("kind", "participant")
    code = str(auth.get("code", "")).strip().upper()
    if kind == "participant":
        # One plain statement: after a restart every phone of the room arrives at once.
        token = auth.get("token") or request.cookies.get(f"bsc_{code}")
        found = phone_of(db(), code, token)
        if found is None:
            if session_by_code(db(), code) is None:
                return False
            # Said to the phone, which then goes to the join page (removed, or never joined).
            raise ConnectionRefusedError("not_joined")
        have = auth.get("have")
        client = Client(
            "participant",
            found.session_id,
            found.id,
            found.team_id,
            have=have if isinstance(have, str) and len(have) <= 64 else None,
        )
    elif kind in ("projector", "console"):
        room = session_by_code(db(), code)
        if room is None:
            return False
        if faculty_id() is None:
            return False
        client = Client(kind, room.id)
    else:
        return False
    clients[current_sid()] = client
    for name in rooms_for(client):
        join_room(name)
    # Connecting changes neither who has joined nor any roster: nothing is sent to the others.
    if client.kind == "participant":
        want_state(current_sid(), client)
    else:
        emit(protocol.STATE, full_state(client))
    broadcast.start(current_app._get_current_object())  # type: ignore[attr-defined]
    return True


def tell_roster(session_id: int, team_id: int | None) -> None:
    """The team's phones will learn who is on the team (owners of commitments are picked from
    it); a join storm sends each team's roster once a round, not once a join."""
    if team_id is not None:
        owe(protocol.ROSTER, (session_id, team_id))


@batched(protocol.ROSTER)
def send_rosters(owed: set[tuple[int, int]]) -> None:
    by_session: dict[int, set[int]] = {}
    for session_id, team_id in owed:
        by_session.setdefault(session_id, set()).add(team_id)
    for session_id, team_ids in by_session.items():
        rosters = state.rosters(db(), session_id, team_ids)
        at_the_door = requests.waiting(db(), session_id, list(team_ids))
        for team_id in team_ids:
            socketio.emit(
                protocol.ROSTER,
                {
                    "team_id": team_id,
                    "names": rosters.get(team_id, []),
                    "waiting": at_the_door.get(team_id, []),
                },
                to=f"t{team_id}",
            )


@socketio.on("disconnect")
def on_disconnect(*_: Any) -> None:
    """A socket closed: forget it (the participant stays; they come back with their cookie)."""
    clients.pop(current_sid(), None)
    limits.forget(current_sid())


@socketio.on(protocol.REQUEST_STATE)
@answered
def on_request_state(payload: Any = None) -> dict[str, Any]:
    """Any client asks for its full state again; it receives `state`."""
    emit(protocol.STATE, full_state(current_client()))
    return {"ok": True}


# -- after every facilitator command ----------------------------------------------------------
def _room_changed(session_id: int) -> Effect:
    def send() -> None:
        room = db().get(LearningSession, session_id)
        if room is not None:
            socketio.emit(protocol.ROOM, state.room(db(), room), to=f"s{session_id}")

    return send


CONSOLE_STATE = "console_state"  # a broadcast topic (live/sockets/broadcast.py), not an event


def _console_changed(session_id: int) -> Effect:
    """Consoles get their whole state again (activities, results, people).

    With a full room that takes a while to build (50 ms or more for 2,000 phones), so it goes
    out in the next broadcast round: never in the middle of the phones' `room` messages, whose
    last phones it would hold up, and once for several commands in a row.
    """

    def later() -> None:
        if not current_app.config.get("FLUSH_IN_BACKGROUND", True):
            send_console_states({session_id})  # tests without the background loop: at once
        else:
            owe(CONSOLE_STATE, session_id)

    return later


@batched(CONSOLE_STATE)
def send_console_states(session_ids: set[int]) -> None:
    for session_id in session_ids:
        room = db().get(LearningSession, session_id)
        if room is not None:
            socketio.emit(
                protocol.STATE,
                state.console_state(db(), room, join_url(room.join_code)),
                to=f"console{session_id}",
            )


after_every_staff_command(lambda session_id: [_room_changed(session_id), _console_changed(session_id)])


# -- the facilitator's run of show -------------------------------------------------------------
def _activity(db: Session, session: LearningSession, data: dict[str, Any]) -> Activity:
    return runofshow.activity_of(db, session, protocol.integer(data, "activity_id"))


def _push(db: Session, session: LearningSession, data: dict[str, Any]) -> None:
    activity_id = data.get("activity_id")
    runofshow.push_activity(db, session, None if activity_id is None else _activity(db, session, data))


def _show(db: Session, session: LearningSession, data: dict[str, Any]) -> None:
    # The `room` message that follows carries the results; no extra broadcast is needed.
    runofshow.show_results(db, _activity(db, session, data), protocol.flag(data, "visible"))


def _reset(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    activity = _activity(db, session, data)
    runofshow.reset(db, activity)
    return [results_changed(activity.id)]


def _add_team(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    add_team(db, session, data.get("name"), data.get("organisation"), by_faculty=True)
    return [lambda: owe(protocol.PRESENCE, session.id)]


def _rename_team(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    team = people.rename_team(
        db, session, protocol.integer(data, "team_id"), data.get("name"), data.get("organisation")
    )
    return [lambda: owe(protocol.PRESENCE, session.id), _reconnect(f"t{team.id}")]


def _remove_team(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    people.remove_team(db, session, protocol.integer(data, "team_id"))
    return [lambda: owe(protocol.PRESENCE, session.id)]


def _move_participant(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    participant = people.participant_of(db, session, protocol.integer(data, "participant_id"))
    before = participant.team_id
    people.move_participant(db, session, participant.id, protocol.integer(data, "team_id"))
    after = participant.team_id
    return [
        lambda: owe(protocol.PRESENCE, session.id),
        _reconnect(f"p{participant.id}"),
        lambda: tell_roster(session.id, before),
        lambda: tell_roster(session.id, after),
    ]


def _remove_participant(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    participant = people.participant_of(db, session, protocol.integer(data, "participant_id"))
    team_id = participant.team_id
    people.remove_participant(db, participant)
    return [
        lambda: owe(protocol.PRESENCE, session.id),
        _reconnect(f"p{participant.id}"),
        lambda: tell_roster(session.id, team_id),
    ]


def _door_changed(session_id: int, team_id: int) -> list[Effect]:
    """Someone asked to join a team, or was answered: the team's phones and the consoles see
    who is still waiting."""
    return [lambda: tell_roster(session_id, team_id), lambda: owe(protocol.PRESENCE, session_id)]


def _answer_join(db: Session, author: Author, data: dict[str, Any]) -> Outcome:
    approve = protocol.flag(data, "approve")
    request = requests.decide(
        db, author.session_id, protocol.integer(data, "request_id"), approve, author.name, author.team_id
    )
    return {"ok": True}, _door_changed(author.session_id, request.team_id)


def _decide_join(db: Session, session: LearningSession, data: dict[str, Any]) -> list[Effect]:
    approve = protocol.flag(data, "approve")
    request = requests.decide(db, session.id, protocol.integer(data, "request_id"), approve, requests.FACULTY)
    return _door_changed(session.id, request.team_id)


phone_write(
    protocol.ANSWER_JOIN,
    _answer_join,
    "A member lets someone waiting at the team's door in (they join), or not.",
)


def _reconnect(room: str) -> Effect:
    """Phones connect again and take their state afresh: a moved participant joins their new
    team's room, a removed one is refused and goes to the join page, a renamed team sees its name."""
    return lambda: socketio.emit(protocol.REJOIN, {}, to=room)


staff_command(
    protocol.GO_TO_ITEM,
    lambda db, s, d: runofshow.go_to_item(db, s, runofshow.item_of(db, s, protocol.integer(d, "item_id"))),
    "Move the room to an agenda item.",
)
staff_command(protocol.NEXT_ITEM, lambda db, s, d: runofshow.step(db, s, +1), "Next agenda item.")
staff_command(protocol.PREVIOUS_ITEM, lambda db, s, d: runofshow.step(db, s, -1), "Previous agenda item.")
staff_command(protocol.PUSH_ACTIVITY, _push, "Show an activity (or none) on every phone.")
staff_command(
    protocol.OPEN_ACTIVITY,
    lambda db, s, d: runofshow.set_state(db, _activity(db, s, d), "open"),
    "Open an activity for answers (and show it on every phone).",
)
staff_command(
    protocol.CLOSE_ACTIVITY,
    lambda db, s, d: runofshow.set_state(db, _activity(db, s, d), "closed"),
    "Close an activity: no more answers.",
)
staff_command(protocol.RESET_ACTIVITY, _reset, "Start an activity's answers afresh.")
staff_command(protocol.SHOW_RESULTS, _show, "Reveal or hide a poll's results on the projector and phones.")
staff_command(
    protocol.START_TIMER,
    lambda db, s, d: runofshow.start_timer(db, s, protocol.integer(d, "seconds", 0, protocol.MAX_TIMER)),
    "Start (or resume) the countdown.",
)
staff_command(protocol.PAUSE_TIMER, lambda db, s, d: runofshow.pause_timer(db, s), "Pause the countdown.")
staff_command(protocol.CLEAR_TIMER, lambda db, s, d: runofshow.clear_timer(db, s), "Remove the countdown.")
staff_command(
    protocol.SET_LOCK,
    lambda db, s, d: runofshow.set_lock(db, s, protocol.flag(d, "locked")),
    "Lock or unlock answers and edits from phones.",
)
staff_command(protocol.ADD_TEAM, _add_team, "Add a team to the session.")
staff_command(protocol.RENAME_TEAM, _rename_team, "Correct a team's name or organisation.")
staff_command(protocol.REMOVE_TEAM, _remove_team, "Take away a team made by mistake (it must be empty).")
staff_command(protocol.MOVE_PARTICIPANT, _move_participant, "Put a participant in another team.")
staff_command(
    protocol.REMOVE_PARTICIPANT,
    _remove_participant,
    "Take a participant out of the session: their link stops working, their answers no longer count.",
)
staff_command(protocol.DECIDE_JOIN, _decide_join, "Let someone waiting at a team's door in, or not.")
staff_command(
    protocol.SHOW_JOIN,
    lambda db, s, d: runofshow.show_join(db, s, protocol.flag(d, "visible")),
    "Show the projector's big join panel, or put it in its corner.",
)


@batched(protocol.PRESENCE)
def send_presence(session_ids: set[int]) -> None:
    """How many have joined, per team, to the projector; and who, to the consoles."""
    for session_id in session_ids:
        room = db().get(LearningSession, session_id)
        if room is not None:
            socketio.emit(protocol.PRESENCE, state.presence(db(), room), to=f"projector{session_id}")
            socketio.emit(
                protocol.PRESENCE, state.presence(db(), room, people=True), to=f"console{session_id}"
            )
