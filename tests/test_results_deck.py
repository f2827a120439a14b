"""The results deck: what the room said, as native charts faculty can edit (python-pptx reads them back)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from facilitator.cli import cli
from live import protocol

from .helpers import FIXTURES, connect, finish_job, last, vote


@pytest.fixture
def answered(app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any) -> dict[str, Any]:
    """Two teams answer the curriculum's choice poll, a word cloud and a moderated open poll,
    rate themselves, and write commitments."""
    staff = connect(app, faculty_client, room["code"], "console")
    state = last(staff, protocol.STATE)
    choice = state["activities"][0]
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])

    def add(payload: dict[str, Any]) -> int:
        reply = staff.emit(protocol.ADD_POLL, payload, callback=True)
        assert reply["ok"], reply
        assert staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": reply["activity_id"]}, callback=True)["ok"]
        return int(reply["activity_id"])

    assert staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": choice["id"]}, callback=True)["ok"]
    assert vote(ana, choice["id"], 0, "results-v-01")["ok"]
    assert vote(ben, choice["id"], 0, "results-v-02")["ok"]
    cloud = add({"poll_type": "wordcloud", "prompt": "One word for today?", "title": "Today in a word"})
    assert vote(ana, cloud, "Momentum", "results-v-03")["ok"]
    assert vote(ben, cloud, "momentum", "results-v-04")["ok"]
    opened = add({"poll_type": "open", "prompt": "What will you try first?", "title": "First tests"})
    said = vote(ana, opened, "A script card at the front desk", "results-v-05")
    vote(ben, opened, "Something not approved", "results-v-06")
    staff.get_received()
    staff.emit(protocol.REQUEST_STATE, {}, callback=True)
    answers = next(a for a in last(staff, protocol.STATE)["activities"] if a["id"] == opened)["results"][
        "answers"
    ]
    first = next(a["id"] for a in answers if a["text"] == "A script card at the front desk")
    approve = {"activity_id": opened, "response_id": first, "approved": True}
    assert staff.emit(protocol.APPROVE_ANSWER, approve, callback=True)["ok"], said
    rating = add(
        {"poll_type": "assessment-scale", "prompt": "Where is your team today?", "title": "Self-rating"}
    )
    assert vote(ana, rating, 2.5, "results-v-07")["ok"]
    assert vote(ben, rating, 1.5, "results-v-08")["ok"]
    for n in range(2):
        made = ana.emit(
            protocol.ADD_ITEM, {"client_id": f"results-c-0{n}", "kind": "commitment"}, callback=True
        )
        assert made["ok"], made
    return {"choice": choice, "session": room["id"]}


def charts(deck: Any) -> dict[str, Any]:
    return {
        slide.shapes.title.text: shape.chart
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_chart
    }


def make_deck(faculty_client: Any, session_id: int, csrf: Any) -> bytes:
    """The console's Results deck button: a job, followed to its file."""
    console = faculty_client.get(f"/console/{session_id}").get_data(as_text=True)
    started = faculty_client.post(f"/console/{session_id}/results.pptx", data={"csrf": csrf(console)})
    state, deck = finish_job(faculty_client, started)
    assert state["state"] == "finished", state
    assert state["filename"].endswith("-results.pptx")
    return deck


def test_the_console_downloads_the_results_as_native_charts(
    client: Any, faculty_client: Any, answered: dict[str, Any], csrf: Any
) -> None:
    assert client.post(f"/console/{answered['session']}/results.pptx").status_code == 302  # faculty only
    deck = Presentation(io.BytesIO(make_deck(faculty_client, answered["session"], csrf)))
    found = charts(deck)
    poll = found[answered["choice"]["title"]]
    plot = poll.plots[0]
    options = answered["choice"]["spec"]["options"]
    assert list(plot.categories) == options
    assert list(plot.series[0].values) == [2, *([0] * (len(options) - 1))]
    assert plot.series[0].points[0].data_label.text_frame.text == "2 (100%)"
    ratings = found["The IHI Assessment Scale: every team"].plots[0]
    assert list(ratings.categories) == ["Hilltop Practice", "Riverside Clinic"]
    assert list(ratings.series[0].values) == [1.5, 2.5]
    commitments = found["Commitments by team"].plots[0]
    assert list(commitments.categories) == ["Riverside Clinic"]
    assert list(commitments.series[0].values) == [2]
    texts = " ".join(
        shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
    )
    assert "A script card at the front desk" in texts
    assert "Something not approved" not in texts  # only what the facilitator approved
    cloud = next(
        shape
        for slide in deck.slides
        if slide.shapes.title.text == "Today in a word"
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE
    )
    assert "momentum (2)" in cloud._element.xpath("./p:nvPicPr/p:cNvPr")[0].get("descr")


def test_bsc_results_writes_the_deck_from_the_rooms_data_folder(
    app: Any, answered: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "results.pptx"
    result = CliRunner().invoke(
        cli,
        [
            "results",
            "--data-dir",
            app.config["DATA_DIR"],
            "--curriculum",
            str(FIXTURES / "mini"),
            "--session",
            str(answered["session"]),
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    deck = Presentation(str(target))
    assert deck.slides[0].shapes.title.text == "Mini Collaborative"
    assert answered["choice"]["title"] in charts(deck)
    missing = CliRunner().invoke(cli, ["results", "--data-dir", app.config["DATA_DIR"], "--session", "999"])
    assert missing.exit_code == 1
    assert "no such session" in missing.output


def test_the_action_period_before_a_session_shows_as_native_run_charts(
    app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any, shots: Path, csrf: Any
) -> None:
    from exports.runcharts import analyse

    months = [f"2026-{m:02d}" for m in range(1, 11)]
    teams = {
        "Riverside Clinic": [20, 22, 21, 19, 20, 40, 42, 44, 43, 45],  # a shift after the change
        "Hilltop Practice": [30, 31, 29, 30, 32, 31, 30, 29, 31, 30],
    }
    for n, (team, tops) in enumerate(teams.items()):
        phone = connect(app, join_phone(team, f"Lead {n}"), room["code"])
        item = phone.emit(
            protocol.ADD_ITEM, {"client_id": f"ap-measure-{n}", "kind": "measure"}, callback=True
        )
        measure = item["item"]["id"]
        for k, (name, value) in enumerate((("name", "Screening rate"), ("kind", "proportion"))):
            payload = {"client_id": f"ap-edit-{n}-{k}", "item_id": measure, "name": name, "value": value}
            assert phone.emit(protocol.EDIT_FIELD, {**payload, "base_version": 0}, callback=True)["ok"]
        for k, (month, top) in enumerate(zip(months, tops, strict=True)):
            entry = {"client_id": f"ap-data-{n}-{k:02d}", "item_id": measure, "period": month}
            sent = phone.emit(
                protocol.ENTER_DATA, {**entry, "numerator": top, "denominator": 100}, callback=True
            )
            assert sent["ok"], sent
    made = make_deck(faculty_client, room["id"], csrf)
    (shots / "results-action-period.pptx").write_bytes(made)  # to render and look at
    deck = Presentation(io.BytesIO(made))
    pooled = charts(deck)["Screening rate: all teams together"]
    expected = [(a + b) / 2 for a, b in zip(*teams.values(), strict=True)]  # of 200, as a percentage
    series = pooled.plots[0].series
    assert list(series[0].values) == pytest.approx(expected)
    assert [s.name for s in series] == ["Value", "Median"]
    found = analyse(expected)
    assert found.fired("trend")  # the change shows: a trend up, too few runs
    said = "; ".join(s.text for s in found.signals)
    assert pooled.chart_title.text_frame.text == said  # the findings, said on the chart
    flagged = {i for s in found.signals for i in s.points}
    for i in range(len(expected)):
        fill = series[0].points[i].marker.format.fill
        assert (fill.type is not None and fill.fore_color.rgb == (0xC4, 0x55, 0x3A)) == (i in flagged)
    each = next(s for s in deck.slides if s.shapes.title.text == "Screening rate: each team")
    titles = sorted(shape.chart.chart_title.text_frame.text for shape in each.shapes if shape.has_chart)
    assert titles == sorted(teams)
