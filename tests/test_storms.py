"""What keeps a full room answering when everyone arrives at once: a join storm, a reconnect
storm after a restart. The figures are in docs/benchmarks.md (bench/room_load.py); these tests
pin the behaviour that makes them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from live import protocol
from live.sockets import socketio

from .helpers import FIXTURES, POSTGRES, connect, flush, last, received


def test_teammates_learn_who_joined_once_a_round_not_once_a_join(app, join_phone, room) -> None:
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    ana.get_received()
    join_phone("Riverside Clinic", "Ben")
    join_phone("Riverside Clinic", "Cy")
    assert protocol.ROSTER not in received(ana), "nothing is sent until the round"
    flush(app)
    rosters = received(ana)[protocol.ROSTER]
    assert rosters == [{"team_id": rosters[0]["team_id"], "names": ["Ana", "Ben", "Cy"], "waiting": []}]


def test_the_console_hears_of_several_commands_once_after_the_phones_heard_of_them(
    app, join_phone, room, faculty_client
) -> None:
    """A full room's console state is slow to build: it goes out in the broadcast round after
    the commands, once, not in the middle of the phones' `room` messages (whose last phones it
    would hold up: the reveal's p95 doubled in some runs of bench/room_load.py)."""
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    console = connect(app, faculty_client, room["code"], "console")
    flush(app)
    for client in (ana, console):
        client.get_received()
    poll = next(a for a in last_state(console) if a["kind"] == "poll")
    app.config["FLUSH_IN_BACKGROUND"] = True  # as served (the loop itself is not started here)
    try:
        for event in (protocol.OPEN_ACTIVITY, protocol.CLOSE_ACTIVITY, protocol.OPEN_ACTIVITY):
            assert console.emit(event, {"activity_id": poll["id"]}, callback=True)["ok"]
        assert len(received(ana)[protocol.ROOM]) == 3  # the phones at once
        assert protocol.STATE not in received(console)
        flush(app)
        states = received(console)[protocol.STATE]
        assert len(states) == 1
        assert next(a for a in states[0]["activities"] if a["id"] == poll["id"])["state"] == "open"
    finally:
        app.config["FLUSH_IN_BACKGROUND"] = False


def last_state(console: Any) -> list[dict[str, Any]]:
    console.emit(protocol.REQUEST_STATE, {}, callback=True)
    activities: list[dict[str, Any]] = last(console, protocol.STATE)["activities"]
    return activities


def test_a_socket_event_does_not_read_the_session_cookie_again(
    app, faculty_client, room, monkeypatch
) -> None:
    """Each event of a connection runs with the connection's own session (Flask-SocketIO's
    copy), not with the cookie decoded and checked afresh: the faculty's console keeps working
    event after event, and the cookie is opened once, for the connection."""
    from flask.sessions import SecureCookieSessionInterface

    opened: list[str] = []
    original = SecureCookieSessionInterface.open_session

    def counting(self: Any, flask_app: Any, request: Any) -> Any:
        opened.append(request.path)
        return original(self, flask_app, request)

    console = connect(app, faculty_client, room["code"], "console")
    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counting)
    for _ in range(5):
        assert console.emit(protocol.REQUEST_STATE, {}, callback=True) is not None
    assert last(console, protocol.STATE)["activities"], "the console still gets its state"
    assert len(opened) <= 1, opened  # the first event may open it; the next ones never


def test_a_phone_that_reconnects_sends_nothing_to_anyone_else(app, join_phone, room, faculty_client) -> None:
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    ben_web = join_phone("Riverside Clinic", "Ben")
    ben = connect(app, ben_web, room["code"])
    console = connect(app, faculty_client, room["code"], "console")
    flush(app)
    for client in (ana, console):
        client.get_received()
    ben.disconnect()
    ben = connect(app, ben_web, room["code"])
    assert last(ben, protocol.STATE)["me"]["name"] == "Ben"
    flush(app)
    assert received(ana) == {}
    assert received(console) == {}


def test_the_states_of_a_whole_room_take_a_few_queries_however_many_phones(app, join_phone, room) -> None:
    from live.context import database
    from live.models import Participant
    from live.room.state import participant_states

    teams = ["Riverside Clinic", "Hilltop Practice"]
    for n in range(24):
        join_phone(teams[n % 2], f"Person {n}")
    with app.app_context():
        db = database().session()
        people = db.execute(select(Participant.id, Participant.team_id).order_by(Participant.id)).all()
        ids = [p.id for p in people]
        two = [p.id for p in people if p.team_id == people[0].team_id][:2]  # teammates
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(database().engine, "before_cursor_execute", count)
        try:
            few = participant_states(db, two)
            db.expire_all()
            statements.clear()
            participant_states(db, two)
            for_two = len(statements)
            db.expire_all()
            statements.clear()
            everyone = participant_states(db, ids)
            for_all = len(statements)
        finally:
            event.remove(database().engine, "before_cursor_execute", count)
        db.close()
    assert len(everyone) == 24
    # The same statements for 2 phones or 24; a second team adds its workspace (rows, fields).
    assert for_all == for_two + 2, f"24 phones in 2 teams took {for_all} statements, 2 teammates {for_two}"
    for one in (everyone[two[0]], few[two[0]]):
        one.pop("server_time")
    assert everyone[two[0]] == few[two[0]], "a phone's state is the same in a round of 2 or of 24"
    first = everyone[ids[0]]
    assert first["me"]["name"] == "Person 0"
    assert first["roster"] == [f"Person {n}" for n in range(0, 24, 2)]


def test_a_phone_that_left_before_its_turn_costs_nothing_and_a_removed_one_is_sent_away(
    app, join_phone, room, faculty_client
) -> None:
    from live.room import resync
    from live.sockets import Client, clients

    ana_web = join_phone("Riverside Clinic", "Ana")
    console = connect(app, faculty_client, room["code"], "console")
    ana_id = next(p["id"] for t in last(console, protocol.STATE)["presence"]["teams"] for p in t["people"])
    statements: list[str] = []
    event.listen(app.extensions["bsc.db"].engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with app.test_request_context():
        resync._waiting["sid-that-left"] = Client("participant", room["id"], ana_id, None)
        resync.send_round()
    assert not resync._waiting
    assert statements == [], "no state is built for a socket that has closed"

    ana = connect(app, ana_web, room["code"])
    assert console.emit(protocol.REMOVE_PARTICIPANT, {"participant_id": ana_id}, callback=True)["ok"]
    ana.get_received()
    sid = socketio.server.manager.sid_from_eio_sid(ana.eio_sid, "/")
    with app.test_request_context():
        resync._waiting[sid] = clients[sid]  # removed while waiting for its state
        resync.send_round()
    got = received(ana)
    assert protocol.STATE not in got
    assert protocol.REJOIN in got, "the phone is told to connect again, and is then sent to the join page"


@pytest.fixture
def pg_app(tmp_path: Path) -> Iterator[Any]:
    """The application on PostgreSQL (a schema of its own) with a pool of one connection."""
    import sqlalchemy

    from facilitator.app import create_app

    schema = f"bsc_pool_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(POSTGRES, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    except sqlalchemy.exc.OperationalError as error:
        admin.dispose()
        pytest.skip(f"no PostgreSQL answers at {POSTGRES} ({str(error).splitlines()[0]})")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": f"{POSTGRES}?options=-csearch_path%3D{schema}",
            "CURRICULUM": str(FIXTURES / "mini"),
            "ASYNC_MODE": "threading",
            "FLUSH_IN_BACKGROUND": False,
            "PUBLIC_URL": "http://10.0.0.5:5000",
            "DB_POOL_SIZE": 1,
            "DB_POOL_OVERFLOW": 0,
            "DB_POOL_TIMEOUT": 0.3,
        }
    )
    try:
        yield app
    finally:
        app.extensions["bsc.db"].engine.dispose()
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_when_every_connection_is_taken_work_waits_then_is_told_busy_never_an_error(pg_app, csrf) -> None:
    from live.context import curricula, database
    from live.room.sessions import add_team, create_session

    engine = pg_app.extensions["bsc.db"].engine
    assert (engine.pool.size(), engine.pool._max_overflow) == (1, 0), "the pool is what was configured"
    with pg_app.app_context(), database().transaction() as db:
        curriculum = curricula()["mini"]
        made = create_session(db, curriculum, curriculum.session("ls1"))
        add_team(db, made, "Riverside Clinic")
        code = made.join_code
    web = pg_app.test_client()
    form = {
        "team": "new",
        "new_team": "Hilltop",
        "name": "Ana",
        "csrf": csrf(web.get(f"/j/{code}").get_data(True)),
    }
    with engine.connect():  # someone else holds the only connection
        begun = time.monotonic()
        page = web.post(f"/j/{code}", data=form)
        waited = time.monotonic() - begun
    assert page.status_code == 503
    assert "The room is busy for a moment" in page.get_data(as_text=True)
    assert page.headers["Retry-After"]
    assert waited >= 0.3, "the request waited for a connection before giving up"
    assert web.post(f"/j/{code}", data=form).status_code == 303, "sent again, it joins"

    phone = connect(pg_app, web, code)
    payload = {
        "client_id": "pool-vote-1",
        "item_id": None,
        "name": "aim_what",
        "value": "Our aim",
        "base_version": 0,
    }
    with engine.connect():
        reply = phone.emit(protocol.EDIT_FIELD, payload, callback=True)
    assert reply["code"] == "busy", reply
    assert phone.emit(protocol.EDIT_FIELD, payload, callback=True)["ok"], "sent again, it is saved"
