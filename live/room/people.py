"""People make mistakes: a team's name corrected, a team made twice, someone in the wrong team.

The facilitator fixes them from the console; a phone can leave ("not me").
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from curriculum.text import clean_text
from live import protocol
from live.models import Dot, LearningSession, Participant, Response, Team
from live.protocol import Refused
from live.questions.service import remove_votes_of
from live.room.sessions import ORGANISATION, TEAM_NAME, hash_token, name_free


def team_of(db: Session, session: LearningSession, team_id: int) -> Team:
    """A team of the session's collaborative, or refuse."""
    team = db.get(Team, team_id)
    if team is None or team.removed or team.collaborative_id != session.collaborative_id:
        raise Refused("there is no such team here", "no_team")
    return team


def participant_of(db: Session, session: LearningSession, participant_id: int) -> Participant:
    """A participant of this session, or refuse."""
    participant = db.get(Participant, participant_id)
    if participant is None or participant.removed or participant.session_id != session.id:
        raise Refused("there is no such participant in this session", "no_participant")
    return participant


def rename_team(db: Session, session: LearningSession, team_id: int, name: Any, organisation: Any) -> Team:
    """Correct a team's name (or organisation): its workspace and members stay."""
    team = team_of(db, session, team_id)
    name = clean_text(name, TEAM_NAME, protocol.MAX_TEAM)
    name_free(db, session, name, team.id)
    team.name = name
    team.organisation = clean_text(organisation, ORGANISATION, protocol.MAX_ORGANISATION, required=False)
    db.flush()
    return team


def remove_team(db: Session, session: LearningSession, team_id: int) -> Team:
    """Take away a team made by mistake; one that people are in must be emptied first."""
    team = team_of(db, session, team_id)
    members = db.scalar(
        select(func.count(Participant.id)).where(
            Participant.team_id == team.id, Participant.removed.is_(False)
        )
    )
    if members == 1:
        raise Refused("{team} has 1 member: move or remove them first", "not_empty", team=team.name)
    if members:
        raise Refused(
            "{team} has {count} members: move or remove them first",
            "not_empty",
            team=team.name,
            count=members,
        )
    team.removed = True
    team.name = f"{team.name[: protocol.MAX_TEAM - 20]} (removed {team.id})"  # the name is free again
    db.flush()
    return team


def move_participant(db: Session, session: LearningSession, participant_id: int, team_id: int) -> Participant:
    """Put someone who picked the wrong team in the right one (their answers stay theirs)."""
    participant = participant_of(db, session, participant_id)
    participant.team_id = team_of(db, session, team_id).id
    db.flush()
    return participant


def remove_participant(db: Session, participant: Participant) -> None:
    """Take someone out of the session (a duplicate, someone who left): their link stops working,
    and their own answers and dots of this session no longer count."""
    participant.removed = True
    participant.token_hash = hash_token(secrets.token_urlsafe(24))  # the old link finds no one
    db.execute(delete(Response).where(Response.owner == f"p{participant.id}"))
    db.execute(delete(Dot).where(Dot.participant_id == participant.id))
    remove_votes_of(db, participant.id)
    db.flush()
