"""The room over Socket.IO (socketio.test_client) and HTTP: joining, polls, run of show."""

from __future__ import annotations

from typing import Any

import pytest

from live import protocol
from live.polls.events import PhoneResults
from live.sockets import socketio

from .helpers import connect, flush, last, received, vote


@pytest.fixture
def console(app, faculty_client, room):
    client = connect(app, faculty_client, room["code"], "console")
    state = last(client, protocol.STATE)
    return client, state


def test_a_phone_joins_and_gets_the_whole_room_on_connect(app, join_phone, room) -> None:
    phone_web = join_phone("Riverside Clinic", "Ana")
    page = phone_web.get(f"/room/{room['code']}")
    assert page.status_code == 200
    phone = connect(app, phone_web, room["code"])
    state = last(phone, protocol.STATE)
    assert state["me"]["name"] == "Ana"
    assert state["me"]["team"]["name"] == "Riverside Clinic"
    assert [i["title"] for i in state["agenda"]] == [
        "Welcome",
        "The Model for Improvement",
        "Break",
        "Planning a PDSA",
    ]
    assert state["agenda"][0]["current"] is True


def test_without_a_rejoin_cookie_a_phone_cannot_connect(app, client, room) -> None:
    socket = socketio.test_client(
        app, flask_test_client=client, auth={"kind": "participant", "code": room["code"]}
    )
    assert not socket.is_connected()
    assert client.get(f"/room/{room['code']}").status_code == 302


def test_only_faculty_reach_the_console_and_projector(app, client, room) -> None:
    for kind in ("console", "projector"):
        socket = socketio.test_client(
            app, flask_test_client=client, auth={"kind": kind, "code": room["code"]}
        )
        assert not socket.is_connected()
    assert client.get(f"/projector/{room['code']}").status_code == 302
    assert client.get(f"/console/{room['id']}").status_code == 302


def test_a_participant_cannot_send_facilitator_events(app, join_phone, room, console) -> None:
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    _, state = console
    poll = state["activities"][0]["id"]
    for event, payload in [
        (protocol.OPEN_ACTIVITY, {"activity_id": poll}),
        (protocol.NEXT_ITEM, {}),
        (protocol.SET_LOCK, {"locked": True}),
        (protocol.ADD_TEAM, {"name": "X"}),
    ]:
        reply = phone.emit(event, payload, callback=True)
        assert reply == {"ok": False, "error": "only the facilitator can do that", "code": "forbidden"}


def test_a_vote_counts_once_however_often_it_is_retried(app, join_phone, room, console) -> None:
    staff, state = console
    poll = state["activities"][0]["id"]
    assert staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True) == {"ok": True}
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    first = vote(phone, poll, 1, "write-0000001")
    again = vote(phone, poll, 1, "write-0000001")  # the phone lost the ack and sent it again
    assert first == again == {"ok": True, "activity_id": poll, "value": 1}
    other = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    vote(other, poll, 2, "write-0000002")
    staff.get_received()
    flush(app)
    results = [m for m in received(staff)[protocol.POLL_RESULTS] if m.get("console")][-1]
    assert results["results"]["count"] == 2
    assert [b["count"] for b in results["results"]["bars"]] == [0, 1, 1]
    assert {t["team"]: t["results"]["count"] for t in results["by_team"]} == {
        "Hilltop Practice": 1,
        "Riverside Clinic": 1,
    }


def test_an_answer_can_change_until_the_poll_closes(app, join_phone, room, console) -> None:
    staff, state = console
    poll = state["activities"][0]["id"]
    staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True)
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    vote(phone, poll, 0, "write-aaaaaaa1")
    assert vote(phone, poll, 2, "write-aaaaaaa2")["value"] == 2
    staff.emit(protocol.CLOSE_ACTIVITY, {"activity_id": poll}, callback=True)
    late = vote(phone, poll, 1, "write-aaaaaaa3")
    assert late == {"ok": False, "error": "this poll has closed", "code": "closed"}
    phone.get_received()
    phone.emit(protocol.REQUEST_STATE, {}, callback=True)
    assert last(phone, protocol.STATE)["answers"] == {str(poll): 2}


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        pytest.param("not an object", "the message must be an object of named fields", id="not-a-dict"),
        pytest.param(
            {"activity_id": 1, "value": 1}, "'client_id' must be 8 to 64 letters", id="no-client-id"
        ),
        pytest.param(
            {"client_id": "x" * 65, "activity_id": 1, "value": 1},
            "'client_id' must be",
            id="client-id-too-long",
        ),
        pytest.param(
            {"client_id": "write-bad00001", "activity_id": "1", "value": 1},
            "'activity_id' must be a whole number",
            id="activity-id-not-a-number",
        ),
        pytest.param(
            {"client_id": "write-bad00002", "activity_id": 99999, "value": 1},
            "there is no such poll in this session",
            id="unknown-activity",
        ),
        pytest.param(
            {"client_id": "write-bad00003", "activity_id": "POLL", "value": 7},
            "choose one of the 3 options",
            id="option-out-of-range",
        ),
        pytest.param(
            {"client_id": "write-bad00004", "activity_id": "POLL", "value": True},
            "choose one of the 3 options",
            id="boolean-is-not-an-option",
        ),
        pytest.param(
            {"client_id": "write-bad00005", "activity_id": "POLL"}, "'value' is missing", id="no-value"
        ),
    ],
)
def test_bad_votes_get_a_clear_error_and_change_nothing(
    app, join_phone, room, console, payload: Any, error: str
) -> None:
    staff, state = console
    poll = state["activities"][0]["id"]
    staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True)
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    if isinstance(payload, dict) and payload.get("activity_id") == "POLL":
        payload = {**payload, "activity_id": poll}
    reply = phone.emit(protocol.CAST_VOTE, payload, callback=True)
    assert reply["ok"] is False
    assert reply["error"].startswith(error), reply
    phone.get_received()
    phone.emit(protocol.REQUEST_STATE, {}, callback=True)
    assert last(phone, protocol.STATE)["answers"] == {}


def test_a_poll_that_is_not_open_takes_no_votes(app, join_phone, room, console) -> None:
    _, state = console
    poll = state["activities"][0]["id"]
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    assert vote(phone, poll, 0, "write-early001")["error"] == "this poll is not open"


def test_a_locked_room_takes_no_votes(app, join_phone, room, console) -> None:
    staff, state = console
    poll = state["activities"][0]["id"]
    staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True)
    staff.emit(protocol.SET_LOCK, {"locked": True}, callback=True)
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    assert vote(phone, poll, 0, "write-locked01")["code"] == "locked"


def test_run_of_show_reaches_every_phone(app, join_phone, room, console) -> None:
    staff, _ = console
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    phone.get_received()
    assert staff.emit(protocol.NEXT_ITEM, {}, callback=True) == {"ok": True}
    shared = last(phone, protocol.ROOM)
    assert [i["title"] for i in shared["agenda"] if i["current"]] == ["The Model for Improvement"]
    assert shared["activity"]["prompt"] == "Which question is hardest for your team?"
    staff.emit(protocol.START_TIMER, {"seconds": 300}, callback=True)
    assert last(phone, protocol.ROOM)["timer"]["running"] is True
    assert staff.emit(protocol.PREVIOUS_ITEM, {}, callback=True) == {"ok": True}
    assert staff.emit(protocol.PREVIOUS_ITEM, {}, callback=True)["error"] == (
        "that is the first item of the agenda"
    )


def test_revealed_results_reach_phones_and_hidden_ones_do_not(app, join_phone, room, console) -> None:
    staff, state = console
    poll = state["activities"][0]["id"]
    staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True)
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    vote(phone, poll, 1, "write-reveal01")
    phone.get_received()
    flush(app)
    assert protocol.POLL_RESULTS not in received(phone)
    staff.emit(protocol.SHOW_RESULTS, {"activity_id": poll, "visible": True}, callback=True)
    assert last(phone, protocol.ROOM)["results"]["count"] == 1
    # Votes after the reveal reach the phones too (batched, at most once a second).
    other = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    vote(other, poll, 1, "write-reveal02")
    PhoneResults.last = 0
    flush(app)
    assert last(phone, protocol.POLL_RESULTS)["results"]["bars"][1]["count"] == 2


def test_the_assessment_scale_is_one_rating_per_team_and_the_team_sees_it(
    app, join_phone, room, console
) -> None:
    staff, _ = console
    assert staff.emit(
        protocol.ADD_POLL, {"poll_type": "assessment-scale", "prompt": "Where are you?"}, callback=True
    )["ok"]
    state = last(staff, protocol.STATE)
    rating = next(a["id"] for a in state["activities"] if a["poll_type"] == "assessment-scale")
    staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": rating}, callback=True)
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    cy = connect(app, join_phone("Riverside Clinic", "Cy"), room["code"])
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    cy.get_received()
    ben.get_received()
    vote(ana, rating, 1.5, "write-rate0001")
    assert last(cy, protocol.TEAM_ANSWER) == {"activity_id": rating, "value": 1.5, "by": "Ana"}
    assert protocol.TEAM_ANSWER not in received(ben)
    vote(cy, rating, 2.0, "write-rate0002")
    vote(ben, rating, 3.0, "write-rate0003")
    assert vote(ben, rating, 2.2, "write-rate0004")["error"].startswith("choose a score from 0.5")
    flush(app)
    results = [m for m in received(staff)[protocol.POLL_RESULTS] if m.get("console")][-1]["results"]
    assert results["count"] == 2  # two teams, not three people
    assert {b["label"]: b["count"] for b in results["bars"]}["2.0"] == 1


def test_open_answers_reach_the_projector_only_once_approved(
    app, join_phone, room, console, faculty_client
) -> None:
    staff, _ = console
    staff.emit(protocol.ADD_POLL, {"poll_type": "open", "prompt": "One word for today?"}, callback=True)
    open_poll = next(a["id"] for a in last(staff, protocol.STATE)["activities"] if a["poll_type"] == "open")
    staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": open_poll}, callback=True)
    projector = connect(app, faculty_client, room["code"], "projector")
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    vote(phone, open_poll, "<img src=x onerror=alert(1)> Hopeful", "write-open0001")
    projector.get_received()
    flush(app)
    assert last(projector, protocol.POLL_RESULTS)["results"]["answers"] == []
    to_console = [m for m in received(staff)[protocol.POLL_RESULTS] if m.get("console")][-1]
    answer = to_console["results"]["answers"][0]
    assert answer["approved"] is False
    assert answer["text"] == "<img src=x onerror=alert(1)> Hopeful"
    staff.emit(
        protocol.APPROVE_ANSWER,
        {"activity_id": open_poll, "response_id": answer["id"], "approved": True},
        callback=True,
    )
    flush(app)
    assert last(projector, protocol.POLL_RESULTS)["results"]["answers"][0]["text"] == (
        "<img src=x onerror=alert(1)> Hopeful"
    )


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        pytest.param(
            {"poll_type": "fishbowl", "prompt": "x"}, "'fishbowl' is not a poll kind", id="bad-type"
        ),
        pytest.param(
            {"poll_type": "choice", "prompt": "x", "options": ["only"]},
            "a choice poll needs 2 to 12 options, not 1",
            id="one-option",
        ),
        pytest.param(
            {"poll_type": "choice", "prompt": "x" * 501, "options": ["a", "b"]},
            "'prompt' is longer than 500 characters",
            id="long-prompt",
        ),
        pytest.param(
            {"poll_type": "scale", "prompt": "x", "min": 5, "max": 1},
            "the scale runs from 5 to 1",
            id="upside-down-scale",
        ),
    ],
)
def test_bad_ad_hoc_polls_are_refused(console, payload: dict[str, Any], error: str) -> None:
    staff, _ = console
    reply = staff.emit(protocol.ADD_POLL, payload, callback=True)
    assert reply["ok"] is False
    assert reply["error"].startswith(error)


def test_the_phone_page_carries_the_room_and_its_first_connect_is_not_sent_it_again(
    app, join_phone, room, console
) -> None:
    import json
    import re as regex

    web = join_phone("Riverside Clinic", "Ana")
    page = web.get(f"/room/{room['code']}").get_data(as_text=True)
    found = regex.search(r'<script type="application/json" id="initial-state">(.*?)</script>', page)
    assert found
    carried = json.loads(found.group(1))
    assert carried["me"]["name"] == "Ana"
    assert carried["agenda"][0]["current"] is True

    def first_state() -> dict[str, Any]:
        phone = socketio.test_client(
            app,
            flask_test_client=web,
            auth={"kind": "participant", "code": room["code"], "have": carried["digest"]},
        )
        got: dict[str, Any] = last(phone, protocol.STATE)
        phone.disconnect()
        return got

    same = first_state()
    assert same.pop("server_time")
    assert same == {"unchanged": True, "digest": carried["digest"]}, "a few bytes instead of the room again"
    assert console[0].emit(protocol.NEXT_ITEM, {}, callback=True)["ok"]
    changed = first_state()
    assert "unchanged" not in changed, "the room moved on since the page was served: all of it is sent"
    assert changed["agenda"][1]["current"] is True
