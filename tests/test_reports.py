"""Monthly reports in the action period, and the faculty's dashboard of every team."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from live.protocol import ADD_ITEM, ENTER_DATA, REMOVE_ITEM, SUBMIT_REPORT, WORKSPACE_CHANGED

from .helpers import connect, edit, finish_job, last, received


def _add(phone: Any, kind: str, client_id: str) -> int:
    item: int = phone.emit(ADD_ITEM, {"client_id": client_id, "kind": kind}, callback=True)["item"]["id"]
    return item


def _submit(phone: Any, item: int, client_id: str) -> dict[str, Any]:
    reply: dict[str, Any] = phone.emit(
        SUBMIT_REPORT, {"client_id": client_id, "item_id": item}, callback=True
    )
    return reply


def _pdf_text(body: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def phones(app: Any, join_phone: Any, room: dict[str, Any]) -> dict[str, Any]:
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    cy = connect(app, join_phone("Riverside Clinic", "Cy"), room["code"])
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    for phone in (ana, cy, ben):
        phone.get_received()
    return {"ana": ana, "cy": cy, "ben": ben}


def test_a_report_is_submitted_once_a_month_and_then_locked(phones: dict[str, Any]) -> None:
    ana, cy = phones["ana"], phones["cy"]
    report = _add(ana, "report", "add-report-01")
    empty = _submit(ana, report, "submit-empty-1")
    assert empty["field"] == "month"
    month = edit(ana, "month", "Sep 2026", 0, "edit-month-001", item_id=report)
    assert month["value"] == "2026-09"  # stored as the month it names
    assert "report is empty" in _submit(ana, report, "submit-empty-2")["error"]
    assert edit(
        ana, "learned", "Families answer a text more than a call", 0, "edit-learn-01", item_id=report
    )["ok"]
    sent = _submit(ana, report, "submit-sept-01")
    assert sent["item"]["status"] == "submitted"
    assert last(cy, WORKSPACE_CHANGED)["event"] == SUBMIT_REPORT

    late = edit(ana, "learned", "changed my mind", 1, "edit-learn-02", item_id=report)
    assert late["code"] == "submitted"
    gone = ana.emit(REMOVE_ITEM, {"client_id": "remove-rep-01", "item_id": report}, callback=True)
    assert gone["code"] == "submitted"

    again = _add(cy, "report", "add-report-02")
    edit(cy, "month", "2026-09", 0, "edit-month-002", item_id=again)
    edit(cy, "learned", "a second try", 0, "edit-learn-03", item_id=again)
    twice = _submit(cy, again, "submit-sept-02")
    assert twice["error"] == "your team has already submitted its report for 2026-09"
    assert twice["field"] == "month"
    assert edit(cy, "feedback", "Great work!", 0, "edit-feedbk-1", item_id=again)["code"] == "forbidden"
    assert edit(cy, "month", "next month", 1, "edit-month-003", item_id=again)["error"].startswith(
        "give 'Month' as a month"
    )


def _enter(phone: Any, client_id: str, item: int, period: str, top: int, bottom: int) -> None:
    payload = {
        "client_id": client_id,
        "item_id": item,
        "period": period,
        "numerator": top,
        "denominator": bottom,
    }
    assert phone.emit(ENTER_DATA, payload, callback=True)["ok"]


def test_faculty_see_every_team_on_one_page_and_their_feedback_reaches_the_team(
    app: Any, phones: dict[str, Any], faculty_client: Any, csrf: Any, room: dict[str, Any]
) -> None:
    from live.context import database
    from live.dashboard import dashboard
    from live.models import LearningSession

    ana, cy, ben = phones["ana"], phones["cy"], phones["ben"]
    for phone, name, rows in (
        (ana, "Screening rate", [("2026-08", 25, 75), ("2026-09", 30, 80)]),
        (ben, "screening rate ", [("2026-09", 10, 20)]),
    ):
        measure = _add(phone, "measure", f"add-measure-{name[:3]}")
        edit(phone, "name", name, 0, f"edit-name-{name[:3]}", item_id=measure)
        edit(phone, "kind", "proportion", 0, f"edit-kind-{name[:3]}", item_id=measure)
        for n, (period, top, bottom) in enumerate(rows):
            _enter(phone, f"data-{name[:3]}-{n:04d}", measure, period, top, bottom)
    report = _add(ana, "report", "add-report-10")
    edit(ana, "month", "2026-09", 0, "edit-month-010", item_id=report)
    edit(ana, "learned", "Texting <families> works", 0, "edit-learn-10", item_id=report)
    edit(ana, "rating", "2.5", 0, "edit-rating-10", item_id=report)
    assert _submit(ana, report, "submit-report-10")["ok"]

    with app.app_context(), database().transaction() as db:
        made = db.get(LearningSession, room["id"])
        assert made is not None
        collaborative = made.collaborative_id
        board = dashboard(db, collaborative, "2026-09")
    assert board.measure_names == ("Screening rate",)  # one measure, whatever its case
    labels, values = board.pooled("Screening rate")
    assert labels == ["Aug 2026", "Sep 2026"]
    assert values == pytest.approx([100 * 25 / 75, 100 * 40 / 100])  # numerators over denominators

    url = f"/console/collaboratives/{collaborative}/dashboard?month=2026-09"
    page = faculty_client.get(url).get_data(as_text=True)
    assert "Monthly reports: 1 of 2 teams" in page
    hilltop = re.search(r'<tr data-team="Hilltop Practice">.*?</tr>', page, re.S)
    assert hilltop is not None
    assert "not yet" in hilltop.group(0)
    assert "Texting &lt;families&gt; works" in page  # escaped
    # The card, on the page as in the PDFs: the team's fields in order, a rating by its name.
    from curriculum.worksheets import ROW_KINDS

    sheet = ROW_KINDS["report"]
    riverside = next(t for t in board.teams if t.name == "Riverside Clinic")
    written = riverside.report_for("2026-09")
    assert written is not None
    lines = dict(written.lines(sheet))
    rating = next(f for f in sheet.rows.fields if f.name == "rating")  # type: ignore[union-attr]
    assert lines[rating.label] == rating.choice_label("2.5") != "2.5"
    assert "2026-09" not in lines.values()  # the month is the card's title
    assert rating.choice_label("2.5") in page
    ratings = re.search(r'<table class="list ratings">.*?</table>', page, re.S)
    assert ratings is not None, page
    # Months as columns (August has data, September a report); the rating under its month.
    assert re.search(r">2026-08</th><th[^>]*>2026-09</th>", ratings.group(0))
    assert '<th scope="row">Riverside Clinic</th><td></td><td>2.5</td>' in ratings.group(0)

    form = f"/console/collaboratives/{collaborative}/reports/{report}/feedback"
    too_long = "Keep going. " * 400
    refused = faculty_client.post(form, data={"csrf": csrf(page), "month": "2026-09", "feedback": too_long})
    assert refused.status_code == 400
    kept = refused.get_data(as_text=True)
    assert "Not sent: that is longer than 4000 characters" in kept
    assert too_long.strip() in kept  # the faculty's words come back in the field
    cy.get_received()
    ben.get_received()
    sent = faculty_client.post(
        form, data={"csrf": csrf(page), "month": "2026-09", "feedback": "Try the text at 9 months too."}
    )
    assert sent.status_code == 303
    heard = last(cy, WORKSPACE_CHANGED)
    assert (heard["name"], heard["value"], heard["by"]) == (
        "feedback",
        "Try the text at 9 months too.",
        "Lead",
    )
    assert WORKSPACE_CHANGED not in received(ben)

    board = faculty_client.get(f"/console/collaboratives/{collaborative}/dashboard?month=2026-09")
    started = faculty_client.post(
        f"/console/collaboratives/{collaborative}/dashboard.pdf",
        data={"csrf": csrf(board.get_data(as_text=True)), "month": "2026-09"},
    )
    state, pdf = finish_job(faculty_client, started)  # printing 300 charts is a job
    assert state["filename"].endswith("-action-period-2026-09.pdf"), state
    printed = _pdf_text(pdf)
    assert "Monthly reports: 1 of 2 teams" in printed
    assert "Try the text at 9 months too." in printed
    ana_pdf = ana.flask_test_client.get(f"/room/{room['code']}/report/{report}.pdf")
    assert ana_pdf.mimetype == "application/pdf"
    own = _pdf_text(ana_pdf.data)
    assert "Texting <families> works" in own
    assert "Screening rate" in own
    assert ben.flask_test_client.get(f"/room/{room['code']}/report/{report}.pdf").status_code == 404
    assert ben.flask_test_client.get(url).status_code == 302  # faculty only
    # The faculty print one team's report from the dashboard.
    printed_one = faculty_client.get(f"/console/collaboratives/{collaborative}/reports/{report}.pdf")
    assert printed_one.mimetype == "application/pdf"
    one = _pdf_text(printed_one.data)
    assert "Riverside Clinic" in one
    assert "Texting <families> works" in one
    assert "Try the text at 9 months too." in one
    assert "Hilltop Practice" not in one
    assert (
        faculty_client.get(f"/console/collaboratives/{collaborative}/reports/{measure}.pdf").status_code
        == 404
    )
    assert (
        faculty_client.get(f"/console/collaboratives/{collaborative + 1}/reports/{report}.pdf").status_code
        == 404
    )


def test_faculty_freeze_a_baseline_and_the_teams_chart_follows(
    app: Any, phones: dict[str, Any], faculty_client: Any, csrf: Any, room: dict[str, Any]
) -> None:
    from live.context import database
    from live.models import LearningSession

    ana, cy = phones["ana"], phones["cy"]
    measure = _add(ana, "measure", "add-measure-20")
    edit(ana, "name", "Screening rate", 0, "edit-name-0020", item_id=measure)
    edit(ana, "kind", "proportion", 0, "edit-kind-0020", item_id=measure)
    months = [f"2025-{m:02d}" for m in range(9, 13)] + [f"2026-{m:02d}" for m in range(1, 11)]
    tops = [30, 31, 29, 30, 32, 28, 30, 31, 29, 30, 31, 29, 60, 62]  # of 100: a change in the last two
    for n, (month, top) in enumerate(zip(months, tops, strict=True)):
        _enter(ana, f"data-frz-{n:04d}", measure, month, top, 100)
    with app.app_context(), database().transaction() as db:
        made = db.get(LearningSession, room["id"])
        assert made is not None
        collaborative = made.collaborative_id
        team = next(p.team_id for p in made.participants if p.display_name == "Ana")

    page_url = f"/console/collaboratives/{collaborative}/teams/{team}"
    page = faculty_client.get(page_url).get_data(as_text=True)
    assert "p-chart" in page
    assert "CL 34.4" in page  # limits from every month, the change's months included
    assert (
        edit(ana, "limits", '{"freeze": "2026-08"}', 0, "edit-limits-01", item_id=measure)["code"]
        == "forbidden"
    )

    form = f"{page_url}/measures/{measure}/limits"
    refused = faculty_client.post(form, data={"csrf": csrf(page), "freeze": "2026-08", "phases": "2031-01"})
    assert refused.status_code == 400
    kept = refused.get_data(as_text=True)
    assert "Not saved: &#39;2031-01&#39; is not one of this measure&#39;s periods" in kept
    assert 'value="2031-01"' in kept  # what the faculty typed stays in the field
    cy.get_received()
    assert (
        faculty_client.post(form, data={"csrf": csrf(page), "freeze": "2026-08", "phases": ""}).status_code
        == 303
    )
    assert last(cy, WORKSPACE_CHANGED)["name"] == "limits"
    frozen = faculty_client.get(page_url).get_data(as_text=True)
    assert "CL 30" in frozen  # the baseline's twelve months set the centre line
    assert "2 points outside the control limits" in frozen  # the change stands out against them
