"""Polls: checking and storing answers (each counted once), and counting results."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as DbSession

from curriculum.model import ASSESSMENT_SCALE
from live import protocol
from live.models import Activity, AppliedWrite, Response, Session, Team, now
from live.protocol import Refused

SCORES = tuple(score for score, _ in ASSESSMENT_SCALE)
MAX_WORD = 30
TEAM_WIDE = ("assessment-scale",)


def check_value(kind: str | None, spec: dict[str, Any], value: Any) -> Any:
    """The answer in its stored form, or refuse it saying what a good answer looks like."""
    options = spec.get("options", [])
    if kind == "choice":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(options):
            raise Refused(f"choose one of the {len(options)} options", "bad_value")
        return value
    if kind == "multi":
        if (not isinstance(value, list) or not value
                or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
                or len(set(value)) != len(value) or not all(0 <= v < len(options) for v in value)):
            raise Refused("choose one or more of the options, each once", "bad_value")
        return sorted(value)
    if kind == "ranking":
        if (not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
                or sorted(value) != list(range(len(options)))):
            raise Refused(f"put all {len(options)} options in order, each once", "bad_value")
        return value
    if kind == "scale":
        low, high = spec.get("min", 1), spec.get("max", 5)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Refused(f"choose a whole number from {low} to {high}", "bad_value")
        return value
    if kind == "assessment-scale":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) not in SCORES:
            raise Refused("choose a score from 0.5 to 5.0, in steps of 0.5", "bad_value")
        return float(value)
    if kind == "wordcloud":
        limit = int(spec.get("max_words", 3))
        phrase = protocol.text({"answer": value}, "answer", limit * (MAX_WORD + 1))
        words = phrase.split()
        if len(words) > limit:
            raise Refused(f"use at most {limit} word{'s' if limit > 1 else ''}", "too_long")
        if any(len(w) > MAX_WORD for w in words):
            raise Refused(f"words are at most {MAX_WORD} letters", "too_long")
        return phrase
    if kind == "open":
        return protocol.text({"answer": value}, "answer", int(spec.get("max_chars", 280)))
    raise Refused("this activity takes no answers", "not_a_poll")


class Voter(Protocol):
    """Who votes: a participant, or the socket's record of one."""

    @property
    def id(self) -> int: ...
    @property
    def team_id(self) -> int | None: ...
    @property
    def session_id(self) -> int: ...


_RESPONSES = cast(Table, Response.__table__)
_APPLIED = cast(Table, AppliedWrite.__table__)
_UPSERTS: dict[str, Any] = {}


def _upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT for one answer, built once per database kind (both have it)."""
    if dialect not in _UPSERTS:
        statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(_RESPONSES)
        _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=["activity_id", "round", "owner"],
            set_={"value": statement.excluded.value, "participant_id": statement.excluded.participant_id,
                  "updated_at": statement.excluded.updated_at})
    return _UPSERTS[dialect]


_EARLIER = select(_APPLIED.c.participant_id, _APPLIED.c.reply).where(
    _APPLIED.c.client_id == bindparam("client_id"))
_ACTIVITIES = cast(Table, Activity.__table__)
_SESSIONS = cast(Table, Session.__table__)
_POLL = (select(_ACTIVITIES.c.id, _ACTIVITIES.c.session_id, _ACTIVITIES.c.kind, _ACTIVITIES.c.poll_type,
                _ACTIVITIES.c.spec, _ACTIVITIES.c.state, _ACTIVITIES.c.round, _SESSIONS.c.locked)
         .join(_SESSIONS, _SESSIONS.c.id == _ACTIVITIES.c.session_id)
         .where(_ACTIVITIES.c.id == bindparam("activity_id")))
_RECORD = insert(_APPLIED)


def cast_vote(db: DbSession, voter: Voter, request: protocol.CastVote) -> tuple[dict[str, Any], bool]:
    """Store an answer once per client id; a changed answer replaces the earlier one.

    Returns the acknowledgement and whether the team's phones should hear of it (a team-wide
    answer that changed).

    Four statements on the hot path (a room votes in bursts): the client id, the poll and
    its session, the answer (an upsert), the client id again.
    """
    if voter.team_id is None:
        raise Refused("only participants answer polls", "forbidden")
    connection = db.connection()
    earlier = connection.execute(_EARLIER, {"client_id": request["client_id"]}).first()
    if earlier is not None:
        if earlier.participant_id != voter.id:
            raise Refused("that client_id was used by someone else", "bad_payload")
        return dict(earlier.reply), False
    poll = connection.execute(_POLL, {"activity_id": request["activity_id"]}).first()
    if poll is None or poll.session_id != voter.session_id:
        raise Refused("there is no such poll in this session", "no_activity")
    if poll.kind != "poll":
        raise Refused("this activity takes no votes", "not_a_poll")
    if poll.state != "open":
        raise Refused("this poll is not open" if poll.state == "ready" else "this poll has closed", "closed")
    if poll.locked:
        raise Refused("the facilitator has paused answers for a moment", "locked")
    value = check_value(poll.poll_type, poll.spec, request["value"])
    owner = f"t{voter.team_id}" if poll.poll_type in TEAM_WIDE else f"p{voter.id}"
    if poll.poll_type == "open":
        # An open answer that changes goes back to the facilitator for approval.
        response = db.scalar(select(Response).where(Response.activity_id == poll.id,
                                                    Response.round == poll.round, Response.owner == owner))
        if response is not None:
            response.approved = response.approved and response.value == value
            response.value, response.participant_id = value, voter.id
    if poll.poll_type != "open" or response is None:
        connection.execute(_upsert(connection.dialect.name), {
            "activity_id": poll.id, "round": poll.round, "owner": owner, "participant_id": voter.id,
            "team_id": voter.team_id, "value": value, "approved": False, "updated_at": now()})
    reply = {"ok": True, "activity_id": poll.id, "value": value}
    connection.execute(_RECORD, {"client_id": request["client_id"], "participant_id": voter.id,
                                 "reply": reply, "applied_at": now()})
    return reply, poll.poll_type in TEAM_WIDE


def responses(db: DbSession, activity: Activity) -> list[Any]:
    """The current round's answers to an activity (rows of id, value, team_id, approved)."""
    return list(db.execute(select(Response.id, Response.value, Response.team_id, Response.approved)
                           .where(Response.activity_id == activity.id, Response.round == activity.round)
                           .order_by(Response.id)))


def tally(activity: Activity, answers: list[Any], approved_only: bool = True) -> dict[str, Any]:
    """The results of a poll from its answers, shaped for a chart."""
    kind, spec = activity.poll_type, activity.spec
    options = spec.get("options", [])
    values = [r.value for r in answers]
    result: dict[str, Any] = {"type": kind, "count": len(values)}
    if kind in ("choice", "multi"):
        counts = Counter(v for value in values for v in (value if kind == "multi" else [value]))
        result["bars"] = [{"label": o, "count": counts.get(i, 0)} for i, o in enumerate(options)]
    elif kind == "ranking":
        points = [0] * len(options)
        for order in values:
            for place, option in enumerate(order):
                points[option] += len(options) - place
        ranked = sorted(range(len(options)), key=lambda i: -points[i])
        result["bars"] = [{"label": options[i], "count": points[i]} for i in ranked]
    elif kind in ("scale", "assessment-scale"):
        scale: list[float] = ([float(s) for s in SCORES] if kind == "assessment-scale"
                              else list(range(spec.get("min", 1), spec.get("max", 5) + 1)))
        counts = Counter(values)
        labels = dict(ASSESSMENT_SCALE) if kind == "assessment-scale" else {}
        result["bars"] = [{"label": str(p), "count": counts.get(p, 0), "hint": labels.get(p, "")}
                          for p in scale]
        if values:
            result["mean"] = round(statistics.fmean(values), 2)
            result["median"] = statistics.median(values)
        if kind == "scale":
            result["min_label"], result["max_label"] = spec.get("min_label", ""), spec.get("max_label", "")
    elif kind == "wordcloud":
        counts = Counter(" ".join(str(v).split()).casefold() for v in values)
        result["words"] = [{"text": w, "count": c} for w, c in counts.most_common(60)]
    elif kind == "open":
        shown = [r for r in answers if r.approved or not approved_only]
        result["answers"] = [{"id": r.id, "text": r.value, "approved": r.approved} for r in shown]
    return result


def results(db: DbSession, activity: Activity, approved_only: bool = True) -> dict[str, Any]:
    """The results of a poll as the room sees them (open answers only once approved)."""
    return tally(activity, responses(db, activity), approved_only)


def results_by_team(db: DbSession, activity: Activity) -> list[dict[str, Any]]:
    """The results per team, for the facilitator."""
    answers = responses(db, activity)
    teams = {t.id: t for t in db.scalars(select(Team).where(
        Team.collaborative_id == activity.session.collaborative_id))}
    grouped: dict[int, list[Any]] = {}
    for answer in answers:
        grouped.setdefault(answer.team_id, []).append(answer)
    return [{"team_id": team_id, "team": teams[team_id].name,
             "results": tally(activity, grouped[team_id], approved_only=False)}
            for team_id in sorted(grouped, key=lambda t: teams[t].name.lower())]


def approve_answer(db: DbSession, activity: Activity, response_id: int, approved: bool) -> Response:
    """Show an open answer on the projector's wall, or take it down."""
    response = db.get(Response, response_id)
    if response is None or response.activity_id != activity.id:
        raise Refused("there is no such answer to this poll", "no_answer")
    response.approved = approved
    db.flush()
    return response
