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
    ends, server = datetime.fromisoformat(shared["timer"]["ends_at"]), datetime.fromisoformat(shared["server_time"])
    assert ends.utcoffset() == timedelta(0)
    assert server.utcoffset() == timedelta(0)
    assert timedelta(seconds=85) < ends - server <= timedelta(seconds=90)
    assert console.emit(protocol.PAUSE_TIMER, {}, callback=True) == {"ok": True}
    paused = last(console, protocol.ROOM)["timer"]
    assert paused["running"] is False
    assert 85 <= paused["remaining"] <= 90
    assert console.emit(protocol.START_TIMER, {"seconds": 0}, callback=True) == {"ok": True}
    assert datetime.fromisoformat(last(console, protocol.ROOM)["timer"]["ends_at"]).utcoffset() == timedelta(0)


def test_every_stored_time_comes_back_in_utc(app: Any, room: dict[str, Any]) -> None:
    from live.context import database
    from live.models import LearningSession

    with app.app_context():
        db = database().session()
        session = db.get(LearningSession, room["id"])
        assert session is not None
        assert session.created_at.utcoffset() == timedelta(0)
        db.close()
