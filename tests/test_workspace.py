"""Team workspaces and the gallery walk over Socket.IO: co-editing, conflicts, privacy, dots."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from exports.plans import measure_points
from live import protocol
from live.protocol import (
    ADD_COMMENT,
    ADD_ITEM,
    DOTS,
    EDIT_FIELD,
    GALLERY,
    MARK_ITEM,
    PLACE_DOT,
    REMOVE_ITEM,
    REQUEST_GALLERY,
    REVEAL_STORYBOARDS,
    WORKSPACE_CHANGED,
)
from live.sockets import socketio

from .helpers import connect, edit, flush, last, received


@pytest.fixture
def teams(app: Any, join_phone: Any, room: dict[str, Any]) -> dict[str, Any]:
    """Two phones in Riverside Clinic and one in Hilltop Practice, connected."""
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    cy = connect(app, join_phone("Riverside Clinic", "Cy"), room["code"])
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    state = last(ana, protocol.STATE)
    for phone in (cy, ben):
        phone.get_received()
    return {"ana": ana, "cy": cy, "ben": ben, "river": state["me"]["team"]["id"]}


def test_an_edit_reaches_teammates_and_not_the_other_team(teams: dict[str, Any]) -> None:
    reply = edit(teams["ana"], "aim_what", "Screen every child at the 9-month visit", 0, "edit-0000001")
    assert reply["ok"] is True
    assert reply["version"] == 1
    change = last(teams["cy"], WORKSPACE_CHANGED)
    assert (change["name"], change["value"], change["by"]) == (
        "aim_what",
        "Screen every child at the 9-month visit",
        "Ana",
    )
    assert WORKSPACE_CHANGED not in received(teams["ben"])


def test_two_teammates_editing_one_field_at_once_lose_no_text(teams: dict[str, Any]) -> None:
    edit(teams["ana"], "story_lessons", "Start small", 0, "edit-base0001")
    # Both saw version 1; Ana saves first, Cy's save is refused with Ana's text.
    assert edit(teams["ana"], "story_lessons", "Start small; ask families", 1, "edit-ana00002")["ok"]
    clash = edit(teams["cy"], "story_lessons", "Start small; use the EHR prompt", 1, "edit-cy000001")
    assert clash["ok"] is False
    assert clash["code"] == "conflict"
    assert clash["current"]["value"] == "Start small; ask families"
    assert clash["current"]["version"] == 2
    assert "Ana changed this while you were typing" in clash["error"]
    merged = "Start small; ask families; use the EHR prompt"
    assert edit(teams["cy"], "story_lessons", merged, 2, "edit-cy000002")["version"] == 3
    teams["ana"].get_received()
    teams["ana"].emit(protocol.REQUEST_STATE, {}, callback=True)
    assert last(teams["ana"], protocol.STATE)["workspace"]["fields"][""]["story_lessons"]["value"] == merged


def test_a_retried_edit_is_applied_once(teams: dict[str, Any]) -> None:
    first = edit(teams["ana"], "aim_target", "80%", 0, "edit-retry001")
    again = edit(teams["ana"], "aim_target", "80%", 0, "edit-retry001")
    assert first == again
    assert first["version"] == 1
    added = teams["ana"].emit(ADD_ITEM, {"client_id": "add-retry0001", "kind": "commitment"}, callback=True)
    assert (
        teams["ana"].emit(ADD_ITEM, {"client_id": "add-retry0001", "kind": "commitment"}, callback=True)
        == added
    )
    teams["ana"].get_received()
    teams["ana"].emit(protocol.REQUEST_STATE, {}, callback=True)
    items = last(teams["ana"], protocol.STATE)["workspace"]["items"]
    assert [i["kind"] for i in items] == ["commitment"]


def test_a_participant_cannot_touch_another_teams_rows(teams: dict[str, Any]) -> None:
    row = teams["ana"].emit(ADD_ITEM, {"client_id": "add-river001", "kind": "pdsa"}, callback=True)["item"]
    for event, payload in [
        (EDIT_FIELD, {"item_id": row["id"], "name": "test", "value": "x", "base_version": 0}),
        (REMOVE_ITEM, {"item_id": row["id"]}),
        (MARK_ITEM, {"item_id": row["id"], "status": "done"}),
    ]:
        reply = teams["ben"].emit(event, {"client_id": f"hill-{event}", **payload}, callback=True)
        assert reply == {
            "ok": False,
            "error": "you can only change your own team's workspace",
            "code": "forbidden",
        }


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        pytest.param(
            {"name": "aim_what", "value": "x" * 4001, "base_version": 0},
            "that is longer than 4000 characters",
            id="too-long",
        ),
        pytest.param(
            {"name": "password", "value": "x", "base_version": 0},
            "'password' is not a field of the workspace",
            id="unknown-field",
        ),
        pytest.param(
            {"name": "aim_what", "value": 42, "base_version": 0}, "'value' must be text", id="not-text"
        ),
        pytest.param(
            {"name": "aim_what", "value": "x", "base_version": "1"},
            "'base_version' must be a whole number",
            id="bad-version",
        ),
        pytest.param(
            {"name": "aim_what", "value": "x"}, "'base_version' must be a whole number", id="no-version"
        ),
    ],
)
def test_bad_edits_get_a_clear_error(teams: dict[str, Any], payload: dict[str, Any], error: str) -> None:
    reply = teams["ana"].emit(EDIT_FIELD, {"client_id": "edit-bad00001", **payload}, callback=True)
    assert reply["ok"] is False
    assert reply["error"] == error


@pytest.mark.parametrize(
    ("kind", "name", "value", "error"),
    [
        ("commitment", "due", "next Tuesday", "give 'Due date' as a date, such as 2027-03-16"),
        ("measure", "data", "Jan 2027: 40\nsoon", "line 2 of the data is not 'month: value'"),
        ("measure", "family", "vanity", "choose one of: outcome, process, balancing"),
        ("pdsa", "act", "ignore", "choose one of: adopt, adapt, abandon"),
    ],
)
def test_row_fields_are_checked(teams: dict[str, Any], kind: str, name: str, value: str, error: str) -> None:
    row = teams["ana"].emit(ADD_ITEM, {"client_id": f"add-{kind}-0001", "kind": kind}, callback=True)["item"]
    reply = edit(teams["ana"], name, value, 0, f"edit-{kind}-{name}", item_id=row["id"])
    assert reply["ok"] is False
    assert reply["error"].startswith(error)


def test_a_locked_room_takes_no_edits(
    teams: dict[str, Any], app: Any, faculty_client: Any, room: dict[str, Any]
) -> None:
    console = connect(app, faculty_client, room["code"], "console")
    console.emit(protocol.SET_LOCK, {"locked": True}, callback=True)
    assert edit(teams["ana"], "aim_what", "x", 0, "edit-lock0001")["code"] == "locked"


def test_the_gallery_walk_reveal_dots_and_comments(
    teams: dict[str, Any], app: Any, faculty_client: Any, room: dict[str, Any]
) -> None:
    edit(teams["ana"], "aim_statement", "<script>x</script> 80% of children screened", 0, "edit-gal00001")
    early = teams["ben"].emit(
        PLACE_DOT, {"client_id": "dot-early0001", "team_id": teams["river"]}, callback=True
    )
    assert early["code"] == "not_revealed"
    assert teams["ben"].emit(REQUEST_GALLERY, {}, callback=True)["code"] == "not_revealed"
    console = connect(app, faculty_client, room["code"], "console")
    projector = connect(app, faculty_client, room["code"], "projector")
    assert console.emit(REVEAL_STORYBOARDS, {"visible": True}, callback=True) == {"ok": True}
    assert last(teams["ben"], protocol.ROOM)["session"]["storyboards_revealed"] is True
    assert teams["ben"].emit(REQUEST_GALLERY, {}, callback=True) == {"ok": True}
    board = next(b for b in last(teams["ben"], GALLERY)["boards"] if b["team"] == "Riverside Clinic")
    assert {"label": "Aim", "text": "<script>x</script> 80% of children screened", "brief": True} in board[
        "sections"
    ]
    own = teams["ana"].emit(
        PLACE_DOT, {"client_id": "dot-own00001", "team_id": teams["river"]}, callback=True
    )
    assert own["code"] == "own_team"
    for n in range(3):
        reply = teams["ben"].emit(
            PLACE_DOT, {"client_id": f"dot-ben0000{n}", "team_id": teams["river"]}, callback=True
        )
        assert reply["ok"], reply
    fourth = teams["ben"].emit(
        PLACE_DOT, {"client_id": "dot-ben00004", "team_id": teams["river"]}, callback=True
    )
    assert fourth["code"] == "no_dots"
    assert teams["ben"].emit(
        ADD_COMMENT,
        {"client_id": "comment-0001", "team_id": teams["river"], "text": "Love the family voice"},
        callback=True,
    )["ok"]
    projector.get_received()
    flush(app)
    assert last(projector, DOTS) == {str(teams["river"]): 3}


def test_commitments_carry_forward_to_the_next_learning_session(
    app: Any, teams: dict[str, Any], csrf: Any
) -> None:
    from live.context import curricula, database
    from live.models import Team
    from live.room.sessions import create_session, join

    row = teams["ana"].emit(ADD_ITEM, {"client_id": "carry-add001", "kind": "commitment"}, callback=True)
    item = row["item"]
    edit(teams["ana"], "what", "Call three families", 0, "carry-edit01", item_id=item["id"])
    with app.app_context(), database().transaction() as db:
        curriculum = curricula()["mini"]
        river = db.get(Team, teams["river"])
        assert river is not None
        later = create_session(db, curriculum, curriculum.session("ls1"))  # the next session, same teams
        later_code = later.join_code
        _, token = join(db, later, team_id=None, team_code=river.code, display_name="Ana")  # by its code
    phone = socketio.test_client(app, auth={"kind": "participant", "code": later_code, "token": token})
    state = last(phone, protocol.STATE)
    carried = next(i for i in state["workspace"]["items"] if i["id"] == item["id"])
    assert carried["session_id"] != state["session"]["id"]
    assert state["workspace"]["fields"][f"i{item['id']}"]["what"]["value"] == "Call three families"
    reply = phone.emit(
        MARK_ITEM,
        {
            "client_id": "carry-mark01",
            "item_id": item["id"],
            "status": "partly",
            "note": "Reached two of three",
        },
        callback=True,
    )
    assert reply["item"]["status"] == "partly"
    assert reply["item"]["note"] == "Reached two of three"
    bad = phone.emit(
        MARK_ITEM, {"client_id": "carry-mark02", "item_id": item["id"], "status": "maybe"}, callback=True
    )
    assert bad["error"] == "'status' must be one of done, partly, not-done"


def test_a_teams_plan_is_built_from_its_workspace(app: Any, teams: dict[str, Any]) -> None:
    from live.context import curricula, db
    from live.models import LearningSession, Team
    from live.workspaces.plans import team_plan

    ana = teams["ana"]
    edit(ana, "aim_statement", "By June, 80% of children screened", 0, "plan-edit001")
    edit(ana, "drivers_own", "Text reminders before the visit\n", 0, "plan-edit002")
    measure = ana.emit(ADD_ITEM, {"client_id": "plan-add0001", "kind": "measure"}, callback=True)["item"]
    for n, (name, value) in enumerate(
        [
            ("name", "Screening rate"),
            ("family", "process"),
            ("target", "80%"),
            ("data", "Jan 2027: 35\nFeb 2027: 42.5\nMar 2027: 51"),
        ]
    ):
        assert edit(ana, name, value, 0, f"plan-m{n:07d}", item_id=measure["id"])["ok"]
    promise = ana.emit(ADD_ITEM, {"client_id": "plan-add0002", "kind": "commitment"}, callback=True)["item"]
    edit(ana, "what", "Call three families", 0, "plan-c0000001", item_id=promise["id"])
    edit(ana, "owner", "Cy", 0, "plan-c0000002", item_id=promise["id"])
    edit(ana, "due", "2027-03-16", 0, "plan-c0000003", item_id=promise["id"])
    cycle = ana.emit(ADD_ITEM, {"client_id": "plan-add0003", "kind": "pdsa"}, callback=True)["item"]
    edit(ana, "test", "Scripted introduction with two nurses", 0, "plan-p0000001", item_id=cycle["id"])
    edit(ana, "act", "adapt", 0, "plan-p0000002", item_id=cycle["id"])
    with app.app_context():
        team = db().get(Team, teams["river"])
        assert team is not None
        session = db().scalars(select(LearningSession)).first()
        assert session is not None
        plan = team_plan(db(), session, team, curricula()["mini"], "http://10.0.0.5:5000/room/X")
    assert plan.team == "Riverside Clinic"
    assert plan.members == ("Ana", "Cy")
    assert plan.sheet("aim").get("aim_statement") == "By June, 80% of children screened"
    (measure_row,) = plan.sheet("measures").rows
    assert (measure_row.get("name"), measure_row.get("family"), measure_row.get("target")) == (
        "Screening rate",
        "process",
        "80%",
    )
    assert [v for _, v in measure_points(measure_row)] == [35.0, 42.5, 51.0]
    (commitment,) = plan.sheet("commitments").rows
    assert (commitment.get("what"), commitment.get("owner"), commitment.get("due")) == (
        "Call three families",
        "Cy",
        "2027-03-16",
    )
    (pdsa,) = plan.sheet("pdsa").rows
    assert (pdsa.get("test"), pdsa.get("act")) == ("Scripted introduction with two nurses", "adapt")
    assert plan.drivers[-1].change == "Text reminders before the visit"
    assert plan.drivers[-1].own is True
    assert plan.session == "Learning Session 1: Getting started"


def test_the_console_sees_each_teams_progress(
    teams: dict[str, Any], app: Any, faculty_client: Any, room: dict[str, Any]
) -> None:
    edit(teams["ana"], "aim_what", "Screen every child", 0, "progress-0001")
    teams["ana"].emit(ADD_ITEM, {"client_id": "progress-0002", "kind": "commitment"}, callback=True)
    console = connect(app, faculty_client, room["code"], "console")
    rows = {r["team"]: r for r in last(console, protocol.STATE)["progress"]}
    assert rows["Riverside Clinic"]["sections"] == ["aim", "commitments"]
    assert rows["Riverside Clinic"]["last"] is not None
    assert rows["Hilltop Practice"]["sections"] == []
    assert rows["Hilltop Practice"]["last"] is None


def test_a_moderated_gallery_walk_shows_a_comment_once_approved(
    teams: dict[str, Any], app: Any, faculty_client: Any, room: dict[str, Any]
) -> None:
    from live.context import database
    from live.models import Activity

    with app.app_context(), database().transaction() as db:
        walk = Activity(
            session_id=room["id"],
            position=50,
            key="walk",
            kind="gallery-walk",
            title="Walk",
            prompt="Walk",
            minutes=20,
            spec={"dots": 3, "moderated": True},
        )
        db.add(walk)
        db.flush()
        walk_id = walk.id
    console = connect(app, faculty_client, room["code"], "console")
    console.emit(protocol.PUSH_ACTIVITY, {"activity_id": walk_id}, callback=True)
    console.emit(REVEAL_STORYBOARDS, {"visible": True}, callback=True)
    reply = teams["ben"].emit(
        ADD_COMMENT,
        {"client_id": "comment-mod-01", "team_id": teams["river"], "text": "Who collects the data?"},
        callback=True,
    )
    assert reply["ok"]
    assert reply["approved"] is False
    teams["cy"].get_received()
    flush(app)
    assert last(teams["cy"], protocol.COMMENTS) == {}  # the room sees nothing yet
    waiting = last(console, protocol.COMMENTS)["comments"][str(teams["river"])]
    assert [(c["text"], c["approved"]) for c in waiting] == [("Who collects the data?", False)]
    console.emit(protocol.APPROVE_COMMENT, {"comment_id": waiting[0]["id"], "approved": True}, callback=True)
    flush(app)
    assert last(teams["cy"], protocol.COMMENTS) == {str(teams["river"]): ["Who collects the data?"]}
    teams["cy"].emit(REQUEST_GALLERY, {}, callback=True)
    board = next(b for b in last(teams["cy"], GALLERY)["boards"] if b["team_id"] == teams["river"])
    assert board["comments"] == ["Who collects the data?"]


def test_the_sustain_and_spread_plans_show_where_a_session_uses_them_or_a_team_wrote_one(
    app: Any, join_phone: Any, room: dict[str, Any]
) -> None:
    import json
    import re

    web = join_phone("Riverside Clinic", "Ana")

    def tabs() -> set[str]:
        page = web.get(f"/room/{room['code']}").get_data(as_text=True)
        found = re.search(r'<script type="application/json" id="worksheets">(.*?)</script>', page)
        assert found
        return {s["name"] for s in json.loads(found.group(1))["sheets"]}

    assert {"aim", "pdsa", "commitments"} <= tabs()
    assert not {"sustain-plan", "spread-plan"} & tabs()  # this session's team time does not use them
    phone = connect(app, web, room["code"])
    added = phone.emit(ADD_ITEM, {"client_id": "sustain-row-01", "kind": "sustain"}, callback=True)
    assert added["ok"], added
    assert edit(phone, "change", "Screen at every 18-month visit", 0, "sustain-edit-01", added["item"]["id"])[
        "ok"
    ]
    assert "sustain-plan" in tabs()  # the team wrote one: it stays in view
    assert "spread-plan" not in tabs()


def test_a_team_chooses_only_change_ideas_of_its_collaboratives_driver_diagram(teams: dict[str, Any]) -> None:
    refused = edit(teams["ana"], "drivers_chosen", '["S1.1", "S9.9"]', 0, "drivers-0000001")
    assert refused["ok"] is False
    assert "'S9.9' is not a change idea" in refused["error"]
    accepted = edit(teams["ana"], "drivers_chosen", '["S1.1", "S1.2"]', 0, "drivers-0000002")
    assert accepted["ok"] is True
