"""Mending people's mistakes from the console, the join panel, and the word cloud's words."""

from __future__ import annotations

from typing import Any

import pytest

from live import protocol
from live.sockets import socketio

from .helpers import connect, flush, last, received, vote


@pytest.fixture
def console(app: Any, faculty_client: Any, room: dict[str, Any]) -> Any:
    return connect(app, faculty_client, room["code"], "console")


def people_of(state: dict[str, Any], team: str) -> list[str]:
    return [p["name"] for t in state["presence"]["teams"] if t["name"] == team for p in t["people"]]


def test_a_removed_participant_no_longer_counts_and_cannot_come_back(
    app: Any, join_phone: Any, room: dict[str, Any], console: Any
) -> None:
    poll = last(console, protocol.STATE)["activities"][0]["id"]
    console.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True)
    web = join_phone("Riverside Clinic", "Ana")
    ana = connect(app, web, room["code"])
    me = last(ana, protocol.STATE)["me"]["id"]
    vote(ana, poll, 1, "vote-removed-01")
    reply = console.emit(protocol.REMOVE_PARTICIPANT, {"participant_id": me}, callback=True)
    assert reply == {"ok": True}
    state = last(console, protocol.STATE)
    assert people_of(state, "Riverside Clinic") == []
    assert next(a for a in state["activities"] if a["id"] == poll)["results"]["count"] == 0
    assert protocol.REJOIN in received(ana)
    again = socketio.test_client(
        app, flask_test_client=web, auth={"kind": "participant", "code": room["code"]}
    )
    assert not again.is_connected()
    assert web.get(f"/room/{room['code']}").status_code == 302  # to the join page


def test_a_moved_participant_works_in_the_new_team(
    app: Any, join_phone: Any, room: dict[str, Any], console: Any
) -> None:
    web = join_phone("Hilltop Practice", "Ben")
    ben = connect(app, web, room["code"])
    state = last(ben, protocol.STATE)
    river = next(
        t["id"] for t in last(console, protocol.STATE)["presence"]["teams"] if t["name"] == "Riverside Clinic"
    )
    reply = console.emit(
        protocol.MOVE_PARTICIPANT, {"participant_id": state["me"]["id"], "team_id": river}, callback=True
    )
    assert reply == {"ok": True}
    assert people_of(last(console, protocol.STATE), "Riverside Clinic") == ["Ben"]
    moved = connect(app, web, room["code"])  # what the phone does on `rejoin`
    assert last(moved, protocol.STATE)["me"]["team"]["name"] == "Riverside Clinic"


@pytest.mark.parametrize(
    ("event", "payload", "error"),
    [
        pytest.param(
            protocol.RENAME_TEAM,
            {"name": "hilltop practice"},
            "there is already a team called",
            id="rename-to-a-taken-name",
        ),
        pytest.param(protocol.RENAME_TEAM, {"name": " "}, "the team name is empty", id="rename-to-nothing"),
        pytest.param(
            protocol.REMOVE_TEAM,
            {},
            "Riverside Clinic has 1 member: move or remove them first",
            id="remove-a-team-with-people",
        ),
        pytest.param(
            protocol.MOVE_PARTICIPANT,
            {"participant_id": 9999},
            "there is no such participant",
            id="move-nobody",
        ),
    ],
)
def test_mistaken_mends_are_refused_with_the_reason(
    app: Any,
    join_phone: Any,
    room: dict[str, Any],
    console: Any,
    event: str,
    payload: dict[str, Any],
    error: str,
) -> None:
    connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    teams = {t["name"]: t["id"] for t in last(console, protocol.STATE)["presence"]["teams"]}
    reply = console.emit(event, {"team_id": teams["Riverside Clinic"], **payload}, callback=True)
    assert reply["ok"] is False
    assert reply["error"].startswith(error)


def test_an_empty_team_made_by_mistake_is_removed_and_its_name_is_free(console: Any) -> None:
    assert console.emit(protocol.ADD_TEAM, {"name": "Riverside"}, callback=True)["ok"]
    teams = {t["name"]: t["id"] for t in last(console, protocol.STATE)["presence"]["teams"]}
    assert console.emit(protocol.REMOVE_TEAM, {"team_id": teams["Riverside"]}, callback=True)["ok"]
    assert "Riverside" not in [t["name"] for t in last(console, protocol.STATE)["presence"]["teams"]]
    assert console.emit(protocol.ADD_TEAM, {"name": "Riverside"}, callback=True)["ok"]


def test_the_join_panel_shrinks_once_the_room_moves_on_and_comes_back(
    app: Any, faculty_client: Any, room: dict[str, Any], console: Any
) -> None:
    projector = connect(app, faculty_client, room["code"], "projector")
    assert last(projector, protocol.STATE)["session"]["join_shown"] is True
    console.emit(protocol.NEXT_ITEM, {}, callback=True)
    assert last(projector, protocol.ROOM)["session"]["join_shown"] is False
    console.emit(protocol.SHOW_JOIN, {"visible": True}, callback=True)
    assert last(projector, protocol.ROOM)["session"]["join_shown"] is True


def test_the_word_cloud_counts_words_and_faculty_hide_one(
    app: Any, join_phone: Any, room: dict[str, Any], console: Any, faculty_client: Any
) -> None:
    console.emit(
        protocol.ADD_POLL, {"poll_type": "wordcloud", "prompt": "A word?", "title": "Cloud"}, callback=True
    )
    cloud = next(a["id"] for a in last(console, protocol.STATE)["activities"] if a["title"] == "Cloud")
    console.emit(protocol.OPEN_ACTIVITY, {"activity_id": cloud}, callback=True)
    projector = connect(app, faculty_client, room["code"], "projector")
    for n, (team, name, answer) in enumerate(
        [
            ("Riverside Clinic", "Ana", "Hope, trust!"),
            ("Riverside Clinic", "Cy", "HOPE hope"),
            ("Hilltop Practice", "Ben", "trust… rubbish"),
        ]
    ):
        assert vote(connect(app, join_phone(team, name), room["code"]), cloud, answer, f"cloud-vote-{n:04d}")[
            "ok"
        ]
    flush(app)
    words = {w["text"]: w["count"] for w in last(projector, protocol.POLL_RESULTS)["results"]["words"]}
    assert words == {"hope": 2, "trust": 2, "rubbish": 1}  # a word counts once per answer
    assert console.emit(
        protocol.HIDE_WORD, {"activity_id": cloud, "word": "Rubbish", "hidden": True}, callback=True
    )["ok"]
    flush(app)
    shown = last(projector, protocol.POLL_RESULTS)["results"]["words"]
    assert "rubbish" not in [w["text"] for w in shown]
    staff = [m for m in received(console)[protocol.POLL_RESULTS] if m.get("console")][-1]["results"]["words"]
    assert {"text": "rubbish", "count": 1, "hidden": True} in staff  # faculty still see it, to bring it back


def test_a_moderated_word_cloud_shows_an_answer_once_approved(
    app: Any, join_phone: Any, room: dict[str, Any], console: Any, faculty_client: Any
) -> None:
    console.emit(
        protocol.ADD_POLL,
        {"poll_type": "wordcloud", "prompt": "A word?", "title": "Cloud", "moderated": True},
        callback=True,
    )
    cloud = next(a["id"] for a in last(console, protocol.STATE)["activities"] if a["title"] == "Cloud")
    console.emit(protocol.OPEN_ACTIVITY, {"activity_id": cloud}, callback=True)
    projector = connect(app, faculty_client, room["code"], "projector")
    vote(
        connect(app, join_phone("Riverside Clinic", "Ana"), room["code"]), cloud, "courage", "cloud-mod-0001"
    )
    flush(app)
    assert last(projector, protocol.POLL_RESULTS)["results"]["words"] == []
    answer = [m for m in received(console)[protocol.POLL_RESULTS] if m.get("console")][-1]["results"][
        "answers"
    ][0]
    console.emit(
        protocol.APPROVE_ANSWER,
        {"activity_id": cloud, "response_id": answer["id"], "approved": True},
        callback=True,
    )
    flush(app)
    assert last(projector, protocol.POLL_RESULTS)["results"]["words"] == [{"text": "courage", "count": 1}]
