"""The gallery walk: storyboards revealed to the room, dots and comments from other teams."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from exports.runcharts import run_chart_svg
from live import protocol
from live.models import Activity, Comment, Dot, Session, Team
from live.protocol import Refused
from live.workspace import Author, applied_reply, parse_points, record_reply, workspace

MAX_COMMENT = 500
DEFAULT_DOTS = 3


def dots_allowed(db: DbSession, session: Session) -> int:
    """How many dots each participant has: the current gallery walk's, else the default."""
    current = db.get(Activity, session.current_activity_id) if session.current_activity_id else None
    if current is not None and current.kind == "gallery-walk":
        return int(current.spec.get("dots", DEFAULT_DOTS))
    return DEFAULT_DOTS


def storyboard(db: DbSession, team: Team) -> dict[str, Any]:
    """One team's poster, built from its workspace so nothing is typed twice."""
    space = workspace(db, team.id)
    fields = space["fields"]
    top = {name: f["value"] for name, f in fields.get("", {}).items()}
    measures = []
    for item in space["items"]:
        if item["kind"] != "measure":
            continue
        own = {name: f["value"] for name, f in fields.get(f"i{item['id']}", {}).items()}
        try:
            points = parse_points(own.get("data", ""))
        except Refused:
            points = []
        target = _number(own.get("target", ""))
        chart = run_chart_svg([v for _, v in points], [label for label, _ in points],
                              title=own.get("name", "") or "Measure", target=target)
        measures.append({"name": own.get("name", ""), "family": own.get("family", ""),
                         "target": own.get("target", ""), "points": points,
                         "chart": "data:image/svg+xml;base64," + base64.b64encode(chart.encode()).decode()})
    tested = [fields.get(f"i{i['id']}", {}).get("test", {}).get("value", "")
              for i in space["items"] if i["kind"] == "pdsa"]
    return {"team_id": team.id, "team": team.name, "organisation": team.organisation,
            "aim": top.get("aim_statement") or top.get("aim_what", ""), "measures": measures,
            "tests": [t for t in tested if t], "changes": top.get("story_changes", ""),
            "results": top.get("story_results", ""), "lessons": top.get("story_lessons", ""),
            "next": top.get("story_next", "")}


def _number(text: str) -> float | None:
    try:
        return float(text.replace("%", "").replace(",", ".").strip())
    except ValueError:
        return None


def dot_totals(db: DbSession, session: Session) -> dict[str, int]:
    """Dots per team (team id as text, for JSON)."""
    rows = db.execute(select(Dot.team_id, func.count(Dot.id)).where(Dot.session_id == session.id)
                      .group_by(Dot.team_id)).all()
    return {str(team_id): count for team_id, count in rows}


def gallery(db: DbSession, session: Session, viewer: Author | None) -> dict[str, Any]:
    """Every team's storyboard with its dots and comments; a viewer also sees their own dots."""
    if viewer is not None and not session.storyboards_revealed:
        raise Refused("the storyboards have not been revealed yet", "not_revealed")
    teams = db.scalars(select(Team).where(Team.collaborative_id == session.collaborative_id)
                       .order_by(func.lower(Team.name)))
    comments: dict[int, list[str]] = {}
    for comment in db.scalars(select(Comment).where(Comment.session_id == session.id).order_by(Comment.id)):
        comments.setdefault(comment.team_id, []).append(comment.text)
    mine = []
    if viewer is not None:
        mine = list(db.scalars(select(Dot.team_id).where(Dot.participant_id == viewer.id)))
    boards = [{**storyboard(db, team), "comments": comments.get(team.id, [])} for team in teams]
    return {"boards": boards, "dots": dot_totals(db, session), "my_dots": mine,
            "dots_allowed": dots_allowed(db, session)}


def _other_team(db: DbSession, session: Session, author: Author, team_id: int) -> Team:
    if not session.storyboards_revealed:
        raise Refused("the storyboards have not been revealed yet", "not_revealed")
    team = db.get(Team, team_id)
    if team is None or team.collaborative_id != session.collaborative_id:
        raise Refused("there is no such team here", "no_team")
    if team.id == author.team_id:
        raise Refused("dots and comments are for other teams' storyboards", "own_team")
    return team


def place_dot(db: DbSession, session: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Put one of your dots on another team's storyboard."""
    client_id = protocol.client_id(payload)
    done = applied_reply(db, client_id, author)
    if done is not None:
        return done
    team = _other_team(db, session, author, protocol.integer(payload, "team_id"))
    used = db.scalar(select(func.count(Dot.id)).where(Dot.participant_id == author.id)) or 0
    allowed = dots_allowed(db, session)
    if used >= allowed:
        raise Refused(f"you have placed all {allowed} of your dots; take one back to move it", "no_dots")
    db.add(Dot(session_id=session.id, participant_id=author.id, team_id=team.id))
    db.flush()
    return record_reply(db, client_id, author, {"ok": True, "team_id": team.id, "left": allowed - used - 1})


def remove_dot(db: DbSession, session: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Take back one of your dots from a team's storyboard."""
    client_id = protocol.client_id(payload)
    done = applied_reply(db, client_id, author)
    if done is not None:
        return done
    team_id = protocol.integer(payload, "team_id")
    dot = db.scalar(select(Dot).where(Dot.participant_id == author.id, Dot.team_id == team_id).limit(1))
    if dot is None:
        raise Refused("you have no dot on that storyboard", "no_dot")
    db.delete(dot)
    db.flush()
    return record_reply(db, client_id, author, {"ok": True, "team_id": team_id})


def add_comment(db: DbSession, session: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Leave a comment on another team's storyboard."""
    client_id = protocol.client_id(payload)
    done = applied_reply(db, client_id, author)
    if done is not None:
        return done
    team = _other_team(db, session, author, protocol.integer(payload, "team_id"))
    text = protocol.text(payload, "text", MAX_COMMENT)
    db.add(Comment(session_id=session.id, participant_id=author.id, team_id=team.id, text=text))
    db.flush()
    return record_reply(db, client_id, author, {"ok": True, "team_id": team.id, "text": text})
