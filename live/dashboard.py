"""The action-period dashboard's data, read from the database in a few queries.

Every team of a collaborative with its measures (data read) and its monthly reports, and the
names of the measures to pool: the topic pack's first, in its order, then the teams' own.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from curriculum.worksheets import SUBMITTED
from exports.dashboard import Dashboard, Report, TeamMeasure, TeamView, measure_points
from live.context import curricula
from live.models import Collaborative, Team, WorkspaceField, WorkspaceItem


def dashboard(db: Session, collaborative_id: int, month: str, team_id: int | None = None) -> Dashboard:
    """The collaborative's action period for `month` (YYYY-MM); LookupError if there is none.
    With `team_id`, that team only (a phone printing its own report)."""
    collaborative = db.get(Collaborative, collaborative_id)
    if collaborative is None:
        raise LookupError(collaborative_id)
    teams = list(
        db.scalars(
            select(Team)
            .where(Team.collaborative_id == collaborative_id, Team.removed.is_(False))
            .where(Team.id == team_id if team_id is not None else true())
            .order_by(Team.name)
        )
    )
    ids = [t.id for t in teams]
    items = list(
        db.scalars(
            select(WorkspaceItem)
            .where(
                WorkspaceItem.team_id.in_(ids),
                WorkspaceItem.deleted.is_(False),
                WorkspaceItem.kind.in_(("measure", "report")),
            )
            .order_by(WorkspaceItem.position, WorkspaceItem.id)
        )
    )
    wanted = {f"i{i.id}" for i in items}
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for scope, name, value in db.execute(
        select(WorkspaceField.scope, WorkspaceField.name, WorkspaceField.value).where(
            WorkspaceField.team_id.in_(ids), WorkspaceField.scope != ""
        )
    ):
        if scope in wanted:
            values[scope][name] = value
    by_team: dict[int, list[WorkspaceItem]] = defaultdict(list)
    for item in items:
        by_team[item.team_id].append(item)

    views = []
    for team in teams:
        measures, reports = [], []
        for item in by_team[team.id]:
            row = values[f"i{item.id}"]
            if item.kind == "measure" and row.get("name"):
                kind = row.get("kind", "")
                points = measure_points(row.get("data", ""), kind)
                measures.append(TeamMeasure(row["name"], kind, row.get("target", ""), points))
            elif item.kind == "report":
                submitted = item.status == SUBMITTED
                reports.append(
                    Report(item.id, team.name, row, submitted, item.status_note if submitted else "")
                )
        views.append(TeamView(team.id, team.name, team.organisation, tuple(measures), tuple(reports)))

    curriculum = curricula().get(collaborative.curriculum_id)
    pack = curriculum.topic_pack if curriculum else None
    names: dict[str, str] = {}
    targets: dict[str, str] = {}
    for measure in pack.measures if pack else ():
        names.setdefault(measure.name.strip().lower(), measure.name)
        targets[measure.name] = measure.target
    used = {m.name.strip().lower(): m.name for v in views for m in v.measures}
    ordered = [shown for key, shown in names.items() if key in used]
    ordered += sorted({shown for key, shown in used.items() if key not in names}, key=str.lower)
    return Dashboard(collaborative.title, collaborative.aim, month, tuple(views), tuple(ordered), targets)
