"""Faculty take the data away: CSV tables, one XLSX workbook, one JSON document; no secrets."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from live import protocol

from .helpers import connect, edit, last, vote

EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def room_with_data(app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any) -> dict[str, Any]:
    """Two teams: a named vote and work in Riverside's workspace (a measure with data, a PDSA
    cycle, a commitment with a date), a team name a spreadsheet would run as a formula."""
    staff = connect(app, faculty_client, room["code"], "console")
    state = last(staff, protocol.STATE)
    poll = state["activities"][0]["id"]
    assert staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True) == {"ok": True}
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    ben = connect(app, join_phone(EVIL, "Ben"), room["code"])
    assert vote(ana, poll, 1, "export-vote-01")["ok"]
    assert vote(ben, poll, 2, "export-vote-02")["ok"]
    assert edit(ana, "aim_what", "Screen every child", 0, "export-edit-01")["ok"]
    measure = ana.emit(protocol.ADD_ITEM, {"client_id": "export-add-01", "kind": "measure"}, callback=True)
    row = measure["item"]["id"]
    assert edit(ana, "name", "Screening rate", 0, "export-edit-02", row)["ok"]
    assert edit(ana, "baseline", "35%", 0, "export-edit-03", row)["ok"]
    assert edit(ana, "data", "Jan 2027: 35\nFeb 2027: 41\n2027-03: 30/60", 0, "export-edit-04", row)["ok"]
    promise = ana.emit(protocol.ADD_ITEM, {"client_id": "export-add-02", "kind": "commitment"}, callback=True)
    assert edit(ana, "what", "Call three families", 0, "export-edit-05", promise["item"]["id"])["ok"]
    assert edit(ana, "due", "2027-03-16", 0, "export-edit-06", promise["item"]["id"])["ok"]
    return {"poll": poll, "session": room["id"], "code": room["code"]}


def download(client: Any, room: dict[str, Any], fmt: str) -> bytes:
    reply = client.get(f"/console/{room['session']}/data.{fmt}")
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    assert "attachment" in reply.headers["Content-Disposition"]
    return bytes(reply.data)


def test_only_faculty_download_the_data(client: Any, join_phone: Any, room_with_data: dict[str, Any]) -> None:
    for fmt in ("zip", "xlsx", "json"):
        assert client.get(f"/console/{room_with_data['session']}/data.{fmt}").status_code == 302  # sign in
    phone = join_phone("Riverside Clinic", "Cy")
    assert phone.get(f"/console/{room_with_data['session']}/data.json").status_code == 302
    assert phone.get("/console/collaboratives/1/data.json").status_code == 302


def test_the_json_document_holds_every_table_typed_and_no_secret(
    faculty_client: Any, room_with_data: dict[str, Any]
) -> None:
    document = json.loads(download(faculty_client, room_with_data, "json"))
    assert document["schema"] == "bsc-data/1"
    tables = document["tables"]
    text = json.dumps(document).lower()
    for secret in ("token", "password", "hash", '"code"'):
        assert secret not in text, secret
    names = {t["name"] for t in tables["teams"]}
    assert {"Riverside Clinic", EVIL} <= names
    people = {p["name"]: p for p in tables["participants"]}
    assert set(people) == {"Ana", "Ben"}
    assert people["Ana"]["joined_at"].endswith("+00:00")  # UTC, with its offset
    answers = [a for a in tables["answers"] if a["activity_id"] == room_with_data["poll"]]
    assert sorted(a["value"] for a in answers) == [1, 2]
    measure = tables["measures"][0]
    assert measure["name"] == "Screening rate"
    assert measure["baseline"] == 35.0
    assert [(p["period"], p["value"], p["numerator"]) for p in tables["data_points"]] == [
        ("Jan 2027", 35.0, None),
        ("Feb 2027", 41.0, None),
        ("Mar 2027", 50.0, 30.0),  # entered as 30 of 60
    ]
    assert tables["data_points"][2]["denominator"] == 60.0
    assert tables["commitments"][0]["due"] == "2027-03-16"
    assert {f["field"]: f["value"] for f in tables["workspace_fields"]}["aim_what"] == "Screen every child"


def test_the_csv_tables_and_the_workbook_say_the_same_with_their_types(
    faculty_client: Any, room_with_data: dict[str, Any]
) -> None:
    archive = zipfile.ZipFile(io.BytesIO(download(faculty_client, room_with_data, "zip")))
    names = set(archive.namelist())
    assert {"teams.csv", "participants.csv", "answers.csv", "measures.csv", "data_points.csv"} <= names
    teams = list(csv.DictReader(io.StringIO(archive.read("teams.csv").decode("utf-8-sig"))))
    assert f"'{EVIL}" in {t["name"] for t in teams}  # a formula stays text
    participants = archive.read("participants.csv").decode("utf-8-sig").splitlines()[0]
    assert "token" not in participants
    book = load_workbook(io.BytesIO(download(faculty_client, room_with_data, "xlsx")))
    assert {"teams", "participants", "answers", "measures", "commitments", "data_points"} <= set(
        book.sheetnames
    )
    sheet = book["teams"]
    header = [c.value for c in sheet[1]]
    evil = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("name")].value == EVIL)
    assert evil[header.index("name")].data_type == "s"  # text, not a formula
    assert isinstance(evil[header.index("created_at")].value, datetime)
    commitments = book["commitments"]
    due = [c.value for c in commitments[1]].index("due")
    assert commitments.cell(row=2, column=due + 1).value == datetime(2027, 3, 16)  # a date
    points = book["data_points"]
    assert [points.cell(row=r, column=5).value for r in (2, 3)] == [35, 41]


def test_the_whole_collaborative_exports_every_session(
    app: Any, faculty_client: Any, room_with_data: dict[str, Any]
) -> None:
    from live.context import curricula, database
    from live.models import LearningSession
    from live.room.sessions import create_session

    with app.app_context(), database().transaction() as db:
        curriculum = curricula()["mini"]
        create_session(db, curriculum, curriculum.session("ls1"))  # the next learning session
        first = db.get(LearningSession, room_with_data["session"])
        assert first is not None
        collaborative = first.collaborative_id
    reply = faculty_client.get(f"/console/collaboratives/{collaborative}/data.json")
    assert reply.status_code == 200
    document = json.loads(reply.data)
    assert len(document["tables"]["learning_sessions"]) == 2
    assert {t["name"] for t in document["tables"]["teams"]} >= {"Riverside Clinic", "Hilltop Practice"}
    assert faculty_client.get("/console/collaboratives/999/data.json").status_code == 404
    assert faculty_client.get(f"/console/{room_with_data['session']}/data.exe").status_code == 404
    assert date.fromisoformat(document["tables"]["learning_sessions"][0]["date"]) == date(2027, 3, 9)
