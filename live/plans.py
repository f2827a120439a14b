"""A team's plan as plain data (exports.plans) built from its workspace in the database."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from curriculum.model import Curriculum, session_heading
from exports.plans import (
    Commitment,
    DataPoint,
    DriverChoice,
    PdsaCycle,
    PlanRow,
    Storyboard,
    TeamAim,
    TeamMeasure,
    TeamPlan,
)
from live.models import Participant, Session, Team
from live.protocol import Refused
from live.workspace import parse_points, workspace


def _number(text: str) -> float | None:
    try:
        return float(text.replace("%", "").replace(",", ".").strip())
    except ValueError:
        return None


def _choices(curriculum: Curriculum | None, chosen: str, own: str) -> tuple[DriverChoice, ...]:
    picks: list[DriverChoice] = []
    try:
        ids = set(json.loads(chosen or "[]"))
    except ValueError:
        ids = set()
    if curriculum is not None and curriculum.topic_pack is not None:
        for primary in curriculum.topic_pack.driver_diagram.primary:
            for secondary in primary.secondary:
                for n, change in enumerate(secondary.changes, 1):
                    if f"{secondary.id}.{n}" in ids:
                        picks.append(DriverChoice(primary.text, secondary.text, change))
    picks.extend(DriverChoice("", "", line.strip(), own=True) for line in own.splitlines() if line.strip())
    return tuple(picks)


def team_plan(
    db: DbSession, session: Session, team: Team, curriculum: Curriculum | None, workspace_url: str = ""
) -> TeamPlan:
    """Everything the team has in its workspace, shaped for the take-home PDF and calendar."""
    if team.collaborative_id != session.collaborative_id:
        raise Refused("that team is not in this session", "no_team")
    space = workspace(db, team.id)
    fields = space["fields"]

    def get(scope: str, name: str) -> str:
        return str(fields.get(scope, {}).get(name, {}).get("value", ""))

    def rows(kind: str) -> list[tuple[dict[str, Any], str]]:
        return [(item, f"i{item['id']}") for item in space["items"] if item["kind"] == kind]

    measures = []
    for item, scope in rows("measure"):
        try:
            points = tuple(DataPoint(label, value) for label, value in parse_points(get(scope, "data")))
        except Refused:
            points = ()
        measures.append(
            TeamMeasure(
                family=get(scope, "family") or "outcome",
                name=get(scope, "name"),
                definition=get(scope, "definition"),
                direction=get(scope, "direction") or "up",
                baseline=_number(get(scope, "baseline")),
                target=_number(get(scope, "target")),
                points=points,
                item_id=item["id"],
            )
        )
    cycles = []
    for n, (_, scope) in enumerate(rows("pdsa"), 1):
        number = get(scope, "cycle")
        cycles.append(
            PdsaCycle(
                test=get(scope, "test"),
                cycle=int(number) if number.isdigit() else n,
                driver=get(scope, "driver"),
                tasks=get(scope, "tasks"),
                who=get(scope, "who"),
                when=get(scope, "when"),
                where=get(scope, "where"),
                prediction=get(scope, "prediction"),
                measures=get(scope, "measures"),
                data_plan=get(scope, "data_plan"),
                do=get(scope, "do"),
                study=get(scope, "study"),
                act=get(scope, "act"),
                next_cycle=get(scope, "next_cycle"),
            )
        )
    plan = tuple(
        PlanRow(
            **{
                name: get(scope, name)
                for name in ("driver", "change", "preparation", "measure", "who", "when", "follow_up")
            }
        )
        for _, scope in rows("plan")
    )
    commitments = tuple(
        Commitment(
            what=get(scope, "what"),
            owner=get(scope, "owner"),
            due=get(scope, "due"),
            status=item["status"],
            note=item["note"],
        )
        for item, scope in rows("commitment")
        if get(scope, "what")
    )
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
        aim=TeamAim(
            what=get("", "aim_what"),
            for_whom=get("", "aim_for_whom"),
            how_much=get("", "aim_how_much"),
            by_when=get("", "aim_by_when"),
            baseline=get("", "aim_baseline"),
            target=get("", "aim_target"),
            statement=get("", "aim_statement"),
        ),
        measures=tuple(measures),
        drivers=_choices(curriculum, get("", "drivers_chosen"), get("", "drivers_own")),
        cycles=tuple(cycles),
        plan=plan,
        commitments=commitments,
        storyboard=Storyboard(
            changes_tested=get("", "story_changes"),
            results=get("", "story_results"),
            lessons=get("", "story_lessons"),
            next_steps=get("", "story_next"),
        ),
        workspace_url=workspace_url,
        date=session.date,
    )


def session_plans(
    db: DbSession, session: Session, curriculum: Curriculum | None, room_url: str
) -> list[TeamPlan]:
    """Every team's plan, for the faculty packet (teams with no one in this session included)."""
    teams = db.scalars(
        select(Team).where(Team.collaborative_id == session.collaborative_id).order_by(Team.name)
    )
    return [team_plan(db, session, team, curriculum, room_url) for team in teams]
