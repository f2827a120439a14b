"""Setting up the room: sessions made from the curriculum, teams, and participants joining."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import Row, bindparam, exists, func, select
from sqlalchemy.orm import Session

from curriculum.model import Activity as CurriculumActivity
from curriculum.model import Curriculum
from curriculum.model import LearningSession as CurriculumSession
from curriculum.problems import Word
from curriculum.text import clean_text
from curriculum.worksheets import ROLES as TEAM_ROLES
from live import protocol
from live.models import (
    Activity,
    AgendaItem,
    Collaborative,
    LearningSession,
    Participant,
    ParticipantKey,
    Team,
)
from live.protocol import Refused

# What messages call the fields of a team (the join form, the console).
TEAM_NAME, ORGANISATION = Word("the team name"), Word("the organisation")
# No 0/O, 1/I/L, 2/Z, 5/S: a code read off a projector across a ballroom.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY346789"
CODE_LENGTH = 5
TEAM_CODE_LENGTH = 5
MAX_TEAMS = 100  # teams phones may make in one learning session (a collaborative has 10 to 100)
MAX_TEAMS_BY_FACULTY = 500  # the faculty may add more (a congress of several collaboratives)
ROLES = TEAM_ROLES  # the join form's choices (curriculum.worksheets)

# An address a reminder can go to: something@somewhere.tld, no spaces (the server sends, it does not verify).
EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


def hash_token(token: str) -> str:
    """What the database keeps of a secret token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_join_code(db: Session) -> str:
    """A short join code no other session uses."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.scalar(select(LearningSession.id).where(LearningSession.join_code == code)) is None:
            return code


def ensure_collaborative(db: Session, curriculum: Curriculum) -> Collaborative:
    """The collaborative of a curriculum, made on first use."""
    found = db.scalar(select(Collaborative).where(Collaborative.curriculum_id == curriculum.id))
    if found is None:
        found = Collaborative(
            curriculum_id=curriculum.id, title=curriculum.title, topic=curriculum.topic, aim=curriculum.aim
        )
        db.add(found)
        db.flush()
    return found


def activity_spec(source: CurriculumActivity) -> dict[str, Any]:
    """What the room keeps of a curriculum activity to run it: its poll settings, its worksheet
    or its dots."""
    spec: dict[str, Any] = dict(source.spec)
    if source.worksheet:
        spec["worksheet"] = source.worksheet
    if source.kind == "gallery-walk":
        spec["dots"] = source.dots
    if source.kind in ("gallery-walk", "question-board"):
        spec["moderated"] = source.moderated
    return spec


def create_session(db: Session, curriculum: Curriculum, source: CurriculumSession) -> LearningSession:
    """A learning session in the room, its agenda and activities taken from the curriculum."""
    collaborative = ensure_collaborative(db, curriculum)
    session = LearningSession(
        collaborative=collaborative,
        session_key=source.session,
        title=source.title,
        join_code=new_join_code(db),
        date=source.date,  # the manifest's, for the take-home plan and the data export
    )
    db.add(session)
    position = 0
    for index, entry in enumerate(source.agenda):
        item = AgendaItem(
            session=session,
            position=index,
            start=entry.start,
            minutes=entry.minutes,
            title=entry.title,
            kind=entry.kind,
            module_id=entry.module.id if entry.module else None,
            presenter=entry.module.presenter if entry.module else "",
        )
        db.add(item)
        for activity in entry.module.activities if entry.module else ():
            position += 1
            db.add(
                Activity(
                    session=session,
                    item=item,
                    position=position,
                    key=activity.id,
                    kind=activity.kind,
                    poll_type=activity.poll_type,
                    title=activity.title,
                    prompt=activity.prompt,
                    minutes=activity.minutes,
                    spec=activity_spec(activity),
                    anonymous=activity.anonymous,
                )
            )
    db.flush()
    if session.items:
        session.current_item_id = session.items[0].id
    return session


def add_team(
    db: Session, session: LearningSession, name: Any, organisation: Any = "", *, by_faculty: bool = False
) -> Team:
    """A new team in the session's collaborative; names are unique regardless of case.

    Phones may make up to MAX_TEAMS in a session (a flood of made-up teams stops there); the
    faculty up to MAX_TEAMS_BY_FACULTY."""
    name = clean_text(name, TEAM_NAME, protocol.MAX_TEAM)
    organisation = clean_text(organisation, ORGANISATION, protocol.MAX_ORGANISATION, required=False)
    name_free(db, session, name)
    made = (
        db.scalar(select(func.count(Team.id)).where(Team.session_id == session.id, Team.removed.is_(False)))
        or 0
    )
    if made >= (MAX_TEAMS_BY_FACULTY if by_faculty else MAX_TEAMS):
        if by_faculty:
            raise Refused("a session takes at most {most} teams", "too_many", most=MAX_TEAMS_BY_FACULTY)
        raise Refused(
            "this session has {made} teams already: ask the faculty to add yours", "too_many", made=made
        )
    team = Team(
        collaborative_id=session.collaborative_id,
        name=name,
        organisation=organisation,
        code=_new_team_code(db, session),
        session_id=session.id,
    )
    db.add(team)
    db.flush()
    return team


def _new_team_code(db: Session, session: LearningSession) -> str:
    """A team code no other team of the collaborative has."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(TEAM_CODE_LENGTH))
        if (
            db.scalar(
                select(Team.id).where(Team.collaborative_id == session.collaborative_id, Team.code == code)
            )
            is None
        ):
            return code


def team_by_code(db: Session, session: LearningSession, code: str) -> Team | None:
    """The team of the collaborative with this code (typed in any case, spaces ignored)."""
    code = "".join(code.split()).upper()
    if not code or len(code) > 8:
        return None
    return db.scalar(
        select(Team).where(
            Team.collaborative_id == session.collaborative_id, Team.code == code, Team.removed.is_(False)
        )
    )


def name_free(db: Session, session: LearningSession, name: str, team_id: int | None = None) -> None:
    """Refuse a team name another team of the collaborative has, in any case."""
    taken = db.scalar(
        select(Team).where(
            Team.collaborative_id == session.collaborative_id,
            func.lower(Team.name) == name.lower(),
            Team.id != (team_id or 0),
        )
    )
    if taken is not None:
        raise Refused("there is already a team called '{name}'", "duplicate", name=taken.name)


class Door(NamedTuple):
    """What the join page shows of a session, read in one query (a join storm reads it for
    every phone): the session, and the collaborative's title."""

    id: int
    join_code: str
    title: str
    self_registration: bool
    collaborative_id: int
    collaborative_title: str

    @classmethod
    def of(cls, session: LearningSession) -> Door:
        return cls(
            session.id,
            session.join_code,
            session.title,
            session.self_registration,
            session.collaborative_id,
            session.collaborative.title,
        )


_DOOR = (
    select(
        LearningSession.id,
        LearningSession.join_code,
        LearningSession.title,
        LearningSession.self_registration,
        LearningSession.collaborative_id,
        Collaborative.title,
    )
    .join(Collaborative, Collaborative.id == LearningSession.collaborative_id)
    .where(LearningSession.join_code == bindparam("code"))
)


def door_by_code(db: Session, code: str) -> Door | None:
    """The join page's view of the session with this join code (typed in any case)."""
    typed = _typed_code(code)
    if typed is None:
        return None
    found = db.connection().execute(_DOOR, {"code": typed}).first()
    return Door(*found) if found is not None else None


_TEAMS_HERE = (
    select(Team.id, Team.name, Team.organisation)
    .where(
        Team.collaborative_id == bindparam("collaborative_id"),
        Team.removed.is_(False),
        (Team.session_id == bindparam("session_id"))
        | exists().where(
            Participant.session_id == bindparam("session_id"),
            Participant.team_id == Team.id,
            Participant.removed.is_(False),
        ),
    )
    .order_by(func.lower(Team.name))
    .limit(bindparam("limit"))
)


def teams_here(db: Session, door: Door, limit: int) -> list[Row[tuple[int, str, str]]]:
    """The teams the join page lists (id, name, organisation): made in this session, or with
    someone in it already. Plain rows: a join storm renders this list for every phone."""
    found: Iterable[Row[tuple[int, str, str]]] = db.connection().execute(
        _TEAMS_HERE, {"collaborative_id": door.collaborative_id, "session_id": door.id, "limit": limit}
    )
    return list(found)


def teams(db: Session, session: LearningSession) -> list[Team]:
    """The teams of the session's collaborative, by name."""
    return list(
        db.scalars(
            select(Team)
            .where(Team.collaborative_id == session.collaborative_id, Team.removed.is_(False))
            .order_by(func.lower(Team.name))
        )
    )


def join(
    db: Session,
    session: LearningSession,
    *,
    team_id: int | None,
    new_team: str = "",
    organisation: str = "",
    display_name: str,
    role: str = "",
    team_code: str = "",
    email: str = "",
    admitted: bool = False,
) -> tuple[Participant, str]:
    """Someone joins from a phone: returns the participant and their secret rejoin token.

    Joining an existing team takes its code (its members see it on their phones), or a
    member's or the faculty's approval (`admitted`, live/room/requests.py): picking a team
    from the list gives no one else's workspace away. A team of an earlier session is joined
    by its code alone (`team_id` None, no `new_team`).
    """
    display_name, role, email = person(display_name, role, email)
    coded = team_by_code(db, session, team_code or "")
    if team_id is not None:
        team = listed_team(db, session, team_id)
        if not admitted and (coded is None or coded.id != team.id):
            raise Refused(
                "type {team}'s team code: it is on your teammates' phones, or ask the faculty",
                "team_code",
                team=team.name,
            )
    elif team_code.strip() and not new_team.strip():
        if coded is None:
            raise Refused(
                "no team has that code: check it on a teammate's phone, or ask the faculty", "team_code"
            )
        team = coded
    elif new_team.strip():
        if not session.self_registration:
            raise Refused("teams are set up by the faculty here; pick your team from the list", "closed")
        team = add_team(db, session, new_team, organisation)
    else:
        raise Refused("pick your team, or type the name of a new one", "no_team")
    display_name_free(db, session, team, display_name)
    token = secrets.token_urlsafe(24)
    participant = Participant(
        session=session,
        team=team,
        display_name=display_name,
        role=role,
        token_hash=hash_token(token),
        email=email,
    )
    db.add(participant)
    db.flush()
    return participant, token


def person(display_name: str, role: str, email: str) -> tuple[str, str, str]:
    """Who someone says they are on the join form, checked: name, role, e-mail."""
    display_name = clean_text(display_name, Word("your name"), protocol.MAX_NAME)
    role = clean_text(role, Word("your role"), protocol.MAX_ROLE, required=False)
    email = clean_text(email, Word("your e-mail"), protocol.MAX_EMAIL, required=False)
    if email and not EMAIL.fullmatch(email):
        raise Refused("give an e-mail address such as ana@clinic.org, or leave it empty", "bad_value")
    return display_name, role, email


def listed_team(db: Session, session: LearningSession, team_id: int) -> Team:
    """A team someone picked from the join page's list (of this collaborative, not removed)."""
    team = db.get(Team, team_id)
    if team is None or team.removed or team.collaborative_id != session.collaborative_id:
        raise Refused("that team is not in this session; pick one from the list", "no_team")
    return team


def display_name_free(db: Session, session: LearningSession, team: Team, display_name: str) -> None:
    """Two people of one team in one session are not called the same (a team's own name:
    `name_free`)."""
    same = db.scalar(
        select(Participant.display_name).where(
            Participant.team_id == team.id,
            Participant.session_id == session.id,
            Participant.removed.is_(False),
            func.lower(Participant.display_name) == display_name.lower(),
        )
    )
    if same is not None:
        raise Refused(
            "someone in {team} is already called {same}: add an initial, such as '{name} B.'",
            "duplicate",
            team=team.name,
            same=same,
            name=display_name,
        )


def participant_by_token(db: Session, token: str | None) -> Participant | None:
    """The participant a rejoin token belongs to, if any."""
    if not token or len(token) > 100:
        return None
    found = db.scalar(
        select(Participant).where(Participant.token_hash == hash_token(token), Participant.removed.is_(False))
    )
    if found is None:  # a device signed in by a personal link (live/room/keys.py)
        found = db.scalar(_BY_DEVICE.where(ParticipantKey.token_hash == hash_token(token)))
    return found


_BY_DEVICE = (
    select(Participant)
    .join(ParticipantKey, ParticipantKey.participant_id == Participant.id)
    .where(
        ParticipantKey.kind == "device", ParticipantKey.revoked_at.is_(None), Participant.removed.is_(False)
    )
)


_PHONE = (
    select(Participant.id, Participant.session_id, Participant.team_id)
    .join(LearningSession, LearningSession.id == Participant.session_id)
    .where(
        Participant.token_hash == bindparam("token_hash"),
        Participant.removed.is_(False),
        LearningSession.join_code == bindparam("code"),
    )
)


_DEVICE_PHONE = (
    select(Participant.id, Participant.session_id, Participant.team_id)
    .join(ParticipantKey, ParticipantKey.participant_id == Participant.id)
    .join(LearningSession, LearningSession.id == Participant.session_id)
    .where(
        ParticipantKey.token_hash == bindparam("token_hash"),
        ParticipantKey.kind == "device",
        ParticipantKey.revoked_at.is_(None),
        Participant.removed.is_(False),
        LearningSession.join_code == bindparam("code"),
    )
)


def phone_of(db: Session, code: str, token: Any) -> Row[int, int, int] | None:
    """The participant (id, session_id, team_id) whose rejoin token this is, in the session
    with this join code; None if there is none (never joined, removed, another session)."""
    if not isinstance(token, str) or not token or len(token) > 100 or not code or len(code) > 12:
        return None
    found = db.connection().execute(_PHONE, {"token_hash": hash_token(token), "code": code}).first()
    if found is None:  # a device signed in by a personal link
        found = (
            db.connection().execute(_DEVICE_PHONE, {"token_hash": hash_token(token), "code": code}).first()
        )
    return found


def session_by_code(db: Session, code: str) -> LearningSession | None:
    """The session with this join code (typed in any case)."""
    typed = _typed_code(code)
    if typed is None:
        return None
    return db.scalar(select(LearningSession).where(LearningSession.join_code == typed))


def _typed_code(code: str) -> str | None:
    """A session's join code as stored, from how someone typed it; None if it cannot be one."""
    code = code.strip().upper()
    return code if code and len(code) <= 12 else None
