"""The one write pipeline every Socket.IO write goes through (as Indico's `RH.process`).

A write is registered with `phone_write` or `staff_command`, never as a bare handler. The
pipeline checks who sent it, reads the payload, and runs it in one transaction; a phone's
write is applied once per client id and refused while the room is locked (live/writes.py).
Only after the commit does it send the write's broadcasts. Every write is answered: its reply,
or {"ok": false, "error", "code"}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from curriculum.problems import Invalid
from live import context, protocol
from live.models import LearningSession
from live.protocol import Refused, refusal
from live.sockets import Effect, current_client, current_sid, limits, socketio
from live.sockets.broadcast import every
from live.writes import Author, apply_once, author_of, prune_applied

Outcome = tuple[dict[str, Any], list[Effect]]
PhoneAction = Callable[[Session, Author, dict[str, Any]], Outcome]
# A command returns its broadcasts beyond the room's state, or fields for its reply (the id of
# what it made), or nothing.
StaffAction = Callable[[Session, LearningSession, dict[str, Any]], list[Effect] | dict[str, Any] | None]

# Every registered write by event name: who may send it (`phone` or `staff`).
WRITES: dict[str, str] = {}
# Broadcasts every facilitator command owes (the room's state), registered by live/room/events.py.
_after_staff: list[Callable[[int], list[Effect]]] = []


def after_every_staff_command(effects: Callable[[int], list[Effect]]) -> None:
    """Add broadcasts that follow every facilitator command, given the learning session's id."""
    _after_staff.append(effects)


BUSY = Refused("the room is busy: this change was not saved; it is sent again in a moment", "busy")
BROKEN = Refused("something went wrong on the server: this change was not saved", "server_error")


def _run(work: Callable[[Session], Outcome]) -> dict[str, Any]:
    """Run a write in one transaction, then its broadcasts; a clash between two writes is retried.

    Every write is answered, whatever happens: a phone's outbox sends in order, and one write
    left unanswered would hold every later one back.
    """
    for attempt in (1, 2):
        try:
            with context.transaction() as session:
                reply, effects = work(session)
            break
        except Invalid as refused:
            return refusal(refused)
        except IntegrityError:
            # Two writes for the same row raced; the second try sees the first.
            if attempt == 2:
                return refusal(Refused("that clashed with another change; try again", "conflict"))
        except (OperationalError, PoolTimeout):  # the database is locked, or its connections all taken
            current_app.logger.warning("a write met a busy database", exc_info=True)
            return refusal(BUSY)
        except Exception:
            current_app.logger.exception("a write failed")
            return refusal(BROKEN)
    context.db().expire_all()  # the broadcasts read what is committed now, other writers' changes included
    for effect in effects:
        effect()
    return reply


def answered(handler: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """A read event's handler that answers whatever happens (a refusal, or a server error)."""

    def wrapped(*args: Any) -> dict[str, Any]:
        try:
            client = current_client()
            if client.kind == "participant":
                limits.allow(current_sid(), client.participant_id)
            return handler(*args)
        except Invalid as refused:
            return refusal(refused)
        except Exception:
            current_app.logger.exception("an event failed")
            return refusal(BROKEN)

    wrapped.__name__, wrapped.__doc__ = handler.__name__, handler.__doc__
    return wrapped


@socketio.on("*")
def on_unknown(event: str, *_: Any) -> dict[str, Any]:
    """An event no handler knows (a typo, another version of the page): answered, never silent."""
    return refusal(
        Refused("there is no event '{event}' in this room", "unknown_event", event=str(event)[:40])
    )


def _register(event: str, handler: Callable[..., dict[str, Any]], doc: str) -> None:
    handler.__name__ = f"on_{event}"
    handler.__doc__ = doc
    socketio.on_event(event, handler)


def phone_write(event: str, action: PhoneAction, doc: str) -> None:
    """Register a participant's write: applied once per `client_id`, refused in a locked room."""

    def handler(payload: Any = None) -> dict[str, Any]:
        try:
            client = current_client()
            if client.participant_id is None:
                raise Refused("only participants can do that", "forbidden")
            limits.allow(current_sid(), client.participant_id)
            participant_id = client.participant_id
            data = protocol.mapping(payload)
            client_id = protocol.client_id(data)
        except Invalid as refused:
            return refusal(refused)

        def work(db: Session) -> Outcome:
            author = author_of(db, participant_id)
            no_effects: list[Effect] = []
            return apply_once(db, author, client_id, lambda: action(db, author, data), no_effects)

        return _run(work)

    WRITES[event] = "phone"
    _register(event, handler, doc)


def staff_command(event: str, action: StaffAction, doc: str) -> None:
    """Register a facilitator's command: consoles only; the whole room hears of it afterwards."""

    def handler(payload: Any = None) -> dict[str, Any]:
        try:
            client = current_client()
            if client.kind != "console":
                raise Refused("only the facilitator can do that", "forbidden")
            data = protocol.mapping(payload)
        except Invalid as refused:
            return refusal(refused)

        def work(db: Session) -> Outcome:
            session = db.get(LearningSession, client.session_id)
            if session is None:
                raise Refused("this session has been removed", "gone")
            done = action(db, session, data)
            extra, fields = (done or [], {}) if not isinstance(done, dict) else ([], done)
            follow = [effect for make in _after_staff for effect in make(session.id)]
            return {"ok": True, **fields}, [*follow, *extra]

        return _run(work)

    WRITES[event] = "staff"
    _register(event, handler, doc)


@every(600)
def forget_old_writes() -> None:
    """Every ten minutes: client ids no phone can still send again are forgotten."""
    with context.transaction() as session:
        prune_applied(session)
