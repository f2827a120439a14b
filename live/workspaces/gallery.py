"""The gallery walk: storyboards revealed to the room, dots and comments from other teams.

A storyboard is built from the team's worksheets, so nothing is typed twice: each worksheet's
definition says whether it shows, and how (its summary, its fields, or its run charts).
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exports.plans import FilledSheet, cycle_names, measure_chart, measure_points
from live import protocol
from live.models import Activity, Comment, Dot, LearningSession, Team
from live.protocol import Refused
from live.workspaces.plans import filled_sheets
from live.workspaces.service import workspace
from live.writes import Author

MAX_COMMENT = 500
MAX_COMMENTS_EACH = 20  # comments one participant may leave in a session
MAX_COMMENTS_PER_TEAM = 300  # comments one storyboard may receive in a session
DEFAULT_DOTS = 3


def _walk(db: Session, session: LearningSession) -> dict[str, Any]:
    """The settings of the gallery walk under way (dots, moderated), if one is."""
    current = db.get(Activity, session.current_activity_id) if session.current_activity_id else None
    return dict(current.spec) if current is not None and current.kind == "gallery-walk" else {}


def dots_allowed(db: Session, session: LearningSession) -> int:
    """How many dots each participant has: the current gallery walk's, else the default."""
    return int(_walk(db, session).get("dots", DEFAULT_DOTS))


def storyboard(db: Session, team: Team) -> dict[str, Any]:
    """One team's poster: labelled sections (the brief ones fit the gallery's grid) and run charts."""
    sections: list[dict[str, Any]] = []
    charts: list[dict[str, str]] = []
    sheets = filled_sheets(workspace(db, team.id))
    cycles = cycle_names(next((f for f in sheets if f.name == "pdsa"), FilledSheet("pdsa")))
    for filled in sheets:
        sheet = filled.sheet
        if sheet.gallery == "summary" and filled.summary():
            sections.append(
                {"label": sheet.gallery_label, "text": "; ".join(filled.summary()), "brief": True}
            )
        elif sheet.gallery == "fields":
            sections += [
                {"label": f.label, "text": filled.get(f.name), "brief": False}
                for f in sheet.fields
                if filled.get(f.name)
            ]
        elif sheet.gallery == "charts":
            for row in filled.rows:
                if measure_points(row):
                    svg = measure_chart(row, 520, 240, cycles)
                    charts.append(
                        {
                            "name": row.get("name"),
                            "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
                        }
                    )
    return {
        "team_id": team.id,
        "team": team.name,
        "organisation": team.organisation,
        "sections": sections,
        "charts": charts,
    }


def dot_totals(db: Session, session: LearningSession) -> dict[str, int]:
    """Dots per team (team id as text, for JSON)."""
    rows = db.execute(
        select(Dot.team_id, func.count(Dot.id)).where(Dot.session_id == session.id).group_by(Dot.team_id)
    ).all()
    return {str(team_id): count for team_id, count in rows}


def comments(db: Session, session: LearningSession, staff: bool = False) -> dict[str, list[Any]]:
    """Comments by team id (as text, for JSON): the approved ones' text, or for faculty every
    comment with its id and whether it is approved (a moderated walk's wait for approval)."""
    found: dict[str, list[Any]] = {}
    query = select(Comment).where(Comment.session_id == session.id).order_by(Comment.id)
    for comment in db.scalars(query if staff else query.where(Comment.approved)):
        shown = (
            {"id": comment.id, "text": comment.text, "approved": comment.approved} if staff else comment.text
        )
        found.setdefault(str(comment.team_id), []).append(shown)
    return found


def approve_comment(db: Session, session: LearningSession, comment_id: int, approved: bool) -> Comment:
    """Show a comment of a moderated gallery walk to the room, or take it down."""
    comment = db.get(Comment, comment_id)
    if comment is None or comment.session_id != session.id:
        raise Refused("there is no such comment in this session", "no_comment")
    comment.approved = approved
    db.flush()
    return comment


def gallery(
    db: Session, session: LearningSession, viewer: Author | None, staff: bool = False
) -> dict[str, Any]:
    """Every team's storyboard with its dots and comments; a viewer also sees their own dots."""
    if viewer is not None and not session.storyboards_revealed:
        raise Refused("the storyboards have not been revealed yet", "not_revealed")
    teams = db.scalars(
        select(Team)
        .where(Team.collaborative_id == session.collaborative_id, Team.removed.is_(False))
        .order_by(func.lower(Team.name))
    )
    said = comments(db, session, staff)
    mine = []
    if viewer is not None:
        mine = list(db.scalars(select(Dot.team_id).where(Dot.participant_id == viewer.id)))
    boards = [{**storyboard(db, team), "comments": said.get(str(team.id), [])} for team in teams]
    return {
        "boards": boards,
        "dots": dot_totals(db, session),
        "my_dots": mine,
        "dots_allowed": dots_allowed(db, session),
    }


def _revealed(db: Session, author: Author) -> LearningSession:
    session = db.get(LearningSession, author.session_id)
    if session is None:
        raise Refused("this session has ended", "gone")
    if not session.storyboards_revealed:
        raise Refused("the storyboards have not been revealed yet", "not_revealed")
    return session


def _other_team(db: Session, session: LearningSession, author: Author, team_id: int) -> Team:
    team = db.get(Team, team_id)
    if team is None or team.collaborative_id != session.collaborative_id:
        raise Refused("there is no such team here", "no_team")
    if team.id == author.team_id:
        raise Refused("dots and comments are for other teams' storyboards", "own_team")
    return team


def place_dot(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Put one of your dots on another team's storyboard."""
    session = _revealed(db, author)
    team = _other_team(db, session, author, protocol.integer(payload, "team_id"))
    used = db.scalar(select(func.count(Dot.id)).where(Dot.participant_id == author.id)) or 0
    allowed = dots_allowed(db, session)
    if used >= allowed:
        raise Refused(
            "you have placed all {count} of your dots; take one back to move it", "no_dots", count=allowed
        )
    db.add(Dot(session_id=session.id, participant_id=author.id, team_id=team.id))
    db.flush()
    return {"ok": True, "team_id": team.id, "left": allowed - used - 1}


def remove_dot(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Take back one of your dots from a team's storyboard."""
    team_id = protocol.integer(payload, "team_id")
    dot = db.scalar(select(Dot).where(Dot.participant_id == author.id, Dot.team_id == team_id).limit(1))
    if dot is None:
        raise Refused("you have no dot on that storyboard", "no_dot")
    db.delete(dot)
    db.flush()
    return {"ok": True, "team_id": team_id}


def add_comment(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Leave a comment on another team's storyboard."""
    session = _revealed(db, author)
    team = _other_team(db, session, author, protocol.integer(payload, "team_id"))
    text = protocol.text(payload, "text", MAX_COMMENT)
    mine = db.scalar(select(func.count(Comment.id)).where(Comment.participant_id == author.id)) or 0
    if mine >= MAX_COMMENTS_EACH:
        raise Refused("you have left {count} comments already", "too_many", count=MAX_COMMENTS_EACH)
    received = (
        db.scalar(
            select(func.count(Comment.id)).where(Comment.session_id == session.id, Comment.team_id == team.id)
        )
        or 0
    )
    if received >= MAX_COMMENTS_PER_TEAM:
        raise Refused(
            "{team}'s storyboard has {count} comments already",
            "too_many",
            team=team.name,
            count=MAX_COMMENTS_PER_TEAM,
        )
    waits = bool(_walk(db, session).get("moderated"))  # a moderated walk: shown once approved
    db.add(
        Comment(
            session_id=session.id, participant_id=author.id, team_id=team.id, text=text, approved=not waits
        )
    )
    db.flush()
    return {"ok": True, "team_id": team.id, "text": text, "approved": not waits}
