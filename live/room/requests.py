"""Asking to join a team without its code: a member of the team, or the faculty, lets you in.

Joining an existing team takes its code, so that picking a team from the list gives no one its
workspace. Someone who does not have the code (their teammates' phones are in their pockets,
the table card is at the other end of the room) asks instead: the team's phones and the
console show "Ben (Nurse) asks to join", and a member or the faculty lets them in or not. The
waiting phone holds only a token for its request; it joins once the request is approved.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curriculum.problems import Word
from live.models import JoinRequest, LearningSession, Participant, now
from live.protocol import Refused
from live.room.sessions import display_name_free, hash_token, join, listed_team, person

WAITING_PER_TEAM = 10  # people waiting at one team's door at once
WAIT_HOURS = 3  # a request nobody answered is forgotten after this
FACULTY = Word("the faculty")  # who answered, where no member did


def ask_to_join(
    db: Session, session: LearningSession, team_id: int, display_name: str, role: str, email: str
) -> tuple[JoinRequest, str]:
    """Ask to join a listed team: the request, and the waiting phone's token for it."""
    display_name, role, email = person(display_name, role, email)
    team = listed_team(db, session, team_id)
    display_name_free(db, session, team, display_name)
    waiting = db.scalar(
        select(func.count())
        .select_from(JoinRequest)
        .where(
            JoinRequest.team_id == team.id, JoinRequest.state == "waiting", JoinRequest.created_at > _since()
        )
    )
    if (waiting or 0) >= WAITING_PER_TEAM:
        raise Refused(
            "{count} people are already waiting for {team}: ask the faculty",
            "full",
            count=WAITING_PER_TEAM,
            team=team.name,
        )
    token = secrets.token_urlsafe(24)
    request = JoinRequest(
        session_id=session.id,
        team_id=team.id,
        display_name=display_name,
        role=role,
        email=email,
        token_hash=hash_token(token),
    )
    db.add(request)
    db.flush()
    return request, token


def _since() -> Any:
    return now() - timedelta(hours=WAIT_HOURS)


def request_by_token(db: Session, session: LearningSession, token: str | None) -> JoinRequest | None:
    """The request a waiting phone holds (of this session, not forgotten), if any."""
    if not token or len(token) > 100:
        return None
    return db.scalar(
        select(JoinRequest).where(
            JoinRequest.token_hash == hash_token(token),
            JoinRequest.session_id == session.id,
            JoinRequest.created_at > _since(),
        )
    )


def waiting(
    db: Session, session_id: int, team_ids: list[int] | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Who is waiting at each team's door: team id -> [{id, name, role}]."""
    query = (
        select(JoinRequest)
        .where(
            JoinRequest.session_id == session_id,
            JoinRequest.state == "waiting",
            JoinRequest.created_at > _since(),
        )
        .order_by(JoinRequest.id)
    )
    if team_ids is not None:
        query = query.where(JoinRequest.team_id.in_(team_ids))
    found: dict[int, list[dict[str, Any]]] = {}
    for request in db.scalars(query):
        found.setdefault(request.team_id, []).append(
            {"id": request.id, "name": request.display_name, "role": request.role}
        )
    return found


def decide(
    db: Session, session_id: int, request_id: int, approve: bool, by: str, team_id: int | None = None
) -> JoinRequest:
    """A member of the team (`team_id`: theirs) or the faculty (None) lets someone in, or not."""
    request = db.get(JoinRequest, request_id)
    if request is None or request.session_id != session_id or request.created_at <= _since():
        raise Refused("no one is waiting with that request any more", "gone")
    if team_id is not None and request.team_id != team_id:
        raise Refused("only the team itself, or the faculty, can let someone into a team", "forbidden")
    if request.state != "waiting":
        raise Refused(
            "{name} was already answered ({by})",
            "answered",
            name=request.display_name,
            by=FACULTY if request.decided_by == FACULTY else request.decided_by,
        )
    request.state = "approved" if approve else "refused"
    request.decided_by = by[:60]
    db.flush()
    return request


def come_in(db: Session, session: LearningSession, request: JoinRequest) -> tuple[Participant, str]:
    """The waiting phone, its request approved, joins the team: the participant and its token."""
    participant, token = join(
        db,
        session,
        team_id=request.team_id,
        display_name=request.display_name,
        role=request.role,
        email=request.email,
        admitted=True,
    )
    request.state = "joined"
    db.flush()
    return participant, token
