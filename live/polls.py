"""Polls: checking and storing answers (each counted once), and counting results."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from curriculum.model import ASSESSMENT_SCALE
from live import protocol
from live.models import Activity, AppliedWrite, Participant, Response, Team
from live.protocol import Refused

SCORES = tuple(score for score, _ in ASSESSMENT_SCALE)
MAX_WORD = 30
TEAM_WIDE = ("assessment-scale",)


def owner_of(activity: Activity, participant: Participant) -> str:
    """Whose answer this is: the participant's own, or their team's for a team-wide poll."""
    return f"t{participant.team_id}" if activity.poll_type in TEAM_WIDE else f"p{participant.id}"


def check_value(activity: Activity, value: Any) -> Any:
    """The answer in its stored form, or refuse it saying what a good answer looks like."""
    spec, kind = activity.spec, activity.poll_type
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


def cast_vote(db: DbSession, participant: Participant, request: protocol.CastVote) -> dict[str, Any]:
    """Store an answer once per client id; a changed answer replaces the earlier one."""
    earlier = db.get(AppliedWrite, request["client_id"])
    if earlier is not None:
        if earlier.participant_id != participant.id:
            raise Refused("that client_id was used by someone else", "bad_payload")
        return dict(earlier.reply)
    activity = db.get(Activity, request["activity_id"])
    if activity is None or activity.session_id != participant.session_id:
        raise Refused("there is no such poll in this session", "no_activity")
    if activity.kind != "poll":
        raise Refused("this activity takes no votes", "not_a_poll")
    if activity.state != "open":
        raise Refused("this poll is not open" if activity.state == "ready" else "this poll has closed",
                      "closed")
    if activity.session.locked:
        raise Refused("the facilitator has paused answers for a moment", "locked")
    value = check_value(activity, request["value"])
    owner = owner_of(activity, participant)
    response = db.scalar(select(Response).where(Response.activity_id == activity.id,
                                                Response.round == activity.round,
                                                Response.owner == owner))
    if response is None:
        response = Response(activity_id=activity.id, round=activity.round, owner=owner,
                            participant_id=participant.id, team_id=participant.team_id, value=value)
        db.add(response)
    else:
        if response.value != value:
            response.approved = False  # a changed open answer goes back for approval
        response.value = value
        response.participant_id = participant.id
    reply = {"ok": True, "activity_id": activity.id, "value": value}
    db.add(AppliedWrite(client_id=request["client_id"], participant_id=participant.id, reply=reply))
    db.flush()
    return reply


def answer_of(db: DbSession, activity: Activity, participant: Participant) -> Any:
    """This participant's answer (or their team's) to an activity, or None."""
    return db.scalar(select(Response.value).where(Response.activity_id == activity.id,
                                                  Response.round == activity.round,
                                                  Response.owner == owner_of(activity, participant)))


def responses(db: DbSession, activity: Activity) -> list[Response]:
    """The current round's answers to an activity."""
    return list(db.scalars(select(Response).where(Response.activity_id == activity.id,
                                                  Response.round == activity.round)
                           .order_by(Response.id)))


def tally(activity: Activity, answers: list[Response], approved_only: bool = True) -> dict[str, Any]:
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
    out = []
    for team_id in sorted({r.team_id for r in answers}, key=lambda t: teams[t].name.lower()):
        mine = [r for r in answers if r.team_id == team_id]
        out.append({"team_id": team_id, "team": teams[team_id].name,
                    "results": tally(activity, mine, approved_only=False)})
    return out


def approve_answer(db: DbSession, activity: Activity, response_id: int, approved: bool) -> Response:
    """Show an open answer on the projector's wall, or take it down."""
    response = db.get(Response, response_id)
    if response is None or response.activity_id != activity.id:
        raise Refused("there is no such answer to this poll", "no_answer")
    response.approved = approved
    db.flush()
    return response
