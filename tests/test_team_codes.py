"""Team privacy: joining an existing team takes its code; the join page lists this session's teams."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from .helpers import connect, decode_qr, last


def join_form(client: Any, code: str, csrf: Any, **fields: str) -> Any:
    token = csrf(client.get(f"/j/{code}").get_data(as_text=True))
    return client.post(f"/j/{code}", data={"name": "Zoe", "csrf": token, **fields})


def teams_of(app: Any) -> dict[str, tuple[int, str]]:
    from sqlalchemy import select

    from live.context import database
    from live.models import Team

    with app.app_context(), database().transaction() as db:
        return {
            name: (team_id, code) for team_id, name, code in db.execute(select(Team.id, Team.name, Team.code))
        }


def test_joining_an_existing_team_takes_its_code(
    app: Any, client: Any, room: dict[str, Any], csrf: Any
) -> None:
    river, code = teams_of(app)["Riverside Clinic"]
    refused = join_form(client, room["code"], csrf, team=str(river))
    assert refused.status_code == 400
    assert "type Riverside Clinic&#39;s team code" in refused.get_data(as_text=True)
    other = teams_of(app)["Hilltop Practice"][1]
    wrong = join_form(client, room["code"], csrf, team=str(river), team_code=other)
    assert wrong.status_code == 400  # another team's code does not open this one
    right = join_form(client, room["code"], csrf, team=str(river), team_code=code.lower())
    assert right.status_code == 303


def test_a_phone_and_the_console_show_the_team_code(
    app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any
) -> None:
    code = teams_of(app)["Riverside Clinic"][1]
    web = join_phone("Riverside Clinic", "Ana")
    assert re.search(rf'id="team-code">{code}<', web.get(f"/room/{room['code']}").get_data(as_text=True))
    assert last(connect(app, web, room["code"]), "state")["me"]["team"]["code"] == code
    console = connect(app, faculty_client, room["code"], "console")
    assert {t["name"]: t["code"] for t in last(console, "state")["presence"]["teams"]}[
        "Riverside Clinic"
    ] == code


def test_the_join_page_lists_this_sessions_teams_and_an_earlier_team_joins_by_its_code(
    app: Any, client: Any, room: dict[str, Any], csrf: Any
) -> None:
    from live.context import curricula, database
    from live.room.sessions import create_session

    with app.app_context(), database().transaction() as db:
        curriculum = curricula()["mini"]
        later = create_session(db, curriculum, curriculum.session("ls1"))  # the next learning session
        later_code = later.join_code
    page = client.get(f"/j/{later_code}").get_data(as_text=True)
    assert "Riverside Clinic" not in page  # teams of earlier sessions are not listed
    code = teams_of(app)["Riverside Clinic"][1]
    bad = join_form(client, later_code, csrf, team="earlier", team_code="NOPE9")
    assert "no team has that code" in bad.get_data(as_text=True)
    joined = join_form(client, later_code, csrf, team="earlier", team_code=code)
    assert joined.status_code == 303
    assert "Riverside Clinic" in client.get(f"/room/{later_code}").get_data(as_text=True)
    assert "Riverside Clinic" in app.test_client().get(f"/j/{later_code}").get_data(
        as_text=True
    )  # now listed


def test_a_table_card_prints_the_team_its_code_and_the_join_qr(
    app: Any, faculty_client: Any, client: Any, room: dict[str, Any], tmp_path: Path
) -> None:
    river, code = teams_of(app)["Riverside Clinic"]
    assert client.get(f"/console/{room['id']}/teams/{river}/card.pdf").status_code == 302  # faculty only
    reply = faculty_client.get(f"/console/{room['id']}/teams/{river}/card.pdf")
    assert reply.mimetype == "application/pdf"
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(reply.get_data())).pages
    )
    assert text.count("Riverside Clinic") >= 2  # both halves of the folded card
    assert text.count(code) >= 2
    source = tmp_path / "card.pdf"
    source.write_bytes(reply.get_data())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "120", str(source), str(tmp_path / "card")], check=True, timeout=60
    )
    found = decode_qr(next(tmp_path.glob("card*.png")).read_bytes()).splitlines()
    assert found == [f"http://10.0.0.5:5000/j/{room['code']}"] * 2  # one on each half
    assert faculty_client.get(f"/console/{room['id']}/teams/99999/card.pdf").status_code == 404


def test_past_a_screenful_of_teams_the_join_page_asks_for_the_code_instead_of_listing(
    app: Any, client: Any, room: dict[str, Any], csrf: Any, monkeypatch: Any
) -> None:
    from live.pages import routes

    monkeypatch.setattr(routes, "JOIN_LIST_MAX", 1)  # the room fixture has two teams
    page = client.get(f"/j/{room['code']}").get_data(as_text=True)
    assert "Riverside Clinic" not in page
    assert "Hilltop Practice" not in page
    assert "My team has a code" in page
    assert re.search(r'value="earlier"[^>]*checked', page)  # the code is what a phone types
    code = teams_of(app)["Hilltop Practice"][1]
    joined = join_form(client, room["code"], csrf, team="earlier", team_code=code)
    assert joined.status_code == 303
    assert "Hilltop Practice" in client.get(f"/room/{room['code']}").get_data(as_text=True)
    bad = join_form(app.test_client(), room["code"], csrf, team="earlier", team_code="NOPE9")
    assert "no team has that code" in bad.get_data(as_text=True)
    assert re.search(r'value="earlier"[^>]*checked', bad.get_data(as_text=True))
