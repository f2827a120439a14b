"""The pages of the room: joining by QR code, the phone page, the projector, the QR image."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from curriculum.i18n import driver_diagram_in, keyed, localized_definitions, page_strings, session_words
from curriculum.problems import Invalid
from curriculum.worksheets import described
from exports.calendar import commitments_ics
from exports.dashboard import previous_month, render_report_pdf
from exports.packet import slug
from exports.plans import TeamPlan, cycle_names, measure_chart
from exports.qr import qr_svg
from exports.takehome import render_takehome
from live import protocol
from live.context import config, curricula, db, faculty_id, join_url, public_url, transaction
from live.dashboard import dashboard
from live.models import LearningSession, Participant, Team
from live.pages import assets
from live.pages.forms import check_csrf, csrf_ok, csrf_token
from live.pages.offload import off_loop
from live.room.events import tell_roster
from live.room.keys import open_link, personal_link, sign_out_device
from live.room.people import remove_participant
from live.room.requests import WAIT_HOURS, ask_to_join, come_in, request_by_token
from live.room.sessions import (
    ROLES,
    Door,
    door_by_code,
    join,
    participant_by_token,
    phone_of,
    session_by_code,
    teams_here,
)
from live.room.state import digest, participant_state
from live.sockets.broadcast import owe
from live.workspaces.plans import team_plan

# The pages' templates and static files sit at the top of live/, where the console's pages
# (facilitator/) find them too.
blueprint = Blueprint("room", __name__, template_folder="../templates")


@blueprint.get("/static/live/<path:filename>", endpoint="static")
def static_file(filename: str) -> Any:
    """The pages' scripts, styles and images: gzipped, and cached for good under versioned URLs."""
    return assets.serve(filename)


@blueprint.url_defaults
def _versioned(endpoint: str, values: dict[str, Any]) -> None:
    # url_for("room.static", filename="app.css") gives /static/live/app.css?v=<its digest>.
    if endpoint == "room.static" and "filename" in values and "v" not in values:
        values["v"] = assets.version(values["filename"])


def cookie_name(room: LearningSession | Door) -> str:
    """The cookie that holds a phone's rejoin token for one session."""
    return f"bsc_{room.join_code}"


def _session_or_404(db: Session, code: str) -> LearningSession:
    found = session_by_code(db, code)
    if found is None:
        abort(404, "No session has this code. Check the code on the projector.")
    return found


@blueprint.get("/favicon.ico")
def favicon() -> Any:
    """The room's icon, for browsers that ask for it at the root."""
    return send_from_directory(assets.STATIC, "favicon.ico", max_age=7 * 86400)


@blueprint.get("/healthz")
def healthz() -> dict[str, str]:
    """For a load balancer or a start-up check."""
    return {"status": "ok"}


@blueprint.get("/j")
def join_by_code() -> Any:
    """Typing the short code instead of scanning: /j?code=K7Q2X."""
    code = request.args.get("code", "").strip().upper()
    if not code:
        return render_template("live/code.html")
    return redirect(url_for("room.join_page", code=code))


@blueprint.route("/j/<code>", methods=["GET", "POST"])
def join_page(code: str) -> Any:
    """The page a QR code opens: pick a team, type a name and role, land in the room."""
    if request.method == "GET":
        door = door_by_code(db(), code)
        if door is None:
            abort(404)
        if phone_of(db(), door.join_code, request.cookies.get(cookie_name(door))) is not None:
            return redirect(url_for("room.phone", code=door.join_code))
        return _join_form(db(), door)
    joined: list[tuple[int, int]] = []
    with transaction() as writing:
        response = _join(writing, code, joined)
    for session_id, team_id in joined:  # once committed: the teammates and the projector hear of it
        owe(protocol.PRESENCE, session_id)
        tell_roster(session_id, team_id)
    return response


def _join(db: Session, code: str, joined: list[tuple[int, int]]) -> Any:
    """Join from the form, or show it again with what was typed and why it was refused."""
    room = _session_or_404(db, code)
    try:
        form = request.form
    except RequestEntityTooLarge:
        return _join_form(
            db,
            room,
            error=_(
                "That was more text than the form takes: a name is at most %(name)s "
                "characters, a team's %(team)s.",
                name=protocol.MAX_NAME,
                team=protocol.MAX_TEAM,
            ),
            status=400,
            keep=False,
        )
    if not csrf_ok():
        # The form is shown again with what was typed and a fresh token: nothing is lost.
        return _join_form(db, room, error=_("This form had expired: check it and send it again."), status=400)
    team_value = form.get("team", "")
    try:
        team_id = int(team_value) if team_value not in ("", "new", "earlier") else None
    except ValueError:
        team_id = None
    if form.get("ask"):
        return _ask(db, room, team_id, joined)
    try:
        participant, token = join(
            db,
            room,
            team_id=team_id,
            new_team=form.get("new_team", "") if team_value in ("", "new") else "",
            organisation=form.get("organisation", ""),
            display_name=form.get("name", ""),
            role=form.get("role", ""),
            team_code=form.get("team_code", "") if team_value != "new" else "",
            email=form.get("email", ""),
        )
    except Invalid as refused:
        db.rollback()
        return _join_form(db, room, error=refused.say(protocol.reader_gettext()), status=400)
    joined.append((room.id, participant.team_id))
    return _into_the_room(room, token)


def _ask(db: Session, room: LearningSession, team_id: int | None, asked: list[tuple[int, int]]) -> Any:
    """No code: ask the team (or the faculty) to let this phone in, and wait for them."""
    if team_id is None:
        return _join_form(
            db, room, error=_("Pick your team from the list to ask it to let you in."), status=400
        )
    form = request.form
    try:
        made, token = ask_to_join(
            db, room, team_id, form.get("name", ""), form.get("role", ""), form.get("email", "")
        )
    except Invalid as refused:
        db.rollback()
        return _join_form(db, room, error=refused.say(protocol.reader_gettext()), status=400)
    response = _go_with_cookie(
        url_for("room.waiting_page", code=room.join_code), ask_cookie(room), token, WAIT_HOURS * 3600
    )
    asked.append((room.id, made.team_id))  # the team's phones and the consoles see who waits
    return response


def _go_with_cookie(target: str, name: str, value: str, seconds: int) -> Any:
    """A 303 to `target` that keeps a phone's token (HttpOnly, this site only, over TLS where
    the room is reached over TLS)."""
    response = make_response(redirect(target, code=303))
    response.set_cookie(
        name, value, max_age=seconds, httponly=True, samesite="Lax", secure=request.is_secure, path="/"
    )
    return response


def ask_cookie(room: LearningSession) -> str:
    """The cookie of a phone waiting to be let into a team (its request's token)."""
    return f"bsc_ask_{room.join_code}"


@blueprint.get("/j/<code>/waiting")
def waiting_page(code: str) -> Any:
    """A phone waiting at a team's door: the page looks again every few seconds; once a member
    or the faculty lets it in, it joins and goes to the room (or back to the form, if not)."""
    joined: list[tuple[int, int]] = []
    with transaction() as writing:
        response = _waiting(writing, code, joined)
    for session_id, team_id in joined:
        owe(protocol.PRESENCE, session_id)
        tell_roster(session_id, team_id)
    return response


def _waiting(db: Session, code: str, joined: list[tuple[int, int]]) -> Any:
    room = _session_or_404(db, code)
    asked = request_by_token(db, room, request.cookies.get(ask_cookie(room)))
    if asked is None:
        return redirect(url_for("room.join_page", code=room.join_code))
    team = db.get(Team, asked.team_id)
    team_name = team.name if team else ""
    typed = {"team": str(asked.team_id), "name": asked.display_name, "role": asked.role, "email": asked.email}
    if asked.state == "waiting":
        return render_template("live/waiting.html", room=room, team=team_name, name=asked.display_name)
    if asked.state == "joined":
        return redirect(url_for("room.phone", code=room.join_code))
    if asked.state == "refused":
        message = _(
            "%(team)s did not let you in. Check that it is your team, or ask the faculty.", team=team_name
        )
        response = _join_form(db, room, error=message, values=typed)
        response.delete_cookie(ask_cookie(room), path="/")
        return response
    try:
        participant, token = come_in(db, room, asked)
    except Invalid as refused:
        db.rollback()
        return _join_form(db, room, error=refused.say(protocol.reader_gettext()), status=400, values=typed)
    joined.append((room.id, participant.team_id))
    response = _into_the_room(room, token)
    response.delete_cookie(ask_cookie(room), path="/")
    return response


def _into_the_room(room: LearningSession, token: str) -> Any:
    """A phone that has just joined goes to its room, its rejoin token in a cookie."""
    response = _go_with_cookie(
        url_for("room.phone", code=room.join_code),
        cookie_name(room),
        token,
        int(config("REJOIN_DAYS")) * 86400,
    )
    session.permanent = True
    return response


JOIN_LIST_MAX = 30  # teams the join page lists by name; beyond, it asks for the team's code


def _join_form(
    db: Session,
    room: LearningSession | Door,
    error: str = "",
    status: int = 200,
    keep: bool = True,
    values: dict[str, str] | None = None,
) -> Any:
    door = room if isinstance(room, Door) else Door.of(room)
    form = values if values is not None else request.form if request.method == "POST" and keep else {}
    teams = teams_here(db, door, limit=JOIN_LIST_MAX + 1)
    # Past a screenful the list helps no one on a phone (and a join storm renders it for
    # every phone): people type their team's code, which is on their table's card.
    many = len(teams) > JOIN_LIST_MAX
    listed = () if many else tuple(tuple(team) for team in teams)
    if error or form:
        return make_response(_render_join(door, listed, many, error, form, csrf_token), status)
    # A blank form is the same page for every phone but for its form token: a join storm
    # renders it once per language and list of teams, and masks a token into each copy.
    key = (door, str(get_locale()), listed, many)
    blank = _blank_forms.get(key)
    if blank is None:
        blank = _render_join(door, listed, many, "", {}, lambda: _TOKEN_HERE)
        if len(_blank_forms) >= 64:
            _blank_forms.clear()
        _blank_forms[key] = blank
    return make_response(blank.replace(_TOKEN_HERE, csrf_token(), 1), status)


_blank_forms: dict[tuple[Any, ...], str] = {}
_TOKEN_HERE = "\x00form-token\x00"  # noqa: S105 (where each copy's token goes, not a secret)


def _render_join(
    door: Door,
    teams: tuple[tuple[Any, ...], ...],
    many: bool,
    error: str,
    form: Any,
    token: Callable[[], str],
) -> str:
    return render_template(
        "live/join.html",
        room=door,
        teams=[dict(zip(("id", "name", "organisation"), team, strict=True)) for team in teams],
        many=many,
        roles=ROLES,
        error=error,
        form=form,
        limits=protocol,
        csrf_token=token,
    )


@blueprint.get("/room/<code>")
def phone(code: str) -> Any:
    """The phone page; without a rejoin cookie it sends people to the join page."""
    room = _session_or_404(db(), code)
    participant = _participant_or_none(db(), room)
    if participant is None:
        return redirect(url_for("room.join_page", code=room.join_code))
    # The room as it is now goes into the page: the phone shows the open poll before (and
    # whether or not) its socket connects.
    now = participant_state(db(), participant)
    now["digest"] = digest(now)
    lang = str(get_locale())
    curriculum = curricula().get(room.collaborative.curriculum_id)
    sheets, carried = localized_definitions(lang)[0], localized_definitions(lang)[1]
    # A worksheet only some sessions use (the sustain and spread plans) shows where this
    # session's team time asks for it, or once the team has written in it.
    # The monthly report shows once the session's day has passed: the action period.
    used = {a.spec.get("worksheet") for a in room.activities if a.kind == "team-time"}
    written = {i["kind"] for i in now.get("workspace", {}).get("items", ())}
    over = bool(room.date) and room.date < datetime.now(UTC).date().isoformat()
    shown = tuple(
        s
        for name, s in sheets.items()
        if not s.optional
        or name in used
        or (s.rows is not None and s.rows.kind in written)
        or (s.after_session and over)
    )
    return render_template(
        "live/phone.html",
        room=room,
        me=participant,
        worksheets=described(shown, carried),
        strings=page_strings(lang),
        words=keyed(session_words(curriculum, room.session_key, lang)) if curriculum is not None else {},
        # The driver diagram once, in the reader's language (the socket's `state` has it in
        # English, under the same digest).
        drivers=driver_diagram_in(curriculum, lang) if curriculum is not None else None,
        state={k: v for k, v in now.items() if k != "driver_diagram"},
    )


def _personal_url(participant_id: int) -> str:
    """The participant's personal link, at the collaborative's public address."""
    with transaction() as writing:
        person = writing.get(Participant, participant_id)
        if person is None:
            abort(404, "You are no longer in this session.")
        token = personal_link(writing, person, str(current_app.config["SECRET_KEY"]))
    return f"{public_url()}/r/{token}"


@blueprint.get("/room/<code>/my-link")
def my_link(code: str) -> Any:
    """The participant's personal link, to keep, and signing this device out."""
    room = _session_or_404(db(), code)
    participant = _participant_or_none(db(), room)
    if participant is None:
        return redirect(url_for("room.join_page", code=room.join_code))
    return render_template(
        "live/link.html", room=room, me=participant, personal=_personal_url(participant.id)
    )


@blueprint.get("/r/<token>")
def personal(token: str) -> Any:
    """A personal link: this device is signed in as its participant, for months, and goes to
    their team's workspace."""
    with transaction() as writing:
        opened = open_link(writing, token)
        if opened is None:
            abort(
                404,
                "This link no longer works: ask the faculty for a new one, or join with your team's code.",
            )
        participant, device = opened
        code = participant.session.join_code
    return _go_with_cookie(
        url_for("room.phone", code=code), f"bsc_{code}", device, int(config("PERSONAL_DAYS")) * 86400
    )


@blueprint.post("/room/<code>/signout")
def sign_out(code: str) -> Any:
    """Sign this device out: it no longer opens the workspace (the personal link still does)."""
    check_csrf()
    room = _session_or_404(db(), code)
    token = request.cookies.get(cookie_name(room), "")
    with transaction() as writing:
        sign_out_device(writing, token)
    response = make_response(redirect(url_for("room.join_page", code=room.join_code), code=303))
    response.delete_cookie(cookie_name(room), path="/")
    return response


@blueprint.post("/room/<code>/leave")
def leave(code: str) -> Any:
    """The phone's "not me / change team": it lets go of its participant and goes back to the join page.

    What the participant wrote in the team's workspace stays the team's; their own answers no
    longer count, and the old link no longer opens the room.
    """
    check_csrf()
    with transaction() as db:
        room = _session_or_404(db, code)
        participant = _participant_or_none(db, room)
        if participant is not None:
            remove_participant(db, participant)
            team_id, session_id = participant.team_id, room.id
        join_code = room.join_code
    if participant is not None:
        owe(protocol.PRESENCE, session_id)
        tell_roster(session_id, team_id)
    response = make_response(redirect(url_for("room.join_page", code=join_code), code=303))
    response.delete_cookie(f"bsc_{join_code}", path="/")
    return response


def _participant_or_none(db: Session, room: LearningSession) -> Participant | None:
    participant = participant_by_token(db, request.cookies.get(cookie_name(room)))
    return participant if participant is not None and participant.session_id == room.id else None


def _plan_for_phone(code: str) -> tuple[TeamPlan, str, int] | None:
    """The plan of the phone's team, a file name for it and who asks; None if not joined."""
    room = _session_or_404(db(), code)
    participant = _participant_or_none(db(), room)
    if participant is None:
        return None
    curriculum = curricula().get(room.collaborative.curriculum_id)
    # The plan's QR code is the participant's own link: it opens the workspace after the room.
    plan = team_plan(db(), room, participant.team, curriculum, _personal_url(participant.id))
    return plan, slug(participant.team.name), participant.id


_making: set[int] = set()  # participants whose file is being made now: one at a time each


def _team_file(code: str, make: Callable[[TeamPlan], bytes], suffix: str, mimetype: str) -> Any:
    """One of the team's files, made from its plan, for a phone that has joined.

    One render at a time per participant: forty taps on "Download" make one PDF, and the
    room's other phones do not wait behind the rest.
    """
    found = _plan_for_phone(code)
    if found is None:
        return redirect(url_for("room.join_page", code=code))
    plan, name, who = found
    if who in _making:
        return Response(
            "Your file is being made: it downloads in a moment.",
            status=429,
            mimetype="text/plain",
            headers={"Retry-After": "3"},
        )
    _making.add(who)
    try:
        body = off_loop(make, plan)
    finally:
        _making.discard(who)
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{suffix}"',
            "Cache-Control": "no-store",
        },
    )


@blueprint.get("/room/<code>/plan.pdf")
def plan_pdf(code: str) -> Any:
    """The team's take-home plan as a PDF: any member, at any time."""
    # Read here: the render runs in another thread, outside the app and request contexts.
    paper, lang = config("PAPER"), str(get_locale())
    return _team_file(code, lambda plan: render_takehome(plan, paper, lang), "plan.pdf", "application/pdf")


@blueprint.get("/room/<code>/commitments.ics")
def commitments(code: str) -> Any:
    """The team's commitments with their due dates, as a calendar file."""
    return _team_file(code, commitments_ics, "commitments.ics", "text/calendar")


@blueprint.get("/room/<code>/my-calendar.ics")
def my_calendar(code: str) -> Any:
    """The participant's own calendar: the commitments they own, and the team's monthly report
    due dates through the collaborative, each with an alarm."""
    room = _session_or_404(db(), code)
    participant = _participant_or_none(db(), room)
    if participant is None:
        return redirect(url_for("room.join_page", code=code))
    curriculum = curricula().get(room.collaborative.curriculum_id)
    plan = team_plan(db(), room, participant.team, curriculum, f"{public_url()}/room/{room.join_code}")
    # The team reports every month from its learning session to the collaborative's end.
    end = curriculum.calendar.end if curriculum and curriculum.calendar else None
    months = report_months(room.date, end.isoformat() if end else "")
    body = commitments_ics(plan, owner=participant.display_name, report_months=months)
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="{slug(participant.display_name)}-calendar.ics"'
        },
    )


def report_months(start: str, end: str) -> tuple[str, ...]:
    """The months a team reports on: from the learning session's month to the month before the
    collaborative ends (ISO dates; none where either is missing)."""
    if len(start) < 7 or len(end) < 7:
        return ()
    year, month = int(start[:4]), int(start[5:7])
    months: list[str] = []
    while f"{year}-{month:02d}" < end[:7] and len(months) < 36:
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


@blueprint.get("/room/<code>/chart/<int:item_id>.svg")
def chart(code: str, item_id: int) -> Any:
    """The run chart of one of the team's measures (the phone shows it under the data)."""
    room = _session_or_404(db(), code)
    participant = _participant_or_none(db(), room)
    if participant is None:
        abort(403, "Join the session first.")
    plan = team_plan(db(), room, participant.team, None)
    row = next((r for r in plan.sheet("measures").rows if r.item_id == item_id), None)
    if row is None:
        abort(404, "Your team has no such measure.")
    svg = measure_chart(row, 480, 230, cycle_names(plan.sheet("pdsa")))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@blueprint.get("/room/<code>/report/<int:item_id>.pdf")
def report_pdf(code: str, item_id: int) -> Any:
    """One of the team's monthly reports as a PDF, with its measures up to that month."""
    room = _session_or_404(db(), code)
    participant = _participant_or_none(db(), room)
    if participant is None:
        abort(403, "Join the session first.")
    month = previous_month(datetime.now(UTC).date())
    board = dashboard(db(), room.collaborative_id, month, participant.team_id)
    team = board.teams[0] if board.teams else None
    report = next((r for r in team.reports if r.item_id == item_id), None) if team else None
    if team is None or report is None:
        abort(404, "Your team has no such report.")
    pdf = off_loop(render_report_pdf, report, team, board, str(get_locale()))
    return Response(pdf, mimetype="application/pdf", headers={"Cache-Control": "no-store"})


@blueprint.get("/projector/<code>")
def projector(code: str) -> Any:
    """The projector view: faculty open it on the room's screen."""
    if faculty_id() is None:
        return redirect(url_for("console.login", next=request.path))
    room = _session_or_404(db(), code)
    return render_template(
        "live/projector.html",
        room=room,
        join_url=join_url(room.join_code),
        qr=qr_svg(join_url(room.join_code)),
    )


@blueprint.get("/qr/<code>.svg")
def qr(code: str) -> Response:
    """The join QR code of a session, as SVG."""
    room = _session_or_404(db(), code)
    return Response(
        qr_svg(join_url(room.join_code)),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@blueprint.app_context_processor
def _forms() -> dict[str, Any]:
    return {"csrf_token": csrf_token}


@blueprint.after_app_request
def security_headers(response: Response) -> Response:
    """Nothing from elsewhere, no framing, no sniffing: a participant's text stays text.

    Scripts and styles need no policy of their own (it governs documents): on a slow network
    each header is bytes a phone waits for."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype in ("text/css", "text/javascript", "application/javascript"):
        return response
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        # 'self' covers this origin's WebSocket too (CSP Level 3): no socket to any other host.
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    )
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
