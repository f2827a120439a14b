"""Joining a team without its code: the team's phones (or the faculty) let you in, or not."""

from __future__ import annotations

from typing import Any

from curriculum.i18n import gettext_for
from live import protocol

from .helpers import connect, last, received


def _team_id(app: Any, name: str) -> int:
    from sqlalchemy import select

    from live.context import database
    from live.models import Team

    with app.app_context(), database().transaction() as db:
        found = db.scalar(select(Team.id).where(Team.name == name))
    assert found is not None
    return found


def _ask(
    app: Any, room: dict[str, Any], csrf: Any, team: str, name: str, role: str = "Nurse"
) -> tuple[Any, Any]:
    """A new phone picks `team` from the list, has no code, and asks to be let in."""
    phone = app.test_client()
    page = phone.get(f"/j/{room['code']}").get_data(as_text=True)
    assert "Ask my team to let me in" in page
    reply = phone.post(
        f"/j/{room['code']}",
        data={
            "team": str(_team_id(app, team)),
            "team_code": "",
            "name": name,
            "role": role,
            "ask": "1",
            "csrf": csrf(page),
        },
    )
    return phone, reply


def test_a_teammate_lets_someone_without_the_code_in(
    app: Any, join_phone: Any, room: dict[str, Any], csrf: Any
) -> None:
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    ben_phone, asked = _ask(app, room, csrf, "Riverside Clinic", "Ben")
    assert asked.status_code == 303
    assert asked.headers["Location"].endswith(f"/j/{room['code']}/waiting")
    waiting = ben_phone.get(f"/j/{room['code']}/waiting")
    assert waiting.status_code == 200
    page = waiting.get_data(as_text=True)
    assert "Waiting for Riverside Clinic" in page
    assert 'http-equiv="refresh"' in page  # it looks again by itself
    assert ben_phone.get(f"/room/{room['code']}").status_code == 302  # not in the room yet

    from .helpers import flush

    flush(app)
    roster = last(ana, protocol.ROSTER)
    assert [w["name"] for w in roster["waiting"]] == ["Ben"]
    assert roster["waiting"][0]["role"] == "Nurse"
    request_id = roster["waiting"][0]["id"]
    # Someone of another team cannot let Ben into Riverside.
    cy = connect(app, join_phone("Hilltop Practice", "Cy"), room["code"])
    refused = cy.emit(
        protocol.ANSWER_JOIN,
        {"client_id": "door-cy-01", "request_id": request_id, "approve": True},
        callback=True,
    )
    assert (refused["ok"], refused["code"]) == (False, "forbidden")

    said = ana.emit(
        protocol.ANSWER_JOIN,
        {"client_id": "door-ana-01", "request_id": request_id, "approve": True},
        callback=True,
    )
    assert said == {"ok": True}
    again = ana.emit(
        protocol.ANSWER_JOIN,
        {"client_id": "door-ana-02", "request_id": request_id, "approve": False},
        callback=True,
    )
    assert again["code"] == "answered"  # one answer

    landed = ben_phone.get(f"/j/{room['code']}/waiting")
    assert landed.status_code == 303
    assert landed.headers["Location"].endswith(f"/room/{room['code']}")
    inside = ben_phone.get(f"/room/{room['code']}").get_data(as_text=True)
    assert 'id="me-name">Ben<' in inside
    assert "Riverside Clinic" in inside
    flush(app)
    got = received(ana).get(protocol.ROSTER, [])
    assert got
    assert got[-1]["names"] == ["Ana", "Ben"]
    assert got[-1]["waiting"] == []


def test_the_faculty_let_someone_in_or_not_and_a_refusal_keeps_what_was_typed(
    app: Any, join_phone: Any, room: dict[str, Any], csrf: Any, faculty_client: Any
) -> None:
    ana_web = join_phone("Riverside Clinic", "Ana")
    ana_web.get(f"/room/{room['code']}?lang=es")  # Ana reads Spanish
    riverside_ana = connect(app, ana_web, room["code"])
    console = connect(app, faculty_client, room["code"], "console")
    dee_phone, _ = _ask(app, room, csrf, "Riverside Clinic", "Dee", "Data lead")
    eve_phone, _ = _ask(app, room, csrf, "Riverside Clinic", "Eve")
    from .helpers import flush

    flush(app)
    presence = last(console, protocol.PRESENCE)
    riverside = next(t for t in presence["teams"] if t["name"] == "Riverside Clinic")
    waiting = {w["name"]: w["id"] for w in riverside["waiting"]}
    assert set(waiting) == {"Dee", "Eve"}
    assert console.emit(protocol.DECIDE_JOIN, {"request_id": waiting["Dee"], "approve": True}, callback=True)[
        "ok"
    ]
    assert console.emit(
        protocol.DECIDE_JOIN, {"request_id": waiting["Eve"], "approve": False}, callback=True
    )["ok"]
    # Ana answers too late: the faculty did, and she reads who in her language.
    late = riverside_ana.emit(
        protocol.ANSWER_JOIN,
        {"client_id": "door-ana-late", "request_id": waiting["Eve"], "approve": True},
        callback=True,
    )
    es = gettext_for("es")
    assert late["code"] == "answered"
    assert late["error"] == es("{name} was already answered ({by})").format(name="Eve", by=es("the faculty"))
    assert "el equipo docente" in late["error"]
    assert dee_phone.get(f"/j/{room['code']}/waiting").status_code == 303
    assert 'id="me-name">Dee<' in dee_phone.get(f"/room/{room['code']}").get_data(as_text=True)
    refused = eve_phone.get(f"/j/{room['code']}/waiting")
    page = refused.get_data(as_text=True)
    assert "Riverside Clinic did not let you in" in page
    assert 'value="Eve"' in page  # what she typed is kept
    assert eve_phone.get(f"/j/{room['code']}/waiting").headers["Location"].endswith(f"/j/{room['code']}")
    # A phone cannot decide for the faculty.
    ana = connect(app, join_phone("Hilltop Practice", "Hal"), room["code"])
    assert (
        ana.emit(protocol.DECIDE_JOIN, {"request_id": waiting["Eve"], "approve": True}, callback=True)["code"]
        == "forbidden"
    )


def test_asking_is_checked_like_joining(app: Any, join_phone: Any, room: dict[str, Any], csrf: Any) -> None:
    join_phone("Riverside Clinic", "Ana")
    _, same = _ask(app, room, csrf, "Riverside Clinic", "ana")
    assert same.status_code == 400
    assert "already called Ana" in same.get_data(as_text=True)
    _, empty = _ask(app, room, csrf, "Riverside Clinic", "   ")
    assert empty.status_code == 400
    no_team = app.test_client()
    page = no_team.get(f"/j/{room['code']}").get_data(as_text=True)
    reply = no_team.post(
        f"/j/{room['code']}",
        data={"team": "new", "new_team": "X", "name": "Zed", "ask": "1", "csrf": csrf(page)},
    )
    assert reply.status_code == 400
    assert "Pick your team from the list" in reply.get_data(as_text=True)
    for n in range(10):
        _ask(app, room, csrf, "Riverside Clinic", f"Guest {n}")
    _, full = _ask(app, room, csrf, "Riverside Clinic", "Guest 11")
    assert full.status_code == 400
    assert "10 people are already waiting for Riverside Clinic" in full.get_data(as_text=True)
