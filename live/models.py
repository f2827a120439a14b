"""The room's data: collaboratives, learning sessions, teams, participants, activities, answers.

Teams belong to the collaborative, not to one learning session, so that a team's storyboard,
PDSA cycles and commitments (issue 4) carry forward from one session to the next.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC and always read back aware of it.

    SQLite keeps no offset and returns naive times; PostgreSQL returns them in the session's
    zone. Either way the room sends ISO times with their offset, so a phone in New York or
    Tokyo counts a timer down from the same instant.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime reached the database; use live.models.now()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base of every model."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Facilitator(Base):
    """A faculty member who may run sessions from the console."""

    __tablename__ = "facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class LoginLink(Base):
    """A one-time sign-in link printed by `bsc serve` (only its hash is stored)."""

    __tablename__ = "login_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class FacultySession(Base):
    """A faculty sign-in on one browser: its cookie holds the token, the server decides whether
    it still counts (signing out revokes it; it ends after a long day)."""

    __tablename__ = "faculty_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Collaborative(Base):
    """A collaborative: one topic, many teams, several learning sessions."""

    __tablename__ = "collaborative"

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_id: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(Text, default="")
    aim: Mapped[str] = mapped_column(Text, default="")

    teams: Mapped[list[Team]] = relationship(back_populates="collaborative", order_by="Team.name")
    sessions: Mapped[list[LearningSession]] = relationship(back_populates="collaborative")


class LearningSession(Base):
    """A learning session as run in the room: its agenda, where the room is, the timer."""

    __tablename__ = "learning_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(ForeignKey("collaborative.id"))
    session_key: Mapped[str] = mapped_column(String(16))  # prework, 1, 2, 3, ap1...
    title: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str] = mapped_column(String(12), unique=True, index=True)
    self_registration: Mapped[bool] = mapped_column(Boolean, default=True)
    current_item_id: Mapped[int | None] = mapped_column(Integer, default=None)
    current_activity_id: Mapped[int | None] = mapped_column(Integer, default=None)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    storyboards_revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The projector's big join panel: shown while people join, put in a corner once the room
    # moves on, and brought back by the facilitator.
    join_shown: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    date: Mapped[str] = mapped_column(String(20), default="")
    timer_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    timer_remaining: Mapped[int | None] = mapped_column(Integer, default=None)  # paused: seconds
    timer_total: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    collaborative: Mapped[Collaborative] = relationship(back_populates="sessions")
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="session", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    activities: Mapped[list[Activity]] = relationship(
        back_populates="session", order_by="Activity.position", cascade="all, delete-orphan"
    )
    participants: Mapped[list[Participant]] = relationship(back_populates="session")


class AgendaItem(Base):
    """One line of the session's agenda (a module, or lunch)."""

    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_session.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)  # minutes after midnight
    minutes: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="plenary")
    module_id: Mapped[str | None] = mapped_column(String(80), default=None)
    presenter: Mapped[str] = mapped_column(String(120), default="")

    session: Mapped[LearningSession] = relationship(back_populates="items")
    activities: Mapped[list[Activity]] = relationship(back_populates="item", order_by="Activity.position")


class Activity(Base):
    """A poll, team time, storyboard, gallery walk or break, with its state in the room."""

    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("session_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_session.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"), default=None)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(120))  # the curriculum's activity id
    kind: Mapped[str] = mapped_column(String(16))
    poll_type: Mapped[str | None] = mapped_column(String(20), default=None)
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column(Integer, default=5)
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)  # options, scale, limits
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(8), default="ready")  # ready, open, closed
    results_visible: Mapped[bool] = mapped_column(Boolean, default=False)
    ad_hoc: Mapped[bool] = mapped_column(Boolean, default=False)
    round: Mapped[int] = mapped_column(Integer, default=1)  # bumped by a reset
    hidden: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")  # words taken off the cloud

    session: Mapped[LearningSession] = relationship(back_populates="activities")
    item: Mapped[AgendaItem | None] = relationship(back_populates="activities")


class Team(Base):
    """A team from one organisation, in one collaborative."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("collaborative_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(ForeignKey("collaborative.id"))
    name: Mapped[str] = mapped_column(String(80))
    organisation: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # made by mistake
    # Joining an existing team takes its code (members see it on their phones; a table card prints it).
    code: Mapped[str] = mapped_column(String(8), default="", server_default="")
    # The learning session it was made in (its join page lists the teams of that session).
    session_id: Mapped[int | None] = mapped_column(ForeignKey("learning_session.id"), default=None)

    collaborative: Mapped[Collaborative] = relationship(back_populates="teams")
    participants: Mapped[list[Participant]] = relationship(back_populates="team")


class Participant(Base):
    """Someone in the room on a phone: a name, a role, a team, and a rejoin token."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_session.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(40), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    # Removed by the facilitator, or left ("not me"): can no longer rejoin with the old link.
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")  # for reminders, optional

    session: Mapped[LearningSession] = relationship(back_populates="participants")
    team: Mapped[Team] = relationship(back_populates="participants")


class Response(Base):
    """One participant's answer to a poll (or, for the assessment scale, one team's rating)."""

    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("activity_id", "round", "owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    # "p<participant id>", or "t<team id>" for a one-per-team answer: one row per owner.
    owner: Mapped[str] = mapped_column(String(24))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    value: Mapped[Any] = mapped_column(JSON)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)  # open answers, for the wall
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)


class AppliedWrite(Base):
    """A client-made write id the server has applied, so a retried write counts once."""

    __tablename__ = "applied_write"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    reply: Mapped[dict[str, Any]] = mapped_column(default=dict)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class WorkspaceItem(Base):
    """A row in a team's workspace: a measure, a PDSA cycle, a plan row or a commitment."""

    __tablename__ = "workspace_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # measure, pdsa, plan, commitment
    position: Mapped[int] = mapped_column(Integer, default=0)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("learning_session.id"), default=None)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Carried forward to a later learning session: done, partly, not-done (and why).
    status: Mapped[str] = mapped_column(String(10), default="")
    status_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class WorkspaceField(Base):
    """One field of a team's workspace, with its version: edits name the version they saw."""

    __tablename__ = "workspace_field"
    __table_args__ = (UniqueConstraint("team_id", "scope", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    scope: Mapped[str] = mapped_column(String(16), default="")  # "" for the team, "i<item id>"
    name: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class Dot(Base):
    """A dot a participant placed on another team's storyboard in a gallery walk."""

    __tablename__ = "dot"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_session.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class Comment(Base):
    """A comment left on another team's storyboard."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_session.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    approved: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # moderated walks
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class Question(Base):
    """A question posted to a question board; others upvote it, faculty approve, pin and answer it."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    text: Mapped[str] = mapped_column(Text)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class QuestionVote(Base):
    """One participant's upvote of a question (one each)."""

    __tablename__ = "question_vote"
    __table_args__ = (UniqueConstraint("question_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))


class JoinRequest(Base):
    """Someone who picked an existing team without its code, waiting for a member of the team
    (or the faculty) to let them in; they join once it is approved."""

    __tablename__ = "join_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_session.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the waiting phone's cookie
    state: Mapped[str] = mapped_column(String(10), default="waiting")  # waiting, approved, refused, joined
    decided_by: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class ReminderSent(Base):
    """A reminder e-mail claimed for sending: its key is unique, so that of two server
    processes due to send the same reminder, one does (live/reminders.py)."""

    __tablename__ = "reminder_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)  # what, for whom, which day
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class ParticipantKey(Base):
    """A way back to one's team after the room: a personal link (printed on the take-home plan,
    shown on the phone), or a device that opened it. Only hashes are kept; a link's token is
    derived from its nonce and the server's secret, so the phone can show it again. Faculty
    revoke a link (and the devices it signed in); a participant signs a device out."""

    __tablename__ = "participant_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # link, device
    nonce: Mapped[str] = mapped_column(String(32), default="")  # a link's, to derive its token
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant_key.id"), default=None
    )  # a device's link
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class DatabaseOrigin(Base):
    """This database's name among others (one row, made by its first migration): a backup
    carries it, so that a database importing the backup twice knows the rows it already has."""

    __tablename__ = "database_origin"

    origin: Mapped[str] = mapped_column(String(36), primary_key=True)


class ImportedRow(Base):
    """A row that came from another database's backup: which one, and its id there and here."""

    __tablename__ = "imported_row"

    origin: Mapped[str] = mapped_column(String(36), primary_key=True)
    tablename: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    local_id: Mapped[str] = mapped_column(String(64))
    # Already here before it was imported (the same team met at two sessions, say): ours stays
    # as it is, but for what is newer in the file (a worksheet field, an answer).
    adopted: Mapped[bool] = mapped_column(Boolean, default=False)


class BackupImport(Base):
    """One backup imported: from which database, and when that backup was written."""

    __tablename__ = "backup_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(36), index=True)
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
