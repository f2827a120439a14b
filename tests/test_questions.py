"""The question board over Socket.IO, its module format, and the facilitator's CSV downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from click.testing import CliRunner

from curriculum.loader import load
from facilitator.cli import cli
from live import protocol

from .helpers import GOOD_FRONT, connect, flush, last, received, vote

BOARD = """
# Your questions

```activity
kind: question-board
prompt: What do you want to ask the panel?
minutes: 15
```
"""


def test_a_question_board_is_written_in_a_module(write_module: Any, runner: CliRunner) -> None:
    loaded = load(write_module(GOOD_FRONT + BOARD))
    assert loaded.ok, loaded.problems
    (board,) = loaded.modules[0].activities
    assert (board.kind, board.moderated) == ("question-board", True)
    unmoderated = load(
        write_module(GOOD_FRONT + BOARD.replace("minutes: 15", "minutes: 15\nmoderated: false"))
    )
    assert unmoderated.modules[0].activities[0].moderated is False
    path = write_module(GOOD_FRONT + BOARD.replace("minutes: 15", "minutes: 15\nmoderated: sometimes"))
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "'moderated' must be true or false" in result.output


@pytest.fixture
def board(app: Any, faculty_client: Any, room: dict[str, Any]) -> dict[str, Any]:
    """A question board added to the room's session and opened (a module's board, as the room runs it)."""
    from live.context import database
    from live.models import Activity

    with app.app_context(), database().transaction() as db:
        activity = Activity(
            session_id=room["id"],
            position=99,
            key="panel-questions",
            kind="question-board",
            title="Questions for the panel",
            prompt="Ask away",
            minutes=15,
            spec={"moderated": True},
        )
        db.add(activity)
        db.flush()
        board_id = activity.id
    console = connect(app, faculty_client, room["code"], "console")
    assert console.emit(protocol.OPEN_ACTIVITY, {"activity_id": board_id}, callback=True)["ok"]
    return {"id": board_id, "console": console}


def ask(phone: Any, board: int, text: str, client_id: str) -> dict[str, Any]:
    reply: dict[str, Any] = phone.emit(
        protocol.ASK_QUESTION, {"client_id": client_id, "activity_id": board, "text": text}, callback=True
    )
    return reply


def test_questions_wait_for_approval_then_are_upvoted_pinned_and_answered(
    app: Any, join_phone: Any, room: dict[str, Any], board: dict[str, Any], faculty_client: Any
) -> None:
    console, board_id = board["console"], board["id"]
    projector = connect(app, faculty_client, room["code"], "projector")
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    first = ask(ana, board_id, "<b>How</b> do we keep families involved?", "ask-question-01")
    second = ask(ben, board_id, "What if the EHR has no field for it?", "ask-question-02")
    assert first["ok"]
    assert second["ok"]
    assert ask(ana, board_id, "How do we keep families involved?", "ask-question-01") == first  # applied once
    flush(app)
    assert last(projector, protocol.QUESTIONS)["questions"] == []  # nothing before approval
    staff = [m for m in received(console)[protocol.QUESTIONS] if m.get("console")][-1]["questions"]
    assert {q["text"]: q["team"] for q in staff} == {
        "<b>How</b> do we keep families involved?": "Riverside Clinic",
        "What if the EHR has no field for it?": "Hilltop Practice",
    }
    for question in (first["question"], second["question"]):
        console.emit(
            protocol.MODERATE_QUESTION, {"question_id": question["id"], "approved": True}, callback=True
        )
    up = ben.emit(
        protocol.UPVOTE_QUESTION,
        {"client_id": "upvote-ben-01", "question_id": first["question"]["id"], "up": True},
        callback=True,
    )
    assert up["ok"]
    own = ana.emit(
        protocol.UPVOTE_QUESTION,
        {"client_id": "upvote-ana-01", "question_id": first["question"]["id"], "up": True},
        callback=True,
    )
    assert own["code"] == "own_question"
    flush(app)
    shown = last(projector, protocol.QUESTIONS)["questions"]
    assert [(q["text"], q["votes"]) for q in shown] == [
        ("<b>How</b> do we keep families involved?", 1),
        ("What if the EHR has no field for it?", 0),
    ]
    assert "team" not in shown[0]  # the room does not see who asked
    console.emit(
        protocol.MODERATE_QUESTION, {"question_id": second["question"]["id"], "pinned": True}, callback=True
    )
    console.emit(
        protocol.MODERATE_QUESTION, {"question_id": first["question"]["id"], "answered": True}, callback=True
    )
    flush(app)
    shown = last(projector, protocol.QUESTIONS)["questions"]
    assert [(q["pinned"], q["answered"]) for q in shown] == [(True, False), (False, True)]
    ana.emit(protocol.REQUEST_STATE, {}, callback=True)
    assert [q["id"] for q in last(ana, protocol.STATE)["my_questions"]["asked"]] == [first["question"]["id"]]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param("", "'text' is empty", id="empty"),
        pytest.param("x" * 281, "'text' is longer than 280 characters", id="too-long"),
        pytest.param(42, "'text' must be text", id="not-text"),
    ],
)
def test_a_bad_question_is_refused(
    app: Any, join_phone: Any, room: dict[str, Any], board: dict[str, Any], text: Any, error: str
) -> None:
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    reply = ask(ana, board["id"], text, "ask-bad-00001")
    assert reply["ok"] is False
    assert reply["error"] == error


def test_a_closed_board_takes_no_questions(
    app: Any, join_phone: Any, room: dict[str, Any], board: dict[str, Any]
) -> None:
    board["console"].emit(protocol.CLOSE_ACTIVITY, {"activity_id": board["id"]}, callback=True)
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    assert ask(ana, board["id"], "Too late?", "ask-closed-001")["code"] == "closed"


def read_csv(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_faculty_download_a_polls_answers_and_a_boards_questions_as_csv(
    app: Any, join_phone: Any, room: dict[str, Any], board: dict[str, Any], faculty_client: Any, client: Any
) -> None:
    console = board["console"]
    poll = next(a for a in last(console, protocol.STATE)["activities"] if a["kind"] == "poll")
    console.emit(protocol.OPEN_ACTIVITY, {"activity_id": poll["id"]}, callback=True)
    ana_web = join_phone("Riverside Clinic", "Ana")
    ana = connect(app, ana_web, room["code"])
    vote(ana, poll["id"], 2, "csv-vote-00001")
    ask(ana, board["id"], '=HYPERLINK("http://evil")', "csv-ask-000001")
    answers = read_csv(faculty_client.get(f"/console/{room['id']}/activities/{poll['id']}.csv").get_data())
    assert answers[0] == ["time", "team", "participant", "answer"]
    assert answers[1][1:] == ["Riverside Clinic", "", poll["spec"]["options"][2]]  # anonymous: no name
    questions = read_csv(faculty_client.get(f"/console/{room['id']}/activities/{board['id']}.csv").get_data())
    assert questions[0] == ["question", "team", "votes", "approved", "pinned", "answered"]
    assert questions[1][0] == '\'=HYPERLINK("http://evil")'  # a spreadsheet shows it, never runs it
    assert client.get(f"/console/{room['id']}/activities/{poll['id']}.csv").status_code == 302  # faculty only
    assert ana_web.get(f"/console/{room['id']}/activities/{poll['id']}.csv").status_code == 302
    assert faculty_client.get(f"/console/{room['id']}/activities/99999.csv").status_code == 404


def test_a_question_board_appears_on_its_slide_with_its_run_of_show(write_module: Any) -> None:
    from pptx import Presentation

    from exports.decks import DeckOptions, build_deck
    from facilitator.build import preview_curriculum

    from .helpers import slide_text

    loaded = load(write_module(GOOD_FRONT + BOARD))
    curriculum = preview_curriculum(loaded.modules[0])
    deck = Presentation(io.BytesIO(build_deck(curriculum, curriculum.sessions[0], DeckOptions())))
    slide = next(s for s in deck.slides if s.shapes.title.text == "Your questions")
    assert "QUESTION BOARD · 15 MIN" in slide_text(slide)
    assert "What do you want to ask the panel?" in slide_text(slide)
    assert "upvote" in slide_text(slide)
    assert "pin the one being answered" in slide.notes_slide.notes_text_frame.text
