"""A team's plan as plain data (exports.plans) built from its workspace in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curriculum.model import Curriculum, session_heading
from curriculum.polls import AssessmentPoll
from curriculum.problems import Invalid
from curriculum.worksheets import WORKSHEETS, chosen_ids
from exports.plans import DriverChoice, FilledSheet, PlanRow, Rating, TeamPlan
from live.models import Activity, LearningSession, Participant, Response, Team
from live.protocol import Refused
from live.workspaces.service import workspace


def filled_sheets(space: dict[str, Any]) -> tuple[FilledSheet, ...]:
    """A workspace (as `workspace()` returns it) as the worksheets it fills, in their order."""
    fields = space["fields"]

    def values(scope: str) -> dict[str, str]:
        return {name: str(f["value"]) for name, f in fields.get(scope, {}).items()}

    sheets = []
    for sheet in WORKSHEETS.values():
        own = values("")
        rows: tuple[PlanRow, ...] = ()
        if sheet.rows is not None:
            kind = sheet.rows.kind
            rows = tuple(
                PlanRow(values(f"i{item['id']}"), item["status"], item["note"], item["id"])
                for item in space["items"]
                if item["kind"] == kind
            )
        sheets.append(FilledSheet(sheet.name, {f.name: own.get(f.name, "") for f in sheet.fields}, rows))
    return tuple(sheets)


def _choices(curriculum: Curriculum | None, chosen: str, own: str) -> tuple[DriverChoice, ...]:
    """The change ideas a team chose from the collaborative's driver diagram, then its own."""
    try:
        ids = set(chosen_ids(chosen))
    except Invalid:
        ids = set()
    picks: list[DriverChoice] = []
    if curriculum is not None and curriculum.topic_pack is not None:
        for primary in curriculum.topic_pack.driver_diagram.primary:
            for secondary in primary.secondary:
                for n, change in enumerate(secondary.changes, 1):
                    if f"{secondary.id}.{n}" in ids:
                        picks.append(DriverChoice(primary.text, secondary.text, change))
    picks.extend(DriverChoice("", "", line.strip(), own=True) for line in own.splitlines() if line.strip())
    return tuple(picks)


def _ratings(db: Session, session: LearningSession, team: Team) -> tuple[Rating, ...]:
    """The team's answers to this session's assessment-scale polls (one per team, current round)."""
    rows = db.execute(
        select(Activity.title, Response.value)
        .join(Response, Response.activity_id == Activity.id)
        .where(
            Activity.session_id == session.id,
            Activity.poll_type == AssessmentPoll.name,
            Response.round == Activity.round,
            Response.owner == f"t{team.id}",
        )
        .order_by(Activity.position)
    )
    return tuple(Rating(title, float(value)) for title, value in rows)


def team_plan(
    db: Session, session: LearningSession, team: Team, curriculum: Curriculum | None, workspace_url: str = ""
) -> TeamPlan:
    """Everything the team has in its workspace, shaped for the take-home PDF and calendar."""
    if team.collaborative_id != session.collaborative_id:
        raise Refused("that team is not in this session", "no_team")
    sheets = filled_sheets(workspace(db, team.id))
    drivers = next(s for s in sheets if s.name == "driver-diagram")
    members = tuple(
        db.scalars(
            select(Participant.display_name)
            .where(Participant.team_id == team.id, Participant.session_id == session.id)
            .order_by(Participant.id)
        )
    )
    return TeamPlan(
        collaborative=session.collaborative.title,
        session=session_heading(session.session_key, session.title),
        team=team.name,
        organisation=team.organisation,
        members=members,
        sheets=sheets,
        drivers=_choices(curriculum, drivers.get("drivers_chosen"), drivers.get("drivers_own")),
        ratings=_ratings(db, session, team),
        workspace_url=workspace_url,
        date=session.date,
        ideas=diagram_ideas(curriculum),
    )


def diagram_ideas(curriculum: Curriculum | None) -> dict[str, str]:
    """Every change idea of the collaborative's driver diagram, by id ("S1.2.3")."""
    if curriculum is None or curriculum.topic_pack is None:
        return {}
    return {
        f"{s.id}.{n}": change
        for p in curriculum.topic_pack.driver_diagram.primary
        for s in p.secondary
        for n, change in enumerate(s.changes, 1)
    }


def session_plans(
    db: Session, session: LearningSession, curriculum: Curriculum | None, room_url: str
) -> list[TeamPlan]:
    """Every team's plan, for the faculty packet: the collaborative's teams, those with no one
    in this session included (they carry their plan from session to session), but not a team
    the faculty removed as made by mistake."""
    teams = db.scalars(
        select(Team)
        .where(Team.collaborative_id == session.collaborative_id, Team.removed.is_(False))
        .order_by(Team.name)
    )
    return [team_plan(db, session, team, curriculum, room_url) for team in teams]
