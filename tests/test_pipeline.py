"""The one write pipeline: every phone's write is refused in a locked room, and the models are
what the migrations make, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from live import protocol
from live.db import Database
from live.models import Base
from live.sockets.pipeline import WRITES

from .helpers import connect, last, received, vote


def test_a_locked_room_refuses_every_write_from_a_phone_and_takes_them_once_unlocked(
    app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any
) -> None:
    staff = connect(app, faculty_client, room["code"], "console")
    poll = last(staff, protocol.STATE)["activities"][0]["id"]
    staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True)
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    river = last(ana, protocol.STATE)["me"]["team"]["id"]
    row = ana.emit(protocol.ADD_ITEM, {"client_id": "before-lock01", "kind": "commitment"}, callback=True)[
        "item"
    ]
    assert staff.emit(protocol.REVEAL_STORYBOARDS, {"visible": True}, callback=True)["ok"]
    assert ben.emit(protocol.PLACE_DOT, {"client_id": "before-lock02", "team_id": river}, callback=True)["ok"]
    # A plausible payload for each write (and for a write added later, at least its client id).
    writes = {
        protocol.CAST_VOTE: (ana, {"activity_id": poll, "value": 1}),
        protocol.EDIT_FIELD: (ana, {"item_id": None, "name": "aim_what", "value": "x", "base_version": 0}),
        protocol.ADD_ITEM: (ana, {"kind": "pdsa"}),
        protocol.REMOVE_ITEM: (ana, {"item_id": row["id"]}),
        protocol.MARK_ITEM: (ana, {"item_id": row["id"], "status": "done"}),
        protocol.PLACE_DOT: (ben, {"team_id": river}),
        protocol.REMOVE_DOT: (ben, {"team_id": river}),
        protocol.ADD_COMMENT: (ben, {"team_id": river, "text": "Love the family voice"}),
    }
    phone_writes = {event for event, who in WRITES.items() if who == "phone"}
    assert phone_writes >= set(writes)

    assert staff.emit(protocol.SET_LOCK, {"locked": True}, callback=True)["ok"]
    for n, event in enumerate(sorted(phone_writes)):
        phone, payload = writes.get(event, (ana, {}))
        reply = phone.emit(event, {"client_id": f"locked-{n:06d}", **payload}, callback=True)
        assert reply["code"] == "locked", (event, reply)
    ana.get_received()
    ana.emit(protocol.REQUEST_STATE, {}, callback=True)
    state = last(ana, protocol.STATE)
    assert state["answers"] == {}
    assert [i["id"] for i in state["workspace"]["items"]] == [row["id"]]
    assert "" not in state["workspace"]["fields"]

    # Unlocked, the same writes go through: the lock was the only reason they were refused.
    assert staff.emit(protocol.SET_LOCK, {"locked": False}, callback=True)["ok"]
    for n, event in enumerate(
        (
            protocol.CAST_VOTE,
            protocol.EDIT_FIELD,
            protocol.PLACE_DOT,
            protocol.ADD_COMMENT,
            protocol.REMOVE_DOT,
            protocol.REMOVE_ITEM,
        )
    ):
        phone, payload = writes[event]
        reply = phone.emit(event, {"client_id": f"unlocked-{n:06d}", **payload}, callback=True)
        assert reply["ok"], (event, reply)
    ben.get_received()
    assert ben.emit(protocol.REQUEST_GALLERY, {}, callback=True)["ok"]
    board = next(b for b in received(ben)[protocol.GALLERY][-1]["boards"] if b["team_id"] == river)
    assert board["comments"] == ["Love the family voice"]


def test_a_retried_write_is_answered_as_the_first_time_even_once_locked(
    app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any
) -> None:
    """A phone that lost the acknowledgement sends the write again after the lock: it learns
    the write was applied, and nothing is applied twice."""
    staff = connect(app, faculty_client, room["code"], "console")
    poll = last(staff, protocol.STATE)["activities"][0]["id"]
    staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll}, callback=True)
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    first = vote(ana, poll, 2, "vote-before-lock")
    staff.emit(protocol.SET_LOCK, {"locked": True}, callback=True)
    assert vote(ana, poll, 2, "vote-before-lock") == first == {"ok": True, "activity_id": poll, "value": 2}
    assert vote(ana, poll, 0, "vote-after-lock1")["code"] == "locked"


def test_every_facilitator_command_is_refused_to_a_phone(
    app: Any, join_phone: Any, room: dict[str, Any]
) -> None:
    """However it is registered, a command of the console is never carried out for a phone."""
    phone = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    commands = sorted(event for event, who in WRITES.items() if who == "staff")
    assert {protocol.SET_LOCK, protocol.ADD_POLL, protocol.REVEAL_STORYBOARDS} <= set(commands)
    for event in commands:
        reply = phone.emit(
            event, {"locked": True, "visible": True, "item_id": 1, "activity_id": 1}, callback=True
        )
        assert reply == {"ok": False, "error": "only the facilitator can do that", "code": "forbidden"}, event


def test_the_models_match_the_migrations(database: Database) -> None:
    """What `bsc serve` makes by migrating is exactly what the code's models describe."""
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
