"""Quotas: no phone floods the room, nothing grows without end."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from live import protocol

from .helpers import connect, last


def test_a_phone_sending_too_fast_is_told_to_slow_down_and_others_are_not(
    app: Any, join_phone: Any, room: dict[str, Any]
) -> None:
    flooder = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    other = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    replies = [
        flooder.emit(
            protocol.EDIT_FIELD,
            {
                "client_id": f"flood-{n:08d}",
                "item_id": None,
                "name": "aim_what",
                "value": f"draft {n}",
                "base_version": n,
            },
            callback=True,
        )
        for n in range(80)
    ]
    refused = [r for r in replies if r.get("code") == "slow_down"]
    assert refused, "80 writes at once are not all taken"
    assert refused[0]["error"] == "that was a lot at once: wait a moment, then try again"
    assert sum(1 for r in replies if r.get("ok")) >= 25  # a burst is fine
    assert other.emit(protocol.REQUEST_STATE, {}, callback=True) == {"ok": True}


def test_comments_are_capped_per_participant(
    app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any
) -> None:
    from live.workspaces.gallery import MAX_COMMENTS_EACH

    connect(app, faculty_client, room["code"], "console").emit(
        protocol.REVEAL_STORYBOARDS, {"visible": True}, callback=True
    )
    river = last(connect(app, join_phone("Riverside Clinic", "Ana"), room["code"]), protocol.STATE)["me"][
        "team"
    ]["id"]
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    for n in range(MAX_COMMENTS_EACH):
        reply = ben.emit(
            protocol.ADD_COMMENT,
            {"client_id": f"comment-{n:07d}", "team_id": river, "text": f"#{n}"},
            callback=True,
        )
        assert reply["ok"], reply
    one_more = ben.emit(
        protocol.ADD_COMMENT,
        {"client_id": "comment-toomany", "team_id": river, "text": "again"},
        callback=True,
    )
    assert one_more["code"] == "too_many"


def test_teams_made_in_a_session_are_capped(
    app: Any, client: Any, room: dict[str, Any], csrf: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from live.room import sessions

    monkeypatch.setattr(sessions, "MAX_TEAMS", 2)  # the room fixture made two
    token = csrf(client.get(f"/j/{room['code']}").get_data(as_text=True))
    reply = client.post(
        f"/j/{room['code']}", data={"team": "new", "new_team": "Third", "name": "Cy", "csrf": token}
    )
    assert reply.status_code == 400
    assert "this session has 2 teams already: ask the faculty to add yours" in reply.get_data(as_text=True)


def test_the_faculty_may_add_teams_past_what_phones_may_make(
    app: Any, faculty_client: Any, room: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from live.room import sessions

    monkeypatch.setattr(sessions, "MAX_TEAMS", 2)
    monkeypatch.setattr(sessions, "MAX_TEAMS_BY_FACULTY", 3)
    console = connect(app, faculty_client, room["code"], "console")
    assert console.emit(protocol.ADD_TEAM, {"name": "Third"}, callback=True)["ok"]
    refused = console.emit(protocol.ADD_TEAM, {"name": "Fourth"}, callback=True)
    assert refused["code"] == "too_many"
    assert refused["error"] == "a session takes at most 3 teams"


def test_one_phone_makes_one_plan_at_a_time(
    app: Any, join_phone: Any, room: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from live.pages import routes

    started, release = threading.Event(), threading.Event()

    def slow(plan: Any, paper: str = "letter", lang: str = "en") -> bytes:
        started.set()
        release.wait(10)
        return b"%PDF-1.7 made"

    monkeypatch.setattr(routes, "render_takehome", slow)
    phone = join_phone("Riverside Clinic", "Ana")
    first: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: first.update(reply=phone.get(f"/room/{room['code']}/plan.pdf")))
    worker.start()
    assert started.wait(10)
    again = phone.get(f"/room/{room['code']}/plan.pdf")
    assert again.status_code == 429
    assert again.headers["Retry-After"] == "3"
    teammate = join_phone("Riverside Clinic", "Cy").get(f"/room/{room['code']}/commitments.ics")
    assert teammate.status_code == 200  # another phone is not held up
    release.set()
    worker.join(10)
    assert first["reply"].status_code == 200


def test_client_ids_older_than_any_phone_resends_are_forgotten(
    app: Any, join_phone: Any, room: dict[str, Any]
) -> None:
    from sqlalchemy import select, update

    from live.context import database
    from live.models import AppliedWrite, now
    from live.writes import prune_applied

    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    for client_id in ("old-write-0001", "new-write-0001"):
        phone.emit(
            protocol.EDIT_FIELD,
            {
                "client_id": client_id,
                "item_id": None,
                "name": "aim_what",
                "value": client_id,
                "base_version": 0 if client_id.startswith("old") else 1,
            },
            callback=True,
        )
    with app.app_context(), database().transaction() as db:
        db.execute(
            update(AppliedWrite)
            .where(AppliedWrite.client_id == "old-write-0001")
            .values(applied_at=now() - timedelta(days=3))
        )
    with app.app_context(), database().transaction() as db:
        assert prune_applied(db) == 1
        assert list(db.scalars(select(AppliedWrite.client_id))) == ["new-write-0001"]
