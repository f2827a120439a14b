"""A room moves from a laptop to the server, and is backed up: `bsc export --all` writes every
row of a collaborative, `bsc import` loads it elsewhere (SQLite or PostgreSQL), keeping who is
who, merging a newer backup, and refusing a damaged or hostile file whole."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from facilitator.cli import cli
from live import protocol
from live.backup import SPECS, BackupError, dumps, export_backup, import_backup
from live.db import Database

from .helpers import connect, edit, last, vote


@pytest.fixture
def laptop(app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any) -> dict[str, Any]:
    """A room run on a laptop: votes, a question with an upvote, a measure with data and a note
    naming a PDSA cycle, the cycle naming the measure it should move, a commitment, a dot, a
    comment, and Ana's personal link."""
    staff = connect(app, faculty_client, room["code"], "console")
    state = last(staff, protocol.STATE)
    poll = state["activities"][0]["id"]
    assert staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True) == {"ok": True}
    ana_phone = join_phone("Riverside Clinic", "Ana")
    ana = connect(app, ana_phone, room["code"])
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    assert vote(ana, poll, 1, "backup-vote-01")["ok"]
    assert vote(ben, poll, 2, "backup-vote-02")["ok"]
    assert edit(ana, "aim_what", "Screen every child — 👶 «today»", 0, "backup-edit-01")["ok"]
    measure = ana.emit(protocol.ADD_ITEM, {"client_id": "backup-add-01", "kind": "measure"}, callback=True)
    cycle = ana.emit(protocol.ADD_ITEM, {"client_id": "backup-add-02", "kind": "pdsa"}, callback=True)
    row, test = measure["item"]["id"], cycle["item"]["id"]
    assert edit(ana, "name", "Screening rate", 0, "backup-edit-02", row)["ok"]
    assert edit(ana, "test", "Screen at the 4-month visit", 0, "backup-edit-03", test)["ok"]
    assert edit(ana, "moves", json.dumps([row]), 0, "backup-edit-04", test)["ok"]
    entered = ana.emit(
        protocol.ENTER_DATA,
        {
            "client_id": "backup-data-01",
            "item_id": row,
            "period": "2026-09",
            "numerator": "12",
            "denominator": "40",
            "cycle": test,
            "note": "first week of screening",
        },
        callback=True,
    )
    assert entered["ok"], entered
    promise = ana.emit(protocol.ADD_ITEM, {"client_id": "backup-add-03", "kind": "commitment"}, callback=True)
    assert edit(ana, "what", "Call three families", 0, "backup-edit-05", promise["item"]["id"])["ok"]
    link = re.search(
        r'value="http://[^"]+(/r/[^"]+)"',
        ana_phone.get(f"/room/{room['code']}/my-link").get_data(as_text=True),
    )
    assert link
    return {
        "poll": poll,
        "measure": row,
        "cycle": test,
        "link": link.group(1),
        "code": room["code"],
        "staff": staff,
        "ana": ana,
    }


def backup_of(app: Any) -> bytes:
    from live.context import database

    with app.app_context(), database().transaction() as db:
        return dumps(export_backup(db))


def tables(database: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table a backup carries, in id order."""
    with database.transaction() as db:
        return {
            spec.name: [
                dict(r._mapping) for r in db.execute(select(spec.table).order_by(spec.table.c[spec.pk]))
            ]
            for spec in SPECS
        }


def restore(database: Database, data: bytes) -> dict[str, Any]:
    with database.transaction() as db:
        return import_backup(db, data)


def test_a_restored_room_is_the_same_room_in_every_table_and_exports_the_same(
    app: Any, laptop: dict[str, Any], database: Database
) -> None:
    data = backup_of(app)
    counts = restore(database, data)
    assert counts["participant"].added == 2
    assert counts["response"].added == 2
    source = tables(_db(app))
    restored = tables(database)
    for name in source:
        assert restored[name] == source[name], name  # every row, every column, the same ids
    assert len(source["workspace_field"]) >= 6
    assert source["participant_key"]
    # And the restored room exports the same backup (but for when, and from which database).
    with database.transaction() as db:
        again = json.loads(dumps(export_backup(db)))
    first = json.loads(data)
    assert again["tables"] == first["tables"]
    assert again["origin"] != first["origin"]


def _db(app: Any) -> Database:
    from live.context import database

    with app.app_context():
        return database()


def test_importing_the_same_backup_twice_changes_nothing_and_a_newer_one_merges(
    app: Any, laptop: dict[str, Any], database: Database
) -> None:
    first = backup_of(app)
    restore(database, first)
    before = tables(database)
    counts = restore(database, first)
    assert all(c.added == c.changed == 0 for c in counts.values()), counts
    assert tables(database) == before

    # On the server, faculty revoke Ana's link; in the room, a new answer and an edited aim.
    with database.transaction() as db:
        from live.room.keys import revoke_links

        ana = next(p for p in before["participant"] if p["display_name"] == "Ana")
        assert revoke_links(db, ana["id"]) == 1
    assert edit(laptop["ana"], "aim_what", "Screen every child by 6 months", 1, "backup-edit-09")["ok"]
    newer = backup_of(app)
    counts = restore(database, newer)
    assert counts["workspace_field"].changed == 1
    assert counts["workspace_field"].added == 0
    after = tables(database)
    aim = next(f for f in after["workspace_field"] if f["name"] == "aim_what")
    assert aim["value"] == "Screen every child by 6 months"
    assert all(k["revoked_at"] is not None for k in after["participant_key"])  # a revoked link stays so
    # An older backup of the same room would take it back in time: refused.
    with pytest.raises(BackupError, match="before the one from the same room"):
        restore(database, first)
    assert tables(database) == after


def test_a_room_imported_beside_another_keeps_who_is_who_and_what_points_where(
    app: Any, laptop: dict[str, Any], tmp_path: Path
) -> None:
    from facilitator.app import create_app
    from live.context import curricula, database
    from live.models import WorkspaceItem
    from live.room.sessions import add_team, create_session

    server = create_app({**app.config, "SECRET_KEY": "the-servers-own", "DATA_DIR": str(tmp_path / "server")})
    with server.app_context(), database().transaction() as db:  # the server ran a room of its own first
        curriculum = curricula()["mini"]
        own = create_session(db, curriculum, curriculum.session("ls1"))
        lakeside = add_team(db, own, "Lakeside Clinic")
        add_team(db, own, "Riverside Clinic")  # the same team, met at another session
        db.add_all(
            [
                WorkspaceItem(team_id=lakeside.id, kind="measure"),
                WorkspaceItem(team_id=lakeside.id, kind="pdsa"),
            ]
        )
    with server.app_context():
        target = database()
    counts = restore(target, backup_of(app))
    assert counts["team"].added == 1
    assert counts["team"].same == 1
    rows = tables(target)
    teams = {t["id"]: t["name"] for t in rows["team"]}
    riverside = [i for i in rows["workspace_item"] if teams[i["team_id"]] == "Riverside Clinic"]
    measure = next(i for i in riverside if i["kind"] == "measure")
    cycle = next(i for i in riverside if i["kind"] == "pdsa")
    assert (measure["id"], cycle["id"]) != (laptop["measure"], laptop["cycle"])  # ids were taken here
    fields = {(f["scope"], f["name"]): f["value"] for f in rows["workspace_field"]}
    assert json.loads(fields[(f"i{cycle['id']}", "moves")]) == [measure["id"]]
    assert json.loads(fields[(f"i{measure['id']}", "annotations")])["2026-09"]["cycle"] == cycle["id"]
    assert fields[(f"i{measure['id']}", "name")] == "Screening rate"
    people = {p["display_name"]: teams[p["team_id"]] for p in rows["participant"]}
    assert people == {"Ana": "Riverside Clinic", "Ben": "Hilltop Practice"}
    answers = {r["owner"]: r["value"] for r in rows["response"]}
    ids = {p["display_name"]: p["id"] for p in rows["participant"]}
    assert answers == {f"p{ids['Ana']}": 1, f"p{ids['Ben']}": 2}

    # Ana's link, printed on her plan in the room, opens her team's workspace on the server;
    # her phone there shows a link of the server's, which opens it too.
    phone = server.test_client()
    opened = phone.get(laptop["link"])
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/room/{laptop['code']}")
    page = phone.get(f"/room/{laptop['code']}").get_data(as_text=True)
    assert 'id="me-name">Ana<' in page
    shown = re.search(
        r'value="http://[^"]+(/r/[^"]+)"', phone.get(f"/room/{laptop['code']}/my-link").get_data(as_text=True)
    )
    assert shown
    assert shown.group(1) != laptop["link"]
    assert server.test_client().get(shown.group(1)).status_code == 303


def test_bsc_export_all_and_import_move_a_room_between_data_folders(
    app: Any, laptop: dict[str, Any], runner: Any, tmp_path: Path
) -> None:
    backup = tmp_path / "riverside.json"
    made = runner.invoke(cli, ["export", "--all", "-o", str(backup), "--data-dir", app.config["DATA_DIR"]])
    assert made.exit_code == 0, made.output
    assert "mini (1 sessions, 2 teams, 2 participants)" in made.output
    text = backup.read_text(encoding="utf-8")
    assert "test-secret" not in text
    assert "password" not in text
    target = tmp_path / "server"
    loaded = runner.invoke(cli, ["import", str(backup), "--data-dir", str(target)])
    assert loaded.exit_code == 0, loaded.output
    assert "participant: 2 added" in loaded.output
    again = runner.invoke(cli, ["import", str(backup), "--data-dir", str(target)])
    assert again.exit_code == 0
    assert "nothing new" in again.output
    unknown = runner.invoke(cli, ["export", "--all", "--collaborative", "nope", "--data-dir", str(target)])
    assert unknown.exit_code != 0
    assert "no collaborative nope here; there are: mini" in unknown.output
    broken = tmp_path / "cut.json"
    broken.write_bytes(backup.read_bytes()[: len(text) // 2])
    refused = runner.invoke(cli, ["import", str(broken), "--data-dir", str(tmp_path / "empty")])
    assert refused.exit_code != 0
    assert "is not complete JSON" in refused.output
    assert "(nothing was imported)" in refused.output


def _mutate(document: dict[str, Any], table: str, column: str, value: Any, row: int = 0) -> None:
    columns = document["tables"][table]["columns"]
    document["tables"][table]["rows"][row][columns.index(column)] = value


HOSTILE: list[tuple[str, Any, str]] = [
    ("not a backup", lambda d: d.pop("format"), "not a backup"),
    ("from the future", lambda d: d.update(format="bsc-backup/9"), "not bsc-backup/1"),
    (
        "unknown table",
        lambda d: d["tables"].update(facilitator={"columns": [], "rows": []}),
        "tables this version does not know",
    ),
    (
        "unknown column",
        lambda d: d["tables"]["team"]["columns"].__setitem__(1, "is_admin"),
        "unknown columns is_admin",
    ),
    (
        "text for a number",
        lambda d: _mutate(d, "team", "collaborative_id", "1; DROP TABLE team"),
        "is not a whole number",
    ),
    ("true for an id", lambda d: _mutate(d, "participant", "team_id", True), "is not a whole number"),
    ("a number for text", lambda d: _mutate(d, "team", "name", 7), "is not text"),
    ("too long", lambda d: _mutate(d, "participant", "display_name", "x" * 61), "longer than 60 characters"),
    ("lone surrogate", lambda d: _mutate(d, "team", "name", "x\udc00y"), "lone surrogate"),
    (
        "a time without its zone",
        lambda d: _mutate(d, "team", "created_at", "2027-03-09T10:00:00"),
        "not a time with its offset",
    ),
    (
        "dangling team",
        lambda d: _mutate(d, "participant", "team_id", 999),
        "names a row of team that is not in the file",
    ),
    ("dangling owner", lambda d: _mutate(d, "response", "owner", "p999"), "owner 'p999' is not in the file"),
    ("an id twice", lambda d: _mutate(d, "team", "id", d["tables"]["team"]["rows"][1][0]), "appears twice"),
    ("a negative id", lambda d: _mutate(d, "team", "id", -3), "positive"),
    ("a short row", lambda d: d["tables"]["team"]["rows"][0].pop(), "not 8 values"),
    (
        "two teams of one name",
        lambda d: _mutate(d, "team", "name", d["tables"]["team"]["rows"][1][2]),
        "clash with this database",
    ),
]


@pytest.mark.parametrize(("what", "change", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_damaged_or_hostile_backup_is_refused_whole(
    app: Any, laptop: dict[str, Any], tmp_path: Path, what: str, change: Any, message: str
) -> None:
    document = json.loads(backup_of(app))
    change(document)
    data = json.dumps(document).encode()  # a lone surrogate travels as its \\u escape
    target = Database(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    from live.db import upgrade

    upgrade(target.engine)
    with pytest.raises(BackupError, match=re.escape(message)):
        restore(target, data)
    with target.transaction() as db:  # nothing half-imported
        from live.models import BackupImport, ImportedRow, Team

        assert db.scalar(select(func.count()).select_from(Team)) == 0
        assert db.scalar(select(func.count()).select_from(ImportedRow)) == 0
        assert db.scalar(select(func.count()).select_from(BackupImport)) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"format": NaN}', "NaN"),
        (b"[" * 100_000 + b"]" * 100_000, "nests too deep"),
        (b'{"format": "bsc-backup/1", "origin": "abcdefgh", "exported_at": "yesterday"}', "exported_at"),
    ],
)
def test_a_file_that_is_not_a_backup_says_why(data: bytes, message: str, database: Database) -> None:
    with pytest.raises(BackupError, match=message):
        restore(database, data)


def test_a_backup_of_one_collaborative_holds_none_of_another(app: Any, laptop: dict[str, Any]) -> None:
    from live.context import database
    from live.models import Collaborative, Team

    with app.app_context(), database().transaction() as db:
        other = Collaborative(curriculum_id="every-day-counts", title="Every Day Counts")
        db.add(other)
        db.flush()
        db.add(Team(collaborative_id=other.id, name="Lincoln Elementary"))
    with app.app_context(), database().transaction() as db:
        one, both = export_backup(db, ["mini"]), export_backup(db)
    names = [row[2] for row in one["tables"]["team"]["rows"]]
    assert sorted(names) == ["Hilltop Practice", "Riverside Clinic"]
    assert one["collaboratives"] == ["mini"]
    assert len(one["tables"]["participant"]["rows"]) == 2
    assert "Lincoln Elementary" in [row[2] for row in both["tables"]["team"]["rows"]]
    assert both["collaboratives"] == ["every-day-counts", "mini"]
