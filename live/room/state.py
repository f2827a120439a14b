"""The state each kind of client gets: a phone, the projector, the facilitator console.

Sent whole on every (re)connect, so a phone that slept or a projector that reloaded is back
where the room is. Everything here is plain data (JSON), never ORM objects.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curriculum.model import clock
from curriculum.polls import POLL_KINDS
from live.context import curricula
from live.models import Activity, LearningSession, Participant, Response, Team, now
from live.polls.service import results, results_by_team
from live.questions.service import mine, questions
from live.room.requests import waiting
from live.room.sessions import ROLES, teams
from live.workspaces.gallery import comments
from live.workspaces.service import progress, workspace


def timer(session: LearningSession) -> dict[str, Any] | None:
    """The countdown: running (ends_at, ISO time) or paused (remaining seconds)."""
    if session.timer_ends_at is not None:
        return {"running": True, "ends_at": session.timer_ends_at.isoformat(), "total": session.timer_total}
    if session.timer_remaining is not None:
        return {"running": False, "remaining": session.timer_remaining, "total": session.timer_total}
    return None


def activity_public(activity: Activity, staff: bool = False) -> dict[str, Any]:
    """What a phone or the projector needs to show an activity (faculty also see what phones must
    not, such as a quiz's right answer); a poll's words come from its kind's definition."""
    public: dict[str, Any] = {
        "id": activity.id,
        "kind": activity.kind,
        "poll_type": activity.poll_type,
        "title": activity.title,
        "prompt": activity.prompt,
        "minutes": activity.minutes,
        "spec": activity.spec,
        "state": activity.state,
        "anonymous": activity.anonymous,
        "results_visible": activity.results_visible,
        "team_wide": False,
    }
    kind = POLL_KINDS.get(activity.poll_type or "")
    if kind is not None:
        shown = kind.for_phone(activity.spec)
        public.update(
            spec={**shown, **activity.spec} if staff else shown,
            team_wide=kind.team_wide,
            instruction=kind.instruction,
            kind_title=kind.title,
        )
    return public


def driver_diagram(session: LearningSession) -> dict[str, Any] | None:
    """The collaborative's driver diagram from its curriculum, for the team to choose from."""
    curriculum = curricula().get(session.collaborative.curriculum_id)
    if curriculum is None or curriculum.topic_pack is None:
        return None
    return asdict(curriculum.topic_pack.driver_diagram)


def agenda(session: LearningSession) -> list[dict[str, Any]]:
    """The agenda with times, as shown on every screen."""
    return [
        {
            "id": i.id,
            "title": i.title,
            "kind": i.kind,
            "start": clock(i.start),
            "end": clock(i.start + i.minutes),
            "presenter": i.presenter,
            "current": i.id == session.current_item_id,
        }
        for i in session.items
    ]


def room(db: Session, session: LearningSession) -> dict[str, Any]:
    """The part of the state every client shares."""
    current = db.get(Activity, session.current_activity_id) if session.current_activity_id else None
    shared: dict[str, Any] = {
        "session": {
            "id": session.id,
            "title": session.title,
            "code": session.join_code,
            "collaborative": session.collaborative.title,
            "locked": session.locked,
            "storyboards_revealed": session.storyboards_revealed,
            "join_shown": session.join_shown,
        },
        "agenda": agenda(session),
        "activity": activity_public(current) if current else None,
        "timer": timer(session),
        "server_time": now().isoformat(),
    }
    if current is not None and current.kind == "poll" and current.results_visible:
        shared["results"] = results(db, current)
    if current is not None and current.kind == "question-board":
        shared["questions"] = questions(db, current)
    return shared


def digest(state: dict[str, Any]) -> str:
    """A short fingerprint of a state (its clock aside): a phone whose page carried this state
    is told `unchanged` on connecting rather than sent it all again."""
    same = {k: v for k, v in state.items() if k not in ("server_time", "digest")}
    return hashlib.sha256(json.dumps(same, sort_keys=True, default=str).encode()).hexdigest()[:16]


def participant_state(db: Session, participant: Participant) -> dict[str, Any]:
    """A phone's full state: the room, who they are, their answers, their team's workspace."""
    return participant_states(db, [participant.id])[participant.id]


def participant_states(db: Session, ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """The full states of many phones at once (those still in their session), for a reconnect
    storm: the room's shared part once per session, a workspace and roster once per team, every
    phone's answers in one query per session."""
    people = db.execute(
        select(
            Participant.id,
            Participant.session_id,
            Participant.team_id,
            Participant.display_name,
            Participant.role,
            Team.name,
            Team.organisation,
            Team.code,
        )
        .join(Team, Team.id == Participant.team_id)
        .where(Participant.id.in_(list(ids)), Participant.removed.is_(False))
    ).all()
    states: dict[int, dict[str, Any]] = {}
    for session_id in {p.session_id for p in people}:
        session = db.get(LearningSession, session_id)
        if session is None:
            continue
        here = [p for p in people if p.session_id == session_id]
        shared = room(db, session)
        shared["driver_diagram"] = driver_diagram(session)
        current = db.get(Activity, session.current_activity_id or 0)
        answers = _answers(db, session_id, [f"p{p.id}" for p in here] + [f"t{p.team_id}" for p in here])
        team_ids = {p.team_id for p in here}
        names = rosters(db, session_id, team_ids)
        at_the_door = waiting(db, session_id, list(team_ids))
        workspaces = {team_id: workspace(db, team_id) for team_id in team_ids}
        for p in here:
            state = {
                **shared,
                "me": {
                    "id": p.id,
                    "name": p.display_name,
                    "role": p.role,
                    "team": {"id": p.team_id, "name": p.name, "organisation": p.organisation, "code": p.code},
                },
                "answers": {**answers.get(f"t{p.team_id}", {}), **answers.get(f"p{p.id}", {})},
                "workspace": workspaces[p.team_id],
                "roster": names.get(p.team_id, []),
                "waiting": at_the_door.get(p.team_id, []),  # asking to join the team
            }
            if current is not None and current.kind == "question-board":
                state["my_questions"] = mine(db, current, p.id)
            states[p.id] = state
    return states


def _answers(db: Session, session_id: int, owners: list[str]) -> dict[str, dict[str, Any]]:
    """This round's answers of each owner (`p<id>` a person's, `t<id>` a team's), by activity id."""
    found: dict[str, dict[str, Any]] = {}
    rows = db.execute(
        select(Response.activity_id, Response.value, Response.owner)
        .join(Activity, Activity.id == Response.activity_id)
        .where(
            Activity.session_id == session_id,
            Response.round == Activity.round,
            Response.owner.in_(set(owners)),
        )
    )
    for activity_id, value, owner in rows:
        found.setdefault(owner, {})[str(activity_id)] = value
    return found


def roster(db: Session, team_id: int, session_id: int) -> list[str]:
    """Who is on a team in this session, in the order they joined (owners are picked from it)."""
    return rosters(db, session_id, {team_id}).get(team_id, [])


def rosters(db: Session, session_id: int, team_ids: Collection[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for team_id, name in db.execute(
        select(Participant.team_id, Participant.display_name)
        .where(
            Participant.team_id.in_(list(team_ids)),
            Participant.session_id == session_id,
            Participant.removed.is_(False),
        )
        .order_by(Participant.id)
    ):
        names.setdefault(team_id, []).append(name)
    return names


def presence(db: Session, session: LearningSession, people: bool = False) -> dict[str, Any]:
    """How many have joined, per team; for the console (`people`) also who they are."""
    joined = db.execute(
        select(Participant.id, Participant.team_id, Participant.display_name, Participant.role)
        .where(Participant.session_id == session.id, Participant.removed.is_(False))
        .order_by(Participant.id)
    ).all()
    by_team: dict[int, list[dict[str, Any]]] = {}
    for p in joined:
        by_team.setdefault(p.team_id, []).append({"id": p.id, "name": p.display_name, "role": p.role})
    at_the_door = waiting(db, session.id) if people else {}
    rows = []
    for t in teams(db, session):
        row = {
            "id": t.id,
            "name": t.name,
            "organisation": t.organisation,
            "joined": len(by_team.get(t.id, [])),
        }
        if people:
            row.update(people=by_team.get(t.id, []), code=t.code, waiting=at_the_door.get(t.id, []))
        rows.append(row)
    return {"total": len(joined), "teams": rows}


def projector_state(db: Session, session: LearningSession, join_url: str) -> dict[str, Any]:
    """The projector's full state: the room, the join link, who has joined."""
    state = room(db, session)
    state["join_url"] = join_url
    state["presence"] = presence(db, session)
    return state


def console_state(db: Session, session: LearningSession, join_url: str) -> dict[str, Any]:
    """The facilitator's full state: everything, results always visible, people per team."""
    state = projector_state(db, session, join_url)
    state["activities"] = [
        {
            **activity_public(a, staff=True),
            "item_id": a.item_id,
            "ad_hoc": a.ad_hoc,
            "results": results(db, a, approved_only=False) if a.kind == "poll" else None,
            "by_team": results_by_team(db, a) if a.kind == "poll" else None,
            "questions": questions(db, a, staff=True) if a.kind == "question-board" else None,
        }
        for a in session.activities
    ]
    state["presence"] = presence(db, session, people=True)
    state["roles"] = list(ROLES)
    state["progress"] = progress(db, session)
    state["comments"] = comments(db, session, staff=True)
    return state
