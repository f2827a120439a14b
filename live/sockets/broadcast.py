"""Broadcasts a room sends in batches, a few times a second, never once per vote.

A write marks what it changed (`owe("poll_results", activity_id)`); a background loop calls
each topic's sender with the ids owed since its last round. Areas register their senders
with `@batched("topic")`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask

from live.sockets import socketio

EVERY = 0.25  # seconds between rounds

Sender = Callable[[set[Any]], None]  # called with the ids owed (ints, or tuples such as (session, team))
_owed: dict[str, set[Hashable]] = {}
_senders: dict[str, Sender] = {}
_chores: list[tuple[float, Callable[[], None], list[float]]] = []  # (every, job, [last run])
_started = False


def every(seconds: float) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register a chore the loop runs every `seconds` (pruning old records, say)."""

    def register(job: Callable[[], None]) -> Callable[[], None]:
        _chores.append((seconds, job, [time.monotonic()]))
        return job

    return register


def batched(topic: str) -> Callable[[Sender], Sender]:
    """Register the sender of a topic: called every round, with the ids owed (maybe none)."""

    def register(sender: Sender) -> Sender:
        _senders[topic] = sender
        _owed.setdefault(topic, set())
        return sender

    return register


def owe(topic: str, ident: Hashable) -> None:
    """Mark something changed: its topic's sender hears of it in the next round."""
    _owed[topic].add(ident)


def forget_owed() -> None:
    """Drop what is owed without sending it: a fresh application in the same process (the
    tests make one per test) must not hear of the last one's rooms, whose ids it reuses."""
    for owed in _owed.values():
        owed.clear()


def flush() -> None:
    """Run every sender now, with what is owed to it (the tests call this directly), and the
    chores that are due."""
    for topic, sender in _senders.items():
        ids, _owed[topic] = _owed[topic], set()
        sender(ids)
    for seconds, job, last in _chores:
        if time.monotonic() - last[0] >= seconds:
            last[0] = time.monotonic()
            job()


def start(app: Flask) -> None:
    """Start the loop that flushes, once per process (unless the app runs its tests without it)."""
    global _started
    if _started or not app.config.get("FLUSH_IN_BACKGROUND", True):
        return
    _started = True
    socketio.start_background_task(_loop, app)


def _loop(app: Flask) -> None:
    while True:
        socketio.sleep(EVERY)
        try:
            with app.app_context():
                flush()
        except Exception:  # keep the room running; the next round retries
            app.logger.exception("broadcast failed")
