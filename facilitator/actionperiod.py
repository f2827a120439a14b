"""The action period in the console: the dashboard of every team, feedback on monthly
reports, and the report and dashboard PDFs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import select

from curriculum.measures import Limits, parse_limits
from curriculum.problems import Invalid
from exports.dashboard import (
    Dashboard,
    chart,
    previous_month,
    render_report_pdf,
    report_sheet,
    team_chart,
)
from exports.packet import slug
from exports.plans import cycle_names, measure_chart, measure_data
from facilitator import jobs
from facilitator.auth import check_csrf, faculty_only
from live import protocol
from live.context import db, faculty_id, transaction
from live.dashboard import dashboard
from live.models import Collaborative, Facilitator, Participant, Team, WorkspaceItem
from live.pages.offload import off_loop
from live.room.keys import revoke_links
from live.sockets import socketio
from live.workspaces.plans import filled_sheets
from live.workspaces.service import give_feedback, set_limits, workspace

blueprint = Blueprint("actionperiod", __name__, template_folder="templates")
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _month() -> str:
    """The month asked for (?month=YYYY-MM), else the one reports are due for now."""
    asked = request.args.get("month", "")
    return asked if MONTH.fullmatch(asked) else previous_month(datetime.now(UTC).date())


def _board(collaborative_id: int, month: str, team_id: int | None = None) -> Dashboard:
    try:
        return dashboard(db(), collaborative_id, month, team_id)
    except LookupError:
        abort(404, "There is no such collaborative.")


def _page(
    collaborative_id: int, board: Dashboard, errors: dict[int, str], typed: dict[int, str], status: int
) -> Any:
    year, month = (int(p) for p in board.month.split("-"))
    before = f"{year - (month == 1)}-{12 if month == 1 else month - 1:02d}"
    after = f"{year + (month == 12)}-{1 if month == 12 else month + 1:02d}"
    page = render_template(
        "facilitator/dashboard.html",
        board=board,
        collaborative_id=collaborative_id,
        sheet=report_sheet(str(get_locale())),
        chart=chart,
        team_chart=team_chart,
        before=before,
        after=after,
        errors=errors,
        typed=typed,
    )
    return Response(page, status=status)


@blueprint.get("/console/collaboratives/<int:collaborative_id>/dashboard")
@faculty_only
def view(collaborative_id: int) -> Any:
    """Every team on one page for a month: who reported, the pooled measures, each team's
    charts, the self-ratings month by month, and this month's reports to answer."""
    return _page(collaborative_id, _board(collaborative_id, _month()), {}, {}, 200)


@blueprint.post("/console/collaboratives/<int:collaborative_id>/reports/<int:item_id>/feedback")
@faculty_only
def feedback(collaborative_id: int, item_id: int) -> Any:
    """Faculty feedback on a submitted report; the team sees it on its phones at once. A refusal
    shows the dashboard again with the reason beside the feedback, and the words kept."""
    check_csrf()
    month = request.form.get("month", "")
    month = month if MONTH.fullmatch(month) else _month()
    text = request.form.get("feedback", "")
    who = db().get(Facilitator, faculty_id())
    try:
        with transaction() as session:
            reply = give_feedback(session, item_id, text, (who.name or who.email) if who else "Faculty")
    except Invalid as refused:
        board = _board(collaborative_id, month)
        return _page(collaborative_id, board, {item_id: refused.message}, {item_id: text}, 400)
    socketio.emit(protocol.WORKSPACE_CHANGED, {"event": "edit_field", **reply}, to=f"t{reply['team_id']}")
    target = url_for("actionperiod.view", collaborative_id=collaborative_id, month=month)
    return redirect(f"{target}#report-{item_id}", code=303)


@blueprint.post("/console/collaboratives/<int:collaborative_id>/dashboard.pdf")
@faculty_only
def dashboard_pdf(collaborative_id: int) -> Any:
    """Start printing the dashboard (a job: every team's charts take a while), and show its
    progress."""
    check_csrf()
    month = request.form.get("month", "")
    month = month if MONTH.fullmatch(month) else _month()
    collaborative = db().get(Collaborative, collaborative_id)  # the job reads the dashboard itself
    if collaborative is None:
        abort(404, "There is no such collaborative.")
    job = jobs.start(
        "dashboard",
        f"The action period of {collaborative.title}, {month}, printed",
        jobs.job_settings(current_app.config),
        {"collaborative_id": collaborative_id, "month": month, "lang": str(get_locale())},
        back=url_for("actionperiod.view", collaborative_id=collaborative_id, month=month),
    )
    return redirect(url_for("console.job", job_id=job.id), code=303)


@blueprint.get("/console/collaboratives/<int:collaborative_id>/reports/<int:item_id>.pdf")
@faculty_only
def report_pdf(collaborative_id: int, item_id: int) -> Any:
    """One team's monthly report, printed: only its team's part of the dashboard is read."""
    item = db().get(WorkspaceItem, item_id)
    owner = db().get(Team, item.team_id) if item is not None and item.kind == "report" else None
    if owner is None or owner.collaborative_id != collaborative_id:
        abort(404, "There is no such report in this collaborative.")
    board = _board(collaborative_id, _month(), owner.id)
    for team in board.teams:
        for report in team.reports:
            if report.item_id == item_id:
                pdf = off_loop(render_report_pdf, report, team, board, str(get_locale()))
                name = f"{slug(team.name)}-report-{report.month or 'draft'}.pdf"
                return Response(
                    pdf,
                    mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'},
                )
    abort(404, "There is no such report in this collaborative.")


def _team_page(
    collaborative_id: int, team_id: int, errors: dict[int, str], typed: dict[int, dict[str, str]]
) -> Any:
    team = db().get(Team, team_id)
    if team is None or team.collaborative_id != collaborative_id:
        abort(404, "There is no such team in this collaborative.")
    sheets = {s.name: s for s in filled_sheets(workspace(db(), team.id))}
    cycles = cycle_names(sheets["pdsa"])
    measures = []
    for row in sheets["measures"].rows:
        limits = parse_limits_or_none(row.get("limits"))
        measures.append(
            {
                "row": row,
                "periods": [p.key for p in measure_data(row)],
                "freeze": limits.freeze if limits else "",
                "phases": ", ".join(limits.phases) if limits else "",
                "chart": Markup(measure_chart(row, 640, 300, cycles)),  # noqa: S704  (chart_svg escapes)
            }
        )
    people = list(
        db().scalars(
            select(Participant)
            .where(Participant.team_id == team.id, Participant.removed.is_(False))
            .order_by(Participant.display_name)
        )
    )
    page = render_template(
        "facilitator/team.html",
        team=team,
        people=people,
        revoked=request.args.get("revoked", ""),
        collaborative_id=collaborative_id,
        measures=measures,
        errors=errors,
        typed=typed,
    )
    return Response(page, status=400 if errors else 200)


@blueprint.get("/console/collaboratives/<int:collaborative_id>/teams/<int:team_id>")
@faculty_only
def team_view(collaborative_id: int, team_id: int) -> Any:
    """One team's measures, each as the chart its kind and data call for, with the control
    limits the faculty set: a baseline frozen at a month, new phases after a change has held."""
    return _team_page(collaborative_id, team_id, {}, {})


@blueprint.post(
    "/console/collaboratives/<int:collaborative_id>/teams/<int:team_id>/measures/<int:item_id>/limits"
)
@faculty_only
def limits(collaborative_id: int, team_id: int, item_id: int) -> Any:
    """Freeze a measure's baseline and start new phases; the team's charts follow at once."""
    check_csrf()
    freeze, phases = request.form.get("freeze", ""), request.form.get("phases", "")
    who = db().get(Facilitator, faculty_id())
    try:
        with transaction() as session:
            item = session.get(WorkspaceItem, item_id)
            if item is None or item.team_id != team_id:
                raise Invalid("there is no such measure in this team")
            reply = set_limits(
                session, item_id, freeze, phases, (who.name or who.email) if who else "Faculty"
            )
    except Invalid as refused:
        return _team_page(
            collaborative_id,
            team_id,
            {item_id: refused.message},
            {item_id: {"freeze": freeze, "phases": phases}},
        )
    socketio.emit(protocol.WORKSPACE_CHANGED, {"event": "edit_field", **reply}, to=f"t{team_id}")
    target = url_for("actionperiod.team_view", collaborative_id=collaborative_id, team_id=team_id)
    return redirect(f"{target}#measure-{item_id}", code=303)


@blueprint.post(
    "/console/collaboratives/<int:collaborative_id>/teams/<int:team_id>/people/<int:person>/revoke"
)
@faculty_only
def revoke(collaborative_id: int, team_id: int, person: int) -> Any:
    """Revoke a participant's personal link: it and every device it signed in stop working."""
    check_csrf()
    with transaction() as session:
        found = session.get(Participant, person)
        if found is None or found.team_id != team_id:
            abort(404, "There is no such person in this team.")
        name = found.display_name
        revoke_links(session, person)
    target = url_for(
        "actionperiod.team_view", collaborative_id=collaborative_id, team_id=team_id, revoked=name
    )
    return redirect(f"{target}#people", code=303)


def parse_limits_or_none(text: str) -> Limits | None:
    """A measure's stored limits, or None where they no longer read."""
    try:
        return parse_limits(text)
    except Invalid:
        return None
