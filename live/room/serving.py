"""What `bsc serve` opens: the newest session, or a new one from the curriculum."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from live.context import curricula
from live.models import LearningSession
from live.protocol import Refused
from live.room.sessions import create_session


def current_or_new_session(db: Session, wanted: str | None = None) -> LearningSession:
    """`wanted` ("curriculum:session") if given, else the newest session, else a new one."""
    offered = curricula()
    if wanted:
        curriculum_id, _, key = wanted.partition(":")
        curriculum = offered.get(curriculum_id)
        if curriculum is None:
            raise Refused(
                "no curriculum '{name}'; there are: {names}", name=curriculum_id, names=", ".join(offered)
            )
        try:
            source = curriculum.session(key or curriculum.sessions[0].slug)
        except KeyError:
            names = ", ".join(s.slug for s in curriculum.sessions)
            raise Refused(
                "no session '{key}' in {name}; there are: {names}", name=curriculum_id, key=key, names=names
            ) from None
        return create_session(db, curriculum, source)
    newest = db.scalar(
        select(LearningSession).order_by(LearningSession.created_at.desc(), LearningSession.id.desc())
    )
    if newest is not None:
        return newest
    curriculum = next(iter(offered.values()))
    first_in_room = next((s for s in curriculum.sessions if s.session.isdigit()), curriculum.sessions[0])
    return create_session(db, curriculum, first_in_room)
