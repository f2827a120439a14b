"""Hardening the room: times with their zone, every write answered, hostile text refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from live import protocol

from .helpers import connect, last


@pytest.fixture
def console(app: Any, faculty_client: Any, room: dict[str, Any]) -> Any:
    return connect(app, faculty_client, room["code"], "console")


def test_the_timer_is_sent_with_its_zone_and_pauses_on_sqlite(console: Any) -> None:
    assert console.emit(protocol.START_TIMER, {"seconds": 90}, callback=True) == {"ok": True}
    shared = last(console, protocol.ROOM)
    ends, server = (
        datetime.fromisoformat(shared["timer"]["ends_at"]),
        datetime.fromisoformat(shared["server_time"]),
    )
    assert ends.utcoffset() == timedelta(0)
    assert server.utcoffset() == timedelta(0)
    assert timedelta(seconds=85) < ends - server <= timedelta(seconds=90)
    assert console.emit(protocol.PAUSE_TIMER, {}, callback=True) == {"ok": True}
    paused = last(console, protocol.ROOM)["timer"]
    assert paused["running"] is False
    assert 85 <= paused["remaining"] <= 90
    assert console.emit(protocol.START_TIMER, {"seconds": 0}, callback=True) == {"ok": True}
    assert datetime.fromisoformat(last(console, protocol.ROOM)["timer"]["ends_at"]).utcoffset() == timedelta(
        0
    )


def test_every_stored_time_comes_back_in_utc(app: Any, room: dict[str, Any]) -> None:
    from live.context import database
    from live.models import LearningSession

    with app.app_context():
        db = database().session()
        session = db.get(LearningSession, room["id"])
        assert session is not None
        assert session.created_at.utcoffset() == timedelta(0)
        db.close()


HOSTILE = [
    pytest.param("x\udc00y", "broken character", id="lone-surrogate"),
    pytest.param("gnp\u202eexe.", "hidden text-direction mark", id="bidi-override"),
    pytest.param("a\u2066b", "hidden text-direction mark", id="bidi-isolate"),
    pytest.param("a\x9bb", "control character", id="c1-control"),
    pytest.param("a\x07b", "control character", id="c0-control"),
]


@pytest.mark.parametrize(("text", "found"), HOSTILE)
def test_hostile_text_is_refused_with_an_answer_in_every_write(
    app: Any, join_phone: Any, room: dict[str, Any], console: Any, text: str, found: str
) -> None:
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    river = last(phone, protocol.STATE)["me"]["team"]["id"]
    row = phone.emit(protocol.ADD_ITEM, {"client_id": "hostile-row-01", "kind": "commitment"}, callback=True)
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    console.emit(protocol.REVEAL_STORYBOARDS, {"visible": True}, callback=True)
    writes = [
        (
            phone,
            protocol.EDIT_FIELD,
            {
                "client_id": "hostile-edit-1",
                "item_id": None,
                "name": "aim_what",
                "value": text,
                "base_version": 0,
            },
        ),
        (
            phone,
            protocol.EDIT_FIELD,
            {
                "client_id": "hostile-edit-2",
                "item_id": row["item"]["id"],
                "name": "what",
                "value": text,
                "base_version": 0,
            },
        ),
        (ben, protocol.ADD_COMMENT, {"client_id": "hostile-comment", "team_id": river, "text": text}),
        (console, protocol.ADD_TEAM, {"name": text}),
        (console, protocol.ADD_POLL, {"poll_type": "open", "prompt": text}),
        (console, protocol.ADD_POLL, {"poll_type": "choice", "prompt": "Q", "options": ["fine", text]}),
    ]
    for sender, event, payload in writes:
        reply = sender.emit(event, payload, callback=True)
        assert reply["ok"] is False, (event, reply)
        assert found in reply["error"], (event, reply)
    # The phone's queue is not stuck behind them: its next write goes through.
    assert phone.emit(
        protocol.EDIT_FIELD,
        {
            "client_id": "after-hostile",
            "item_id": None,
            "name": "aim_what",
            "value": "Screen every child 🌟",
            "base_version": 0,
        },
        callback=True,
    )["ok"]
    assert river


def test_a_team_name_with_a_direction_override_is_refused_on_the_join_page(
    client: Any, room: dict[str, Any], csrf: Any
) -> None:
    page = client.get(f"/j/{room['code']}")
    reply = client.post(
        f"/j/{room['code']}",
        data={
            "team": "new",
            "new_team": "gnp\u202eexe.",
            "name": "Ana 🌟",
            "csrf": csrf(page.get_data(as_text=True)),
        },
    )
    assert reply.status_code == 400
    text = reply.get_data(as_text=True)
    assert "the team name holds a hidden text-direction mark" in text
    assert 'value="Ana 🌟"' in text  # what was typed stays in the form


def test_an_unknown_event_is_answered(app: Any, join_phone: Any, room: dict[str, Any]) -> None:
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    reply = phone.emit("cast_votes", {"client_id": "typo-event-01"}, callback=True)
    assert reply == {
        "ok": False,
        "error": "there is no event 'cast_votes' in this room",
        "code": "unknown_event",
    }


def test_a_write_that_meets_a_busy_database_is_answered(
    app: Any, join_phone: Any, room: dict[str, Any], console: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from live.polls import service

    poll = last(console, protocol.STATE)["activities"][0]["id"]
    console.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True)
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])

    def busy(*_: Any) -> Any:
        raise OperationalError("INSERT ...", {}, Exception("database is locked"))

    monkeypatch.setattr(service, "cast_vote", busy)
    reply = phone.emit(
        protocol.CAST_VOTE, {"client_id": "busy-vote-001", "activity_id": poll, "value": 1}, callback=True
    )
    assert reply["code"] == "busy"
    monkeypatch.undo()
    again = phone.emit(
        protocol.CAST_VOTE, {"client_id": "busy-vote-001", "activity_id": poll, "value": 1}, callback=True
    )
    assert again["ok"]  # the retry of the same write is applied (the busy one changed nothing)


def test_team_folders_in_the_plans_zip_never_collide() -> None:
    from exports.packet import unique_slugs

    names = ["Dup", "Dup!", "Dup 2", "dup-2", "Dup 2"]
    folders = unique_slugs(names)
    assert len(set(folders)) == len(names), folders
    assert folders[0] == "dup"


def test_an_expired_join_form_comes_back_with_what_was_typed(client: Any, room: dict[str, Any]) -> None:
    client.get(f"/j/{room['code']}")
    reply = client.post(
        f"/j/{room['code']}",
        data={
            "team": "new",
            "new_team": "Riverside Clinic 2",
            "name": "Ana",
            "csrf": "stale-token-from-yesterday",
        },
    )
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    assert "This form had expired: check it and send it again." in page
    assert 'value="Riverside Clinic 2"' in page
    assert 'value="Ana"' in page


def test_an_oversized_join_form_comes_back_with_a_reason_not_a_bare_413(
    client: Any, room: dict[str, Any], csrf: Any
) -> None:
    token = csrf(client.get(f"/j/{room['code']}").get_data(as_text=True))
    reply = client.post(
        f"/j/{room['code']}", data={"team": "new", "new_team": "R", "name": "a" * 70_000, "csrf": token}
    )
    assert reply.status_code == 400
    assert "more text than the form takes" in reply.get_data(as_text=True)
    assert '<form method="post"' in reply.get_data(as_text=True)


def test_signing_out_ends_the_sign_in_on_the_server(
    app: Any, faculty_client: Any, room: dict[str, Any], csrf: Any
) -> None:
    from live.sockets import socketio

    stolen = app.test_client()
    cookie = faculty_client.get_cookie("session")
    assert cookie is not None
    stolen.set_cookie("session", cookie.value)  # a copy of the cookie, taken before sign-out
    assert stolen.get("/console").status_code == 200
    token = csrf(faculty_client.get("/console").get_data(as_text=True))
    assert faculty_client.post("/logout", data={"csrf": token}).status_code == 303
    assert stolen.get("/console").status_code == 302  # the copy no longer opens the console
    socket = socketio.test_client(
        app, flask_test_client=stolen, auth={"kind": "console", "code": room["code"]}
    )
    assert not socket.is_connected()


def test_a_sign_in_lasts_a_long_day_not_a_month(app: Any, faculty_client: Any) -> None:
    from sqlalchemy import update

    from live.context import database
    from live.models import FacultySession, now

    assert app.config["PERMANENT_SESSION_LIFETIME"] <= timedelta(hours=14)
    with app.app_context(), database().transaction() as db:
        db.execute(update(FacultySession).values(expires_at=now() - timedelta(minutes=1)))
    assert faculty_client.get("/console").status_code == 302


def test_a_head_request_leaves_the_one_time_sign_in_link_unused(app: Any) -> None:
    from facilitator.auth import create_login_link, ensure_facilitator
    from live.context import database

    with app.app_context(), database().transaction() as db:
        token = create_login_link(db, ensure_facilitator(db))
    browser = app.test_client()
    assert browser.head(f"/login/{token}").status_code == 200  # a link preview
    assert browser.get(f"/login/{token}").status_code == 303  # still works
    assert app.test_client().get(f"/login/{token}").status_code == 401  # and only once


def test_the_sqlite_file_is_readable_by_its_owner_only(app: Any) -> None:
    import os
    import stat
    from pathlib import Path

    path = Path(app.config["DATA_DIR"]) / "bsc.sqlite3"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_pages_may_open_sockets_to_their_own_origin_only(client: Any, room: dict[str, Any]) -> None:
    policy = client.get(f"/j/{room['code']}").headers["Content-Security-Policy"]
    assert "connect-src 'self';" in policy
    assert "ws:" not in policy


def test_behind_a_tls_proxy_cookies_are_secure(tmp_path: Any) -> None:
    from facilitator.app import create_app

    from .helpers import FIXTURES

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATA_DIR": str(tmp_path),
            "ASYNC_MODE": "threading",
            "CURRICULUM": str(FIXTURES / "mini"),
            "PUBLIC_URL": "https://room.example.org",
            "PROXY_FIX": 1,
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    from live.context import curricula, database
    from live.room.sessions import create_session

    with app.app_context(), database().transaction() as db:
        code = create_session(db, curricula()["mini"], curricula()["mini"].session("ls1")).join_code
    web = app.test_client()
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Host": "room.example.org",
    }
    page = web.get(f"/j/{code}", headers=headers)
    token = page.get_data(as_text=True).split('name="csrf" value="')[1].split('"')[0]
    reply = web.post(
        f"/j/{code}",
        headers=headers,
        data={"team": "new", "new_team": "Riverside", "name": "Ana", "csrf": token},
    )
    assert reply.status_code == 303
    rejoin = next(c for c in reply.headers.getlist("Set-Cookie") if c.startswith(f"bsc_{code}="))
    assert "Secure" in rejoin


def test_an_edit_of_100_kb_is_refused_with_the_fields_limit_not_a_dropped_socket(
    app: Any, join_phone: Any, room: dict[str, Any]
) -> None:
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    reply = phone.emit(
        protocol.EDIT_FIELD,
        {
            "client_id": "huge-edit-0001",
            "item_id": None,
            "name": "aim_what",
            "value": "x" * 100_000,
            "base_version": 0,
        },
        callback=True,
    )
    assert reply["error"] == "that is longer than 4000 characters"
    assert phone.is_connected()
