"""How every write from a phone is applied: once per client-made id, and never in a locked room.

A phone keeps each write in its outbox with an id it made, and sends it again after a
reconnect until it is answered. `apply_once` runs a change only the first time its id
arrives (a repeat gets the first answer back), and only while the facilitator has not
locked the room. The socket layer (live/sockets/pipeline.py) calls it for every phone's
write, inside the write's one transaction; services never check ids or the lock themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from live.models import AppliedWrite, LearningSession, Participant, now
from live.protocol import Refused

T = TypeVar("T")


@dataclass(frozen=True)
class Author:
    """Who writes: a participant of a team in a learning session."""

    id: int
    team_id: int
    session_id: int
    name: str
    room_locked: bool = False  # the facilitator has paused writes (read with the author)


_PARTICIPANTS = cast(Table, Participant.__table__)
_SESSIONS = cast(Table, LearningSession.__table__)
_AUTHOR = (
    select(
        _PARTICIPANTS.c.id,
        _PARTICIPANTS.c.team_id,
        _PARTICIPANTS.c.session_id,
        _PARTICIPANTS.c.display_name,
        _SESSIONS.c.locked,
    )
    .join(_SESSIONS, _SESSIONS.c.id == _PARTICIPANTS.c.session_id)
    .where(_PARTICIPANTS.c.id == bindparam("participant_id"), _PARTICIPANTS.c.removed.is_(False))
)


def author_of(db: Session, participant_id: int) -> Author:
    """The author record of a participant (their name is shown beside their edits) and whether
    their room is locked, read afresh in every write's transaction: one statement, as every
    vote of a burst needs it; a participant moved to another team writes for the new one."""
    found = db.connection().execute(_AUTHOR, {"participant_id": participant_id}).first()
    if found is None:
        raise Refused("you are no longer in this session; join again", "gone")
    return Author(found.id, found.team_id, found.session_id, found.display_name, bool(found.locked))


_APPLIED = cast(Table, AppliedWrite.__table__)
_EARLIER = select(_APPLIED.c.participant_id, _APPLIED.c.reply).where(
    _APPLIED.c.client_id == bindparam("client_id")
)
_RECORD = insert(_APPLIED)


KEEP_APPLIED = timedelta(hours=48)  # twice as long as a phone keeps an unsent write (common.js)


def prune_applied(db: Session) -> int:
    """Forget client ids older than any phone may still send again; how many were forgotten."""
    done = db.execute(delete(AppliedWrite).where(AppliedWrite.applied_at < now() - KEEP_APPLIED))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def apply_once(
    db: Session, author: Author, client_id: str, change: Callable[[], tuple[dict[str, Any], T]], nothing: T
) -> tuple[dict[str, Any], T]:
    """Run `change` for this client id unless it ran before; refuse it while the room is locked
    (as `author_of` read it, in the same transaction).

    `change` returns the reply and what to do once committed (its broadcasts); a repeated id
    returns the first reply and `nothing`, so a retried write changes and announces nothing.
    Plain statements, not the ORM: every vote of a room's burst passes here.
    """
    connection = db.connection()
    earlier = connection.execute(_EARLIER, {"client_id": client_id}).first()
    if earlier is not None:
        if earlier.participant_id != author.id:
            raise Refused("that client_id was used by someone else", "bad_payload")
        return dict(earlier.reply), nothing
    if author.room_locked:
        raise Refused("the facilitator has paused answers and edits for a moment", "locked")
    reply, after = change()
    connection.execute(
        _RECORD, {"client_id": client_id, "participant_id": author.id, "reply": reply, "applied_at": now()}
    )
    return reply, after
