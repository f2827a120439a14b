"""The facilitator console: sign-in, the list of sessions, making one, and running it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from curriculum.polls import POLL_KINDS, quick_poll_settings
from curriculum.problems import Invalid
from curriculum.worksheets import described
from exports.cards import render_table_card
from exports.dataset import csv_zip, json_document, xlsx
from exports.packet import slug
from exports.tables import csv_bytes
from facilitator import jobs
from facilitator.auth import (
    check_csrf,
    check_password,
    faculty_only,
    sign_in,
    sign_out,
    use_login_link,
)
from live.context import curricula, db, join_url, public_url, transaction
from live.models import Activity, LearningSession
from live.pages.offload import off_loop
from live.polls.service import answer_table
from live.questions.service import question_table
from live.records import SCHEMA, Records, collaborative_records, exported_at, session_records
from live.reminders import Smtp
from live.room.people import team_of
from live.room.sessions import create_session

blueprint = Blueprint("console", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str:
    """Only ever redirect within this site after signing in."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("console.index")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Faculty sign in with their email and password."""
    error = ""
    if request.method == "POST":
        check_csrf()
        with transaction() as db:
            facilitator = check_password(db, request.form.get("email", ""), request.form.get("password", ""))
            if facilitator is not None:
                sign_in(db, facilitator)
                return redirect(_safe_next(request.form.get("next")), code=303)
        error = "That email and password do not match a faculty account."
    return render_template("facilitator/login.html", error=error, next=request.args.get("next", "")), (
        401 if error else 200
    )


@blueprint.get("/login/<token>")
def login_link(token: str) -> Any:
    """A one-time sign-in link, as printed by `bsc serve` or `bsc faculty link`.

    Only a real visit uses the link up: a HEAD request (a link checker, a chat app's preview)
    leaves it as it was.
    """
    if request.method == "HEAD":
        return "", 200
    with transaction() as db:
        facilitator = use_login_link(db, token)
        if facilitator is None:
            return render_template(
                "facilitator/login.html",
                next="",
                error="That sign-in link has been used or has expired. "
                "Ask for a new one with: bsc faculty link",
            ), 401
        sign_in(db, facilitator)
    return redirect(url_for("console.index"), code=303)


@blueprint.post("/logout")
def logout() -> Any:
    """Sign out."""
    check_csrf()
    with transaction() as db:
        sign_out(db)
    return redirect(url_for("console.login"), code=303)


@blueprint.get("/")
@blueprint.get("/console")
@faculty_only
def index() -> Any:
    """The sessions on this server, and a form to start one from the curriculum."""
    sessions = list(db().scalars(select(LearningSession).order_by(LearningSession.created_at.desc())))
    return render_template(
        "facilitator/index.html",
        sessions=sessions,
        curricula=list(curricula().values()),
        smtp=Smtp.from_config(current_app.config),
    )


@blueprint.post("/console/sessions")
@faculty_only
def new_session() -> Any:
    """Make a learning session in the room from a curriculum's learning session."""
    check_csrf()
    curriculum_id, _, key = request.form.get("session", "").partition(":")
    curriculum = curricula().get(curriculum_id)
    if curriculum is None:
        abort(400, "Pick a learning session from the list.")
    try:
        source = curriculum.session(key)
    except KeyError:
        abort(400, "Pick a learning session from the list.")
    with transaction() as db:
        room_id = create_session(db, curriculum, source).id
    return redirect(url_for("console.run", session_id=room_id), code=303)


@blueprint.get("/console/<int:session_id>")
@faculty_only
def run(session_id: int) -> Any:
    """The console of one session: run of show, polls, teams, who has joined."""
    room = db().get(LearningSession, session_id)
    if room is None:
        abort(404, "There is no such session.")
    return render_template(
        "facilitator/console.html",
        room=room,
        join_url=join_url(room.join_code),
        poll_kinds=POLL_KINDS.values(),
        poll_settings=quick_poll_settings(),
        worksheets=described(),
    )


@blueprint.post("/console/<int:session_id>/plans")
@faculty_only
def plans(session_id: int) -> Any:
    """Start making every team's take-home PDF and calendar file as one zip (a job: a room's
    worth takes a while), and show its progress."""
    check_csrf()
    room = db().get(LearningSession, session_id)
    if room is None:
        abort(404, "There is no such session.")
    job = jobs.start(
        "plans",
        f"Every team's take-home plan: {room.title}",
        jobs.job_settings(current_app.config),
        {"session_id": session_id, "public_url": public_url(), "paper": current_app.config["PAPER"]},
        unit="teams",
        back=url_for("console.run", session_id=session_id),
    )
    return redirect(url_for("console.job", job_id=job.id), code=303)


def _job(job_id: str) -> jobs.Job:
    found = jobs.store_for(jobs.job_settings(current_app.config)).load(job_id)
    if found is None:
        abort(404, "There is no such job (a finished job's file is kept for a day).")
    return found


@blueprint.get("/console/jobs/<job_id>")
@faculty_only
def job(job_id: str) -> Any:
    """A job's progress; its file once it is ready."""
    return render_template("facilitator/job.html", job=_job(job_id).public())


@blueprint.get("/console/jobs/<job_id>.json")
@faculty_only
def job_state(job_id: str) -> Any:
    """A job's progress, for its page to follow."""
    return jsonify(_job(job_id).public())


@blueprint.get("/console/jobs/<job_id>/file")
@faculty_only
def job_file(job_id: str) -> Any:
    """What a finished job made."""
    found = _job(job_id)
    data = jobs.store_for(jobs.job_settings(current_app.config)).get_file(job_id)
    if found.state != "finished" or data is None:
        abort(404, "The file is not ready yet.")
    return Response(
        data,
        mimetype=found.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


# The faculty's data, in three formats holding the same tables (docs/data-export.md).
def _json(records: Records) -> bytes:
    return json_document(records, SCHEMA, exported_at())


DATA_FORMATS: dict[str, tuple[str, Callable[[Records], bytes]]] = {
    "zip": ("application/zip", functools.partial(csv_zip, schema=SCHEMA)),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        functools.partial(xlsx, schema=SCHEMA),
    ),
    "json": ("application/json", _json),
}


def _data_file(records: Records, fmt: str, name: str) -> Response:
    if fmt not in DATA_FORMATS:
        abort(404, "Data comes as data.zip (CSV), data.xlsx or data.json.")
    mimetype, make = DATA_FORMATS[fmt]
    return Response(
        off_loop(make, records),  # a whole collaborative's workbook: in a thread, the room carries on
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}-data.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


@blueprint.get("/console/<int:session_id>/data.<fmt>")
@faculty_only
def session_data(session_id: int, fmt: str) -> Any:
    """One learning session's data: CSV tables (zip), one workbook, or one JSON document."""
    try:
        records = session_records(db(), session_id)
    except LookupError:
        abort(404, "There is no such session.")
    code = db().get(LearningSession, session_id).join_code  # type: ignore[union-attr]
    return _data_file(records, fmt, code)


@blueprint.get("/console/collaboratives/<int:collaborative_id>/data.<fmt>")
@faculty_only
def collaborative_data(collaborative_id: int, fmt: str) -> Any:
    """A whole collaborative's data, every learning session in it."""
    try:
        records = collaborative_records(db(), collaborative_id)
    except LookupError:
        abort(404, "There is no such collaborative.")
    return _data_file(records, fmt, slug(str(records.scope["collaborative"]["curriculum"])))


@blueprint.post("/console/<int:session_id>/results.pptx")
@faculty_only
def results_deck(session_id: int) -> Any:
    """Start making the session's results as a deck with native charts (a job: 40 teams' take
    a few seconds of the processor, which the room's phones need), and show its progress."""
    check_csrf()
    room = db().get(LearningSession, session_id)
    if room is None:
        abort(404, "There is no such session.")
    job = jobs.start(
        "results",
        f"The results deck of {room.title}",
        jobs.job_settings(current_app.config),
        {"session_id": session_id},
        back=url_for("console.run", session_id=session_id),
    )
    return redirect(url_for("console.job", job_id=job.id), code=303)


@blueprint.get("/console/<int:session_id>/activities/<int:activity_id>.csv")
@faculty_only
def activity_csv(session_id: int, activity_id: int) -> Any:
    """A poll's answers, or a question board's questions, as a spreadsheet (CSV)."""
    activity = db().get(Activity, activity_id)
    if (
        activity is None
        or activity.session_id != session_id
        or activity.kind not in ("poll", "question-board")
    ):
        abort(404, "There is no such poll or question board in this session.")
    header, rows = (answer_table if activity.kind == "poll" else question_table)(db(), activity)
    name = f"{activity.session.join_code}-{slug(activity.title)}.csv"
    return Response(
        csv_bytes(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blueprint.get("/console/<int:session_id>/teams/<int:team_id>/card.pdf")
@faculty_only
def table_card(session_id: int, team_id: int) -> Any:
    """A team's table card (its name, its code, the join QR code), to print and fold."""
    room = db().get(LearningSession, session_id)
    if room is None:
        abort(404, "There is no such session.")
    try:
        team = team_of(db(), room, team_id)
    except Invalid:
        abort(404, "There is no such team in this session.")
    paper = current_app.config["PAPER"]
    pdf = off_loop(
        render_table_card,
        room.collaborative.title,
        team.name,
        team.organisation,
        team.code,
        join_url(room.join_code),
        paper,
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{slug(team.name)}-table-card.pdf"'},
    )
