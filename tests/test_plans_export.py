"""The take-home plan, the calendar file and the faculty zip, read back; and their routes."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from curriculum.assessment import ASSESSMENT_TITLE, scale_point
from curriculum.worksheets import WORKSHEETS
from exports.calendar import commitments_ics
from exports.packet import plans_zip, slug, unique_slugs
from exports.plans import DriverChoice, FilledSheet, PlanRow, Rating, TeamPlan
from exports.takehome import render_takehome
from facilitator.cli import cli
from live import protocol
from live.protocol import ADD_ITEM

from .helpers import connect, decode_qr, edit, last, vote

URL = "http://192.168.1.20:5000/room/K7Q2X"


def sheet(
    name: str, values: dict[str, str] | None = None, rows: list[dict[str, str]] | None = None
) -> FilledSheet:
    return FilledSheet(name, values or {}, tuple(PlanRow(r) for r in rows or []))


def commitments(*rows: tuple[str, str, str]) -> FilledSheet:
    return sheet(
        "commitments", rows=[{"what": what, "owner": owner, "due": due} for what, owner, due in rows]
    )


def plan(*replaced: FilledSheet, **changes: Any) -> TeamPlan:
    """A team's plan with every worksheet filled; `replaced` sheets stand in for the defaults."""
    data = "\n".join(f"2027-{m:02d}: {v}" for m, v in enumerate([35, 38, 36, 41, 47, 52, 55, 58, 61, 63], 1))
    sheets = {
        s.name: s
        for s in (
            sheet(
                "aim",
                {
                    "aim_what": "Screen for adversity",
                    "aim_statement": "By June 2028, 80% of children 0-5 screened",
                },
            ),
            sheet(
                "measures",
                rows=[
                    {
                        "family": "process",
                        "name": "Screening rate",
                        "direction": "up",
                        "definition": "Eligible visits with a screen",
                        "baseline": "35",
                        "target": "80",
                        "data": data,
                    }
                ],
            ),
            sheet("driver-diagram", {"drivers_own": "Text reminders"}),
            sheet(
                "pdsa",
                rows=[
                    {
                        "test": "Scripted introduction with two nurses",
                        "cycle": "2",
                        "prediction": "4 of 5 answer",
                        "act": "adapt",
                    }
                ],
            ),
            sheet(
                "action-plan",
                rows=[
                    {
                        "driver": "P1",
                        "change": "Scripted introduction",
                        "preparation": "Train the nurses",
                        "measure": "Screening rate",
                        "who": "Ana",
                        "when": "April",
                        "follow_up": "Review at huddle",
                    }
                ],
            ),
            commitments(
                ("Call three families, then; report back", "Cy", "2027-03-16"),
                ("Draft the script", "Ana", "soon"),
            ),
            sheet(
                "storyboard",
                {
                    "story_changes": "Scripted introduction",
                    "story_results": "Screens rose",
                    "story_lessons": "Start small",
                    "story_next": "All nurses",
                },
            ),
            *replaced,
        )
    }
    base = TeamPlan(
        collaborative="Safe Starts",
        session="Learning Session 1: Getting started",
        team="Riverside Clinic",
        organisation="Riverside Health",
        members=("Ana", "Cy"),
        date="2027-03-09",
        sheets=tuple(sheets.values()),
        drivers=(
            DriverChoice("Every family is asked", "A screen at set visits", "Add it to the templates"),
            DriverChoice("", "", "Text reminders", own=True),
        ),
        workspace_url=URL,
    )
    return TeamPlan(**{**base.__dict__, **changes})


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages), len(reader.pages)


def test_the_plan_holds_everything_the_team_made() -> None:
    text, _ = pdf_text(render_takehome(plan()))
    for expected in (
        "Riverside Clinic",
        "Riverside Health",
        "Safe Starts",
        "Learning Session 1: Getting started",
        "By June 2028, 80% of children 0-5 screened",
        "Screening rate",
        "Higher is better",
        "Scripted introduction with two nurses",
        "4 of 5 answer",
        "Train the nurses",
        "Call three families, then; report back",
        "Cy",
        "2027-03-16",
        "Text reminders",
        "our own idea",
        "Start small",
    ):
        assert expected in text, expected
    # Every worksheet prints under its title (an optional one, the sustain or spread plan, once
    # written: the next test); the plain layouts label every field, as defined once.
    for name, definition in WORKSHEETS.items():
        if definition.optional:
            continue
        assert definition.title in text, name
        if definition.takehome in ("fields", "cards", "table"):
            labels = [f.label for f in definition.all_fields if f.name != definition.headline]
            labels += [c.label for f in definition.all_fields for c in f.choices]
            for label in labels:
                assert label in text, (name, label)


def test_long_text_flows_across_pages_and_is_not_cut() -> None:
    long = "We called every family who missed the screen. " * 64 + "THE-END-OF-THE-LONG-TEXT"
    word = "x" * 400 + "TAIL"
    text, pages = pdf_text(
        render_takehome(
            plan(commitments((long, "Cy", "2027-03-16")), sheet("storyboard", {"story_changes": word}))
        )
    )
    _, short_pages = pdf_text(render_takehome(plan()))
    assert pages > short_pages
    assert "THE-END-OF-THE-LONG-TEXT" in text.replace(" ", "")  # it may break after a hyphen
    assert "TAIL" in text.replace(" ", "")


def test_what_participants_typed_prints_literally_and_fetches_nothing() -> None:
    evil = '<script>alert(1)</script> <img src="http://example.com/x.png">'
    text, _ = pdf_text(
        render_takehome(plan(sheet("storyboard", {"story_changes": evil}), team="<b>Team</b>"))
    )
    assert "<script>alert(1)</script>" in text
    assert '<img src="http://example.com/x.png">' in text
    assert "<b>Team</b>" in text


def test_the_qr_code_leads_back_to_the_workspace(tmp_path: Path) -> None:
    source = tmp_path / "plan.pdf"
    source.write_bytes(render_takehome(plan()))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    image = next(tmp_path.glob("p*.png")).read_bytes()
    assert decode_qr(image) == URL


def test_a_bad_paper_size_is_refused() -> None:
    with pytest.raises(ValueError, match="paper must be one of letter, a4"):
        render_takehome(plan(), paper="tabloid")


def parse_ics(data: bytes) -> list[dict[str, str]]:
    raw = data.decode()
    assert raw.endswith("\r\n")
    lines = raw.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in lines), "folded at 75 octets"
    unfolded: list[str] = []
    for line in lines:
        if line.startswith(" "):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    assert unfolded[0] == "BEGIN:VCALENDAR"
    assert unfolded[-1] == "END:VCALENDAR"
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    alarm: dict[str, str] | None = None
    for line in unfolded:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif line == "BEGIN:VALARM":
            alarm = {}
        elif line == "END:VALARM":
            assert current is not None
            assert alarm is not None
            current["ALARM"] = f"{alarm['TRIGGER']} {alarm['DESCRIPTION']}"  # its trigger and words
            alarm = None
        elif current is not None:
            key, _, value = line.partition(":")
            (alarm if alarm is not None else current)[key] = value
    return events


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_the_calendar_has_one_event_per_dated_commitment() -> None:
    long = "Call every family on the list " * 6 + "é" * 40
    events = parse_ics(
        commitments_ics(
            plan(
                commitments(
                    ("Call three families, then; report back", "Cy", "2027-03-16"),
                    (long, "Ana", "2027-03-18"),
                    ("Draft the script", "Ana", "next week"),
                )
            ),
            now=datetime(2027, 3, 9, tzinfo=UTC),
        )
    )
    assert len(events) == 2  # the one without a date is left out
    assert events[0]["DTSTART;VALUE=DATE"] == "20270316"
    assert events[0]["DTEND;VALUE=DATE"] == "20270317"
    assert unescape(events[0]["SUMMARY"]) == "By next Tuesday: Call three families, then; report back"
    assert "Owner: Cy" in unescape(events[0]["DESCRIPTION"])
    assert unescape(events[0]["ALARM"]) == "-PT15H Due tomorrow: Call three families, then; report back"
    assert unescape(events[1]["SUMMARY"]) == f"By next Tuesday: {long}"
    assert events[0]["UID"] != events[1]["UID"]
    assert events[0]["DTSTAMP"] == "20270309T000000Z"


def test_the_faculty_zip_has_a_safe_folder_per_team() -> None:
    plans = [plan(team="Riverside Clinic"), plan(team="Riverside clinic!"), plan(team="../../etc/passwd")]
    with zipfile.ZipFile(io.BytesIO(plans_zip(plans))) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(
            [
                "riverside-clinic/plan.pdf",
                "riverside-clinic/commitments.ics",
                "riverside-clinic-2/plan.pdf",
                "riverside-clinic-2/commitments.ics",
                "etc-passwd/plan.pdf",
                "etc-passwd/commitments.ics",
            ]
        )
        text, _ = pdf_text(archive.read("riverside-clinic-2/plan.pdf"))
        assert "Riverside clinic!" in text
    assert slug("   ") == "team"
    assert unique_slugs(["A", "a", "A"]) == ["a", "a-2", "a-3"]


def test_the_zip_is_the_same_made_in_two_processes() -> None:
    plans = [plan(team=f"Team {n}") for n in range(3)]
    with zipfile.ZipFile(io.BytesIO(plans_zip(plans, workers=2))) as archive:
        assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 3
        assert "Team 2" in pdf_text(archive.read("team-2/plan.pdf"))[0]


# -- the routes ---------------------------------------------------------------------------------
def test_a_phone_downloads_its_own_teams_plan_and_calendar(
    app: Any, join_phone: Any, room: dict[str, Any], client: Any
) -> None:
    ana_web = join_phone("Riverside Clinic", "Ana")
    ben_web = join_phone("Hilltop Practice", "Ben")
    ana = connect(app, ana_web, room["code"])
    ben = connect(app, ben_web, room["code"])
    row = ana.emit(ADD_ITEM, {"client_id": "route-add001", "kind": "commitment"}, callback=True)["item"]
    edit(ana, "what", "Call three families", 0, "route-edit01", item_id=row["id"])
    edit(ana, "owner", "Ana", 0, "route-edit02", item_id=row["id"])
    edit(ana, "due", "2027-03-16", 0, "route-edit03", item_id=row["id"])
    mine = ana_web.get(f"/room/{room['code']}/plan.pdf")
    assert mine.mimetype == "application/pdf"
    assert "riverside-clinic-plan.pdf" in mine.headers["Content-Disposition"]
    assert "Call three families" in pdf_text(mine.get_data())[0]
    theirs = ben_web.get(f"/room/{room['code']}/plan.pdf")
    assert "Call three families" not in pdf_text(theirs.get_data())[0]
    assert "Hilltop Practice" in pdf_text(theirs.get_data())[0]
    calendar = ana_web.get(f"/room/{room['code']}/commitments.ics")
    assert calendar.mimetype == "text/calendar"
    assert len(parse_ics(calendar.get_data())) == 1
    assert ben.emit("request_state", {}, callback=True)["ok"]
    stranger = client.get(f"/room/{room['code']}/plan.pdf")
    assert stranger.status_code == 302


def test_bsc_export_writes_every_teams_files(app: Any, room: dict[str, Any]) -> None:
    from live.context import database
    from live.models import LearningSession
    from live.room.people import remove_team
    from live.room.sessions import add_team

    with app.app_context(), database().transaction() as db:  # a team made by mistake, then removed
        session = db.get(LearningSession, room["id"])
        assert session is not None
        remove_team(db, session, add_team(db, session, "Riverside Clinc", by_faculty=True).id)
    data = app.config["DATA_DIR"]
    with tempfile.TemporaryDirectory() as out:
        result = CliRunner().invoke(
            cli,
            [
                "export",
                "--data-dir",
                data,
                "-o",
                out,
                "--workers",
                "1",
                "--curriculum",
                str(Path(__file__).parent / "fixtures" / "mini"),
            ],
        )
        assert result.exit_code == 0, result.output
        folder = Path(out) / room["code"]
        assert sorted(p.name for p in folder.iterdir()) == ["hilltop-practice", "riverside-clinic"]
        assert (folder / "riverside-clinic" / "plan.pdf").read_bytes().startswith(b"%PDF")
        assert (folder / "riverside-clinic" / "commitments.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_a_phone_sees_the_run_chart_of_its_own_teams_measure(
    app: Any, join_phone: Any, room: dict[str, Any]
) -> None:
    import xml.etree.ElementTree as ET

    ana_web = join_phone("Riverside Clinic", "Ana")
    ben_web = join_phone("Hilltop Practice", "Ben")
    ana = connect(app, ana_web, room["code"])
    row = ana.emit(ADD_ITEM, {"client_id": "chart-add001", "kind": "measure"}, callback=True)["item"]
    edit(ana, "name", "Screening rate", 0, "chart-edit01", item_id=row["id"])
    data = "\n".join(f"2027-{m:02d}: {v}" for m, v in enumerate([40, 41, 39, 40, 55, 56, 57, 58, 59, 60], 1))
    edit(ana, "data", data, 0, "chart-edit02", item_id=row["id"])
    svg = ana_web.get(f"/room/{room['code']}/chart/{row['id']}.svg")
    assert svg.mimetype == "image/svg+xml"
    text = "".join(ET.fromstring(svg.get_data()).itertext())
    assert "Screening rate" in text
    assert "Trend: 8 points going up" in text
    assert ben_web.get(f"/room/{room['code']}/chart/{row['id']}.svg").status_code == 404


def test_the_plan_prints_the_teams_self_rating_from_the_one_assessment_scale() -> None:
    point = scale_point(2.0)
    text, _ = pdf_text(render_takehome(plan(ratings=(Rating("Where is your team today?", 2.0),))))
    assert f"{ASSESSMENT_TITLE}: our self-rating" in text
    assert f"Where is your team today? {point.score} {point.name}" in text
    assert point.description in text
    assert ASSESSMENT_TITLE not in pdf_text(render_takehome(plan()))[0]


def test_a_rating_given_on_a_phone_reaches_the_teams_plan(
    app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any
) -> None:
    staff = connect(app, faculty_client, room["code"], "console")
    staff.emit(
        protocol.ADD_POLL,
        {"poll_type": "assessment-scale", "prompt": "Where are you?", "title": "Our rating"},
        callback=True,
    )
    rating = next(a["id"] for a in last(staff, protocol.STATE)["activities"] if a["title"] == "Our rating")
    staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": rating}, callback=True)
    ana_web = join_phone("Riverside Clinic", "Ana")
    assert vote(connect(app, ana_web, room["code"]), rating, 1.5, "rate-plan-0001")["ok"]
    text, _ = pdf_text(ana_web.get(f"/room/{room['code']}/plan.pdf").get_data())
    assert f"Our rating 1.5 {scale_point(1.5).name}" in text
    hill, _ = pdf_text(join_phone("Hilltop Practice", "Ben").get(f"/room/{room['code']}/plan.pdf").get_data())
    assert "Our rating" not in hill


def pdf_fonts(data: bytes) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(data)).pages
        for font in page["/Resources"].get_object()["/Font"].get_object().values()  # type: ignore[index]
    }


def test_emoji_typed_by_a_team_are_drawn_in_its_plan_and_digits_are_not() -> None:
    data = render_takehome(plan(sheet("storyboard", {"story_changes": "It worked 🎉"}), team="Riverside 🌈"))
    fonts = pdf_fonts(data)
    assert any("Emoji" in name for name in fonts), fonts  # drawn with an emoji font, not as empty boxes
    # Without emoji, nothing comes from the emoji font (which also holds digits, in grey).
    assert not any("Emoji" in name for name in pdf_fonts(render_takehome(plan())))
    assert "Riverside 🌈" in pdf_text(data)[0]


def test_a_sustain_or_spread_plan_or_a_process_map_prints_once_the_team_has_written_one() -> None:
    empty, _ = pdf_text(render_takehome(plan()))
    assert "Sustain plan" not in empty
    assert "Spread plan" not in empty
    assert "Process map" not in empty
    text, _ = pdf_text(
        render_takehome(
            plan(
                sheet("sustain-plan", rows=[{"change": "Scripted introduction", "owner": "Dana"}]),
                sheet("process-map", rows=[{"step": "Screener handed out at check-in", "who": "Front desk"}]),
            )
        )
    )
    assert "Sustain plan" in text
    assert "Process owner" in text
    assert "Dana" in text
    assert "Spread plan" not in text
    assert "Process map" in text
    assert "Wait or hand-off" in text
    assert "Screener handed out at check-in" in text


def test_making_the_zip_again_renders_only_the_plans_that_changed(tmp_path: Path, monkeypatch: Any) -> None:
    import exports.packet as packet
    from exports.takehome import render_takehome as render_takehome_as_is

    rendered: list[str] = []
    real = render_takehome_as_is

    def counting(made: Any, paper: str = "letter", lang: str = "en") -> bytes:
        rendered.append(made.team)
        return real(made, paper, lang)

    monkeypatch.setattr(packet, "render_takehome", counting)
    cache = tmp_path / "cache"
    plans = [plan(team=f"Team {n}") for n in range(3)]
    first = packet.render_plans(plans, cache=cache)
    assert sorted(rendered) == ["Team 0", "Team 1", "Team 2"]
    rendered.clear()
    again = packet.render_plans(plans, cache=cache)
    assert rendered == []  # nothing changed: nothing rendered
    assert [pdf for pdf, _ in again] == [pdf for pdf, _ in first]
    changed = [plans[0], plan(team="Team 1", organisation="Lakeside Family Health"), plans[2]]
    third = packet.render_plans(changed, "letter", 1, cache)
    assert rendered == ["Team 1"]
    assert "Lakeside Family Health" in pdf_text(third[1][0])[0]
    assert "Lakeside Family Health" not in pdf_text(first[1][0])[0]
    rendered.clear()
    packet.render_plans(plans, "a4", 1, cache)  # another paper is another PDF
    assert sorted(rendered) == ["Team 0", "Team 1", "Team 2"]
