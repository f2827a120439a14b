"""Polls: storing answers (each checked by its kind's definition), counting results, quick polls."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from curriculum.polls import POLL_KINDS, WordCloudPoll, cloud_words, poll_kind
from live import protocol
from live.models import Activity, LearningSession, Participant, Response, Team, now
from live.protocol import Refused
from live.writes import Author

_RESPONSES = cast(Table, Response.__table__)
_ACTIVITIES = cast(Table, Activity.__table__)
_UPSERTS: dict[str, Any] = {}
_POLL = select(
    _ACTIVITIES.c.id,
    _ACTIVITIES.c.session_id,
    _ACTIVITIES.c.kind,
    _ACTIVITIES.c.poll_type,
    _ACTIVITIES.c.spec,
    _ACTIVITIES.c.state,
    _ACTIVITIES.c.round,
).where(_ACTIVITIES.c.id == bindparam("activity_id"))


def _upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT for one answer, built once per database kind (both have it)."""
    if dialect not in _UPSERTS:
        statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(_RESPONSES)
        _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=["activity_id", "round", "owner"],
            set_={
                "value": statement.excluded.value,
                "participant_id": statement.excluded.participant_id,
                "updated_at": statement.excluded.updated_at,
            },
        )
    return _UPSERTS[dialect]


def cast_vote(db: Session, voter: Author, request: protocol.CastVote) -> tuple[dict[str, Any], bool]:
    """Store an answer; a changed answer replaces the earlier one.

    Returns the acknowledgement and whether the team's phones should hear of it (an answer
    the team gives once for all its members). Two statements on the hot path (a room votes
    in bursts): the poll, and the answer as an upsert.
    """
    connection = db.connection()
    poll = connection.execute(_POLL, {"activity_id": request["activity_id"]}).first()
    if poll is None or poll.session_id != voter.session_id:
        raise Refused("there is no such poll in this session", "no_activity")
    if poll.kind != "poll" or poll.poll_type not in POLL_KINDS:
        raise Refused("this activity takes no votes", "not_a_poll")
    if poll.state != "open":
        if poll.state == "ready":
            raise Refused("this poll is not open", "closed")
        raise Refused("this poll has closed", "closed")
    kind = POLL_KINDS[poll.poll_type]
    value = kind.check(poll.spec, request["value"])
    owner = f"t{voter.team_id}" if kind.team_wide else f"p{voter.id}"
    response = None
    if kind.moderates(poll.spec):
        # A changed answer goes back to the facilitator for approval.
        response = db.scalar(
            select(Response).where(
                Response.activity_id == poll.id, Response.round == poll.round, Response.owner == owner
            )
        )
        if response is not None:
            response.approved = response.approved and response.value == value
            response.value, response.participant_id = value, voter.id
    if response is None:
        connection.execute(
            _upsert(connection.dialect.name),
            {
                "activity_id": poll.id,
                "round": poll.round,
                "owner": owner,
                "participant_id": voter.id,
                "team_id": voter.team_id,
                "value": value,
                "approved": False,
                "updated_at": now(),
            },
        )
    return {"ok": True, "activity_id": poll.id, "value": value}, kind.team_wide


def responses(db: Session, activity: Activity) -> list[Any]:
    """The current round's answers to an activity (rows of id, value, team_id, approved)."""
    return list(
        db.execute(
            select(Response.id, Response.value, Response.team_id, Response.approved)
            .where(Response.activity_id == activity.id, Response.round == activity.round)
            .order_by(Response.id)
        )
    )


def _spec(activity: Activity) -> dict[str, Any]:
    """The poll's settings and the room's own changes to it (words taken off the cloud)."""
    return {**activity.spec, "hidden": activity.hidden} if activity.hidden else dict(activity.spec)


def results(
    db: Session, activity: Activity, approved_only: bool = True, answers: list[Any] | None = None
) -> dict[str, Any]:
    """The results of a poll as the room sees them (moderated answers only once approved);
    `answers` saves reading them again when the caller has them (`responses`)."""
    found = responses(db, activity) if answers is None else answers
    return POLL_KINDS[activity.poll_type or ""].tally(_spec(activity), found, approved_only)


def results_by_team(
    db: Session, activity: Activity, answers: list[Any] | None = None
) -> list[dict[str, Any]]:
    """The results per team, for the facilitator."""
    kind = POLL_KINDS[activity.poll_type or ""]
    answers = responses(db, activity) if answers is None else answers
    teams = dict(
        db.execute(
            select(Team.id, Team.name).where(Team.collaborative_id == activity.session.collaborative_id)
        ).all()
    )
    grouped: dict[int, list[Any]] = {}
    for answer in answers:
        grouped.setdefault(answer.team_id, []).append(answer)
    return [
        {
            "team_id": team_id,
            "team": teams[team_id],
            "results": kind.tally(_spec(activity), grouped[team_id], approved_only=False),
        }
        for team_id in sorted(grouped, key=lambda t: teams[t].lower())
    ]


def answer_table(db: Session, activity: Activity) -> tuple[list[str], list[list[Any]]]:
    """Every answer of the current round, for the facilitator's spreadsheet: when, team, who (left
    blank for an anonymous poll), the answer as people read it, and whether it was approved."""
    kind = POLL_KINDS[activity.poll_type or ""]
    rows = db.execute(
        select(Response.updated_at, Team.name, Participant.display_name, Response.value, Response.approved)
        .join(Team, Team.id == Response.team_id)
        .join(Participant, Participant.id == Response.participant_id)
        .where(Response.activity_id == activity.id, Response.round == activity.round)
        .order_by(Response.id)
    )
    header = ["time", "team", "participant", "answer"]
    moderated = kind.moderates(activity.spec)
    if moderated:
        header.append("approved")
    table = []
    for when, team, who, value, approved in rows:
        row = [when, team, "" if activity.anonymous else who, kind.answer_text(activity.spec, value)]
        table.append([*row, approved] if moderated else row)
    return header, table


def approve_answer(db: Session, activity: Activity, response_id: int, approved: bool) -> Response:
    """Show an answer of a moderated poll on the projector's wall, or take it down."""
    response = db.get(Response, response_id)
    if response is None or response.activity_id != activity.id:
        raise Refused("there is no such answer to this poll", "no_answer")
    response.approved = approved
    db.flush()
    return response


def hide_word(db: Session, activity: Activity, word: str, hidden: bool) -> None:
    """Take a word off the room's word cloud, or put it back."""
    if activity.poll_type != WordCloudPoll.name:
        raise Refused("only a word cloud has words to hide", "not_a_poll")
    folded = cloud_words(word)
    if len(folded) != 1:
        raise Refused("name one word of the cloud", "bad_payload")
    word = folded[0]
    words = [w for w in activity.hidden if w != word]
    activity.hidden = [*words, word] if hidden else words
    db.flush()


def add_poll(db: Session, session: LearningSession, payload: dict[str, Any]) -> Activity:
    """A quick poll made during the session, placed at the current agenda item.

    Its settings are checked by its kind, as a module's poll is by `bsc validate`.
    """
    kind = poll_kind(protocol.text(payload, "poll_type", 32))
    prompt = protocol.text(payload, "prompt", protocol.MAX_PROMPT)
    title = protocol.text(payload, "title", protocol.MAX_TITLE, required=False) or "Quick poll"
    spec, issues = kind.read(payload)
    if issues:
        raise Refused("{problem} ({hint})", "bad_payload", problem=issues[0].message, hint=issues[0].hint)
    anonymous = payload.get("anonymous", True)
    if not isinstance(anonymous, bool):
        raise Refused("'anonymous' must be true or false", "bad_payload")
    count = len(session.activities)
    activity = Activity(
        session=session,
        item_id=session.current_item_id,
        position=count + 1,
        key=f"ad-hoc-{count + 1}",
        kind="poll",
        poll_type=kind.name,
        title=title,
        prompt=prompt,
        minutes=3,
        spec=spec,
        anonymous=anonymous,
        ad_hoc=True,
    )
    db.add(activity)
    db.flush()
    return activity
