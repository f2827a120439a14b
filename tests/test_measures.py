"""A measure's data in the action period: periods, entry by numerator and denominator, notes."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from curriculum.measures import (
    Note,
    Period,
    check_entry,
    check_period,
    enter,
    format_notes,
    parse_data,
    parse_notes,
    parse_period,
)
from curriculum.problems import Invalid
from exports.plans import PlanRow, measure_chart
from live import protocol
from live.protocol import ADD_ITEM, ENTER_DATA, WORKSPACE_CHANGED

from .helpers import connect, edit, last, received


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("2027-01", "2027-01"),
        ("Jan 2027", "2027-01"),
        ("january 2027", "2027-01"),
        ("Sept. 2026", "2026-09"),
        ("01/2027", "2027-01"),
        ("ene 2027", "2027-01"),
        ("Mar '27", "2027-03"),
        ("2027-W05", "2027-W05"),
        ("2027W5", "2027-W05"),
    ],
)
def test_periods_are_read_as_people_write_them(typed: str, key: str) -> None:
    found = parse_period(typed)
    assert found is not None
    assert found.key == key


@pytest.mark.parametrize("typed", ["Baseline", "2027-13", "2027-W54", "Foo 2027", "1850-01", ""])
def test_labels_that_name_no_period(typed: str) -> None:
    assert parse_period(typed) is None


def test_data_lines_with_a_numerator_and_denominator() -> None:
    points = parse_data("Jan 2027: 35/80\n2027-02: 40 / 80\nBaseline: 41%")
    assert [p.value for p in points] == [43.75, 50.0, 41.0]
    assert (points[0].numerator, points[0].denominator) == (35.0, 80.0)
    assert points[2].period is None
    assert parse_data("2027-01: 30/1000", "rate")[0].value == pytest.approx(0.03)
    with pytest.raises(Invalid, match="line 3 of the data repeats 2027-01 \\(line 1\\)"):
        parse_data("Jan 2027: 4\nFeb 2027: 5\n2027-01: 6")
    with pytest.raises(Invalid, match="line 1 of the data divides by 0"):
        parse_data("Jan 2027: 4/0")


def test_an_entry_goes_in_period_order_and_replaces_its_period() -> None:
    today = date(2027, 6, 1)
    typed = {"numerator": "30", "denominator": "60"}
    text = enter(
        "Jan 2027: 35/80\nMar 2027: 20/40", check_entry("proportion", Period(2027, 2), typed), "proportion"
    )
    assert text.splitlines() == ["Jan 2027: 35/80", "2027-02: 30/60", "Mar 2027: 20/40"]
    again = enter(
        text, check_entry("proportion", check_period("monthly", "Feb 2027", today), typed | {"numerator": 31})
    )
    assert again.splitlines()[1] == "2027-02: 31/60"
    assert len(again.splitlines()) == 3


@pytest.mark.parametrize(
    ("kind", "typed", "field", "message"),
    [
        ("proportion", {"numerator": "12", "denominator": ""}, "denominator", "give the denominator"),
        ("proportion", {"numerator": "12", "denominator": "0"}, "denominator", "must be above 0"),
        ("proportion", {"numerator": "90", "denominator": "80"}, "numerator", "cannot be larger than"),
        ("proportion", {"numerator": "twelve", "denominator": "80"}, "numerator", "must be a number"),
        ("count", {"value": "2.5"}, "value", "a count is a whole number"),
        ("continuous", {"value": ""}, "value", "give the value"),
    ],
)
def test_entries_are_refused_at_their_input(
    kind: str, typed: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(Invalid) as refused:
        check_entry(kind, Period(2027, 1), typed)
    assert getattr(refused.value, "field", None) == field
    assert message in refused.value.message


def test_periods_are_checked_against_the_measure_and_the_calendar() -> None:
    today = date(2027, 3, 15)
    assert check_period("monthly", "2027-03", today) == Period(2027, 3)
    for frequency, typed, message in [
        ("monthly", "2027-04", "Apr 2027 has not begun yet"),
        ("monthly", "2027-W02", "this measure is monthly"),
        ("weekly", "2027-02", "this measure is weekly"),
        ("", "soon", "give the period as a month"),
    ]:
        with pytest.raises(Invalid, match=message):
            check_period(frequency, typed, today)


@pytest.fixture
def team(app: Any, join_phone: Any, room: dict[str, Any]) -> dict[str, Any]:
    """Two teammates of Riverside Clinic and a phone of Hilltop, with a percentage measure."""
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    cy = connect(app, join_phone("Riverside Clinic", "Cy"), room["code"])
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    row = ana.emit(ADD_ITEM, {"client_id": "add-measure-01", "kind": "measure"}, callback=True)["item"]
    assert edit(ana, "kind", "proportion", 0, "edit-kind-0001", item_id=row["id"])["ok"]
    assert edit(ana, "frequency", "monthly", 0, "edit-freq-0001", item_id=row["id"])["ok"]
    for phone in (cy, ben):
        phone.get_received()
    return {"ana": ana, "cy": cy, "ben": ben, "measure": row["id"]}


def _enter(phone: Any, client_id: str, **payload: Any) -> dict[str, Any]:
    reply: dict[str, Any] = phone.emit(ENTER_DATA, {"client_id": client_id, **payload}, callback=True)
    return reply


def _fields(phone: Any, measure: int) -> dict[str, Any]:
    phone.get_received()
    phone.emit(protocol.REQUEST_STATE, {}, callback=True)
    fields: dict[str, Any] = last(phone, protocol.STATE)["workspace"]["fields"].get(f"i{measure}", {})
    return fields


def test_teammates_enter_different_months_without_a_conflict(team: dict[str, Any]) -> None:
    measure = team["measure"]
    one = _enter(
        team["ana"], "data-ana-0001", item_id=measure, period="2026-09", numerator="30", denominator="80"
    )
    two = _enter(team["cy"], "data-cy-00001", item_id=measure, period="2026-08", numerator=25, denominator=75)
    assert one["ok"] is True
    assert two["ok"] is True
    assert _fields(team["ana"], measure)["data"]["value"].splitlines() == ["2026-08: 25/75", "2026-09: 30/80"]
    change = last(team["cy"], WORKSPACE_CHANGED)
    assert change["event"] == ENTER_DATA
    assert WORKSPACE_CHANGED not in received(team["ben"])  # another team never hears of it
    again = _enter(
        team["ana"], "data-ana-0001", item_id=measure, period="2026-09", numerator="30", denominator="80"
    )
    assert again == one  # a retried entry counts once


def test_data_typed_in_any_months_form_comes_by_period_too(team: dict[str, Any]) -> None:
    """A team may type its data ('Mar 2027: 42'); the monthly report of 2027-03 finds it: each
    data field comes with its values by period, to the writer, its teammates and a new state."""
    measure = team["measure"]
    typed = "Jan 2027: 30/80\n2/2027: 35/80\nmar. 27: 42/80"
    saved = edit(team["ana"], "data", typed, 0, "data-typed-001", item_id=measure)
    expected = {"2027-01": "30/80", "2027-02": "35/80", "2027-03": "42/80"}
    assert saved["periods"] == expected
    assert saved["value"] == typed  # kept as typed
    assert last(team["cy"], WORKSPACE_CHANGED)["periods"] == expected
    assert _fields(team["cy"], measure)["data"]["periods"] == expected
    assert "periods" not in _fields(team["cy"], measure)["kind"]  # only data fields


def test_a_refused_entry_names_its_input_and_changes_nothing(team: dict[str, Any]) -> None:
    measure = team["measure"]
    reply = _enter(
        team["ana"], "data-bad-0001", item_id=measure, period="2026-09", numerator="90", denominator="80"
    )
    assert reply["ok"] is False
    assert reply["field"] == "numerator"
    assert "cannot be larger than the denominator" in reply["error"]
    future = datetime.now(UTC).date().replace(day=1).year + 1
    later = _enter(
        team["ana"], "data-bad-0002", item_id=measure, period=f"{future}-01", numerator=1, denominator=2
    )
    assert later["field"] == "period"
    assert "data" not in _fields(team["ana"], measure)


def test_a_point_is_annotated_with_a_pdsa_cycle(team: dict[str, Any]) -> None:
    measure = team["measure"]
    cycle = team["ana"].emit(ADD_ITEM, {"client_id": "add-cycle-001", "kind": "pdsa"}, callback=True)["item"][
        "id"
    ]
    other = team["ben"].emit(ADD_ITEM, {"client_id": "add-cycle-002", "kind": "pdsa"}, callback=True)["item"][
        "id"
    ]
    refused = _enter(
        team["ana"],
        "data-note-001",
        item_id=measure,
        period="2026-10",
        numerator=3,
        denominator=4,
        cycle=other,
    )
    assert refused["field"] == "cycle"
    reply = _enter(
        team["ana"],
        "data-note-002",
        item_id=measure,
        period="2026-10",
        numerator=3,
        denominator=4,
        cycle=cycle,
        note="Reminder script at check-in",
    )
    assert reply["ok"] is True
    notes = parse_notes(_fields(team["ana"], measure)["annotations"]["value"])
    assert notes["2026-10"].cycle == cycle
    assert notes["2026-10"].text == "Reminder script at check-in"
    cleared = _enter(team["ana"], "data-note-003", item_id=measure, period="2026-10", clear=True)
    assert cleared["ok"] is True
    fields = _fields(team["ana"], measure)
    assert fields["data"]["value"] == ""
    assert fields["annotations"]["value"] == ""


def test_only_a_measure_of_ones_own_team_takes_data(team: dict[str, Any]) -> None:
    reply = _enter(team["ben"], "data-other-01", item_id=team["measure"], period="2026-09", value="4")
    assert reply["code"] == "forbidden"
    plan = team["ana"].emit(ADD_ITEM, {"client_id": "add-plan-0001", "kind": "plan"}, callback=True)["item"]
    assert (
        _enter(team["ana"], "data-plan-01", item_id=plan["id"], period="2026-09", value="4")["code"]
        == "bad_payload"
    )


def _chart_text(svg: str) -> str:
    return " ".join(ET.fromstring(svg).itertext())


def test_the_chart_becomes_a_control_chart_with_enough_points_and_shows_notes() -> None:
    months = [f"2026-{m:02d}" for m in range(1, 13)] + ["2027-01", "2027-02"]
    tops = [30, 32, 28, 31, 29, 33, 30, 31, 29, 32, 30, 31, 60, 62]  # of 100: two months far above
    data = "\n".join(f"{m}: {n}/100" for m, n in zip(months, tops, strict=True))
    notes = format_notes({"2027-01": Note(7, "Reminder calls <b>start</b>")})
    row = PlanRow(
        {"name": "Screening rate", "kind": "proportion", "data": data, "annotations": notes}, item_id=1
    )
    text = _chart_text(measure_chart(row, 520, 240, {7: "Cycle 1 (Reminder calls)"}))
    assert "p-chart" in text
    assert "UCL" in text
    assert "outside the control limits" in text
    assert "Jan 2027: Cycle 1 (Reminder calls): Reminder calls <b>start</b>" in text  # escaped, read back
    fewer = PlanRow(
        {"name": "Screening rate", "kind": "proportion", "data": "\n".join(data.splitlines()[:11])}
    )
    assert "median" in _chart_text(measure_chart(fewer, 520, 240))  # a run chart until there are 12
    assert "p-chart" not in _chart_text(measure_chart(fewer, 520, 240))


def test_a_cycle_links_a_change_idea_and_the_measures_it_should_move(team: dict[str, Any]) -> None:
    ana, ben = team["ana"], team["ben"]
    cycle = ana.emit(ADD_ITEM, {"client_id": "add-cycle-101", "kind": "pdsa"}, callback=True)["item"]["id"]
    theirs = ben.emit(ADD_ITEM, {"client_id": "add-meas-0101", "kind": "measure"}, callback=True)["item"][
        "id"
    ]
    unknown = edit(ana, "change_idea", "S9.9.9", 0, "edit-idea-0001", item_id=cycle)
    assert unknown["code"] == "bad_value"
    assert "not a change idea of the collaborative's driver diagram" in unknown["error"]
    assert edit(ana, "change_idea", "own:Text families the day before", 0, "edit-idea-0002", item_id=cycle)[
        "ok"
    ]
    stolen = edit(ana, "moves", f"[{theirs}]", 0, "edit-move-0001", item_id=cycle)
    assert stolen["error"] == "choose among your team's measures"
    assert edit(ana, "moves", "[1, true]", 0, "edit-move-0002", item_id=cycle)["code"] == "bad_value"
    assert edit(ana, "moves", f"[{team['measure']}]", 0, "edit-move-0003", item_id=cycle)["ok"]


def test_cycles_testing_one_idea_make_a_ramp_in_the_take_home_plan() -> None:
    from exports.plans import FilledSheet, TeamPlan
    from exports.takehome import render_takehome

    def cycle(item: int, test: str, idea: str, act: str) -> PlanRow:
        return PlanRow({"test": test, "change_idea": idea, "act": act, "moves": "[1]"}, item_id=item)

    rows = (
        cycle(11, "Text 5 families", "S1.1.1", "adapt"),
        cycle(12, "Call back in the visit", "own:Warm handoff", "abandon"),
        cycle(13, "Text 20 families", "S1.1.1", "adopt"),
    )
    plan = TeamPlan(
        "Safe Starts",
        "Learning Session 1",
        "Riverside Clinic",
        sheets=(
            FilledSheet("pdsa", rows=rows),
            FilledSheet("measures", rows=(PlanRow({"name": "Screening rate"}, item_id=1),)),
        ),
        ideas={"S1.1.1": "Text a reminder the day before the visit"},
    )
    ramps = plan.ramps()
    assert [(r.idea, [n for n, _, _ in r.cycles]) for r in ramps] == [
        ("S1.1.1 Text a reminder the day before the visit", [1, 3]),
        ("Warm handoff", [2]),
    ]
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(render_takehome(plan))).pages
    )
    assert "Ramps of cycles" in text
    assert "S1.1.1 Text a reminder the day before the visit: Cycle 1 (Adapt) → Cycle 3 (Adopt)" in text
    assert "Measures it should move Screening rate" in text  # names, not ids
