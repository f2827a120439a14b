"""Phones' full states after they connect, sent in rounds.

When the server restarts, every phone in the room reconnects within a second or two. Building
each phone's state inside its connect handler kept the handshake waiting behind everyone
else's: clients that give up after a second (python-socketio's default) tried again and again
and the storm never settled. So a phone's connect only checks its cookie and is answered at
once; its state follows from this queue, which serves everyone waiting in one round (the
room's shared part once per session, a workspace and roster once per team, the answers in one
query) and skips phones that left before their turn.
"""

from __future__ import annotations

from flask import Flask, current_app

from live import protocol
from live.context import db
from live.room import state
from live.sockets import Client, clients, socketio

ROUND = 400  # phones served in one round: the shared part is read again between rounds

_waiting: dict[str, Client] = {}
_draining = [False]


def want_state(sid: str, client: Client) -> None:
    """Send this connection its full state soon (in the tests' threading mode: now)."""
    _waiting[sid] = client
    if not current_app.config.get("FLUSH_IN_BACKGROUND", True):
        send_round()
        return
    if not _draining[0]:
        _draining[0] = True
        socketio.start_background_task(_drain, current_app._get_current_object())  # type: ignore[attr-defined]


def _drain(app: Flask) -> None:
    try:
        while _waiting:
            with app.app_context():
                try:
                    send_round()
                except Exception:  # the phones waiting ask again when they reconnect
                    app.logger.exception("sending states failed")
            socketio.sleep(0)  # let the handshakes that arrived meanwhile be answered
    finally:
        _draining[0] = False


def send_round() -> None:
    """Send up to ROUND waiting phones their state; phones that have left are skipped."""
    batch: dict[str, Client] = {}
    for sid in list(_waiting)[:ROUND]:
        client = _waiting.pop(sid)
        if clients.get(sid) is client and client.participant_id is not None:
            batch[sid] = client
    if not batch:
        return
    states = state.participant_states(db(), {c.participant_id for c in batch.values() if c.participant_id})
    db().rollback()  # end the read; a round can be long
    for sid, client in batch.items():
        found = states.get(client.participant_id or 0)
        if found is None:
            socketio.emit(protocol.REJOIN, {}, to=sid)  # removed meanwhile: it goes to the join page
        elif clients.get(sid) is client:
            if client.have is not None and client.have == state.digest(found):
                found = {"unchanged": True, "server_time": found["server_time"], "digest": client.have}
            client.have = None  # only the first connect after the page loaded
            socketio.emit(protocol.STATE, found, to=sid)
