"""A bare Flask-SocketIO server with the room's event names and no database, checks or state.

bench/room_load.py runs the same phases against it to show what our own work costs.
    python bench/bare_server.py PORT
"""

from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent")
votes: dict[int, int] = {}
applied: set[str] = set()
voters: dict[str, int] = {}
activity = {"id": 1, "state": "ready", "results_visible": False}
dirty = [False]


@socketio.on("connect")
def connect(auth=None):
    auth = auth or {}
    join_room("all")
    if auth.get("kind") in ("projector", "console"):
        join_room("staff")
    else:
        voters[request.sid] = int(auth.get("voter", 0))  # type: ignore[attr-defined]
    emit("state", {"activity": activity})


@socketio.on("cast_vote")
def cast_vote(payload):
    if payload["client_id"] not in applied:
        applied.add(payload["client_id"])
        votes[voters[request.sid]] = payload["value"]  # type: ignore[attr-defined]
        dirty[0] = True
    return {"ok": True, "activity_id": 1, "value": payload["value"]}


@socketio.on("request_state")
def request_state(payload=None):
    emit("state", {"activity": activity})
    return {"ok": True}


@socketio.on("open_activity")
def open_activity(payload):
    activity["state"] = "open"
    emit("room", {"activity": dict(activity)}, to="all")
    return {"ok": True}


@socketio.on("close_activity")
def close_activity(payload):
    activity["state"] = "closed"
    emit("room", {"activity": dict(activity)}, to="all")
    return {"ok": True}


@socketio.on("show_results")
def show_results(payload):
    activity["results_visible"] = payload["visible"]
    emit("room", {"activity": dict(activity), "results": {"count": len(votes)}}, to="all")
    return {"ok": True}


def flusher():
    while True:
        socketio.sleep(0.25)
        if dirty[0]:
            dirty[0] = False
            socketio.emit("poll_results", {"activity_id": 1, "results": {"count": len(votes)}}, to="staff")


if __name__ == "__main__":
    port = int(sys.argv[1])
    socketio.start_background_task(flusher)
    print(f"Listening on 127.0.0.1:{port}", flush=True)
    socketio.run(app, host="127.0.0.1", port=port, log_output=False)
