"""The quiz, the poll kind added by its definition, its renderer and these tests alone: a question
with one right option, revealed on the projector with the share of the room that got it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pptx import Presentation

from curriculum.loader import load
from curriculum.polls import POLL_KINDS
from exports.decks import DeckOptions, build_deck
from facilitator.cli import cli
from live import protocol

from .helpers import GOOD_FRONT, connect, flush, last, received, slide_text, vote

QUIZ = """
# Test or not?

```activity
kind: poll
type: quiz
prompt: "Is 'train all staff next month' a PDSA test?"
options: [Yes, "No: too big, test it with one nurse first"]
correct: "No: too big, test it with one nurse first"
minutes: 2
```
"""


def test_a_quiz_module_is_valid_and_its_slide_keeps_the_answer_for_the_notes(write_module: Any) -> None:
    path = write_module(GOOD_FRONT + QUIZ)
    loaded = load(path)
    assert loaded.ok, loaded.problems
    (activity,) = loaded.modules[0].activities
    assert activity.poll_type == "quiz"
    assert activity.spec["correct"] == "No: too big, test it with one nurse first"

    from facilitator.build import preview_curriculum

    curriculum = preview_curriculum(loaded.modules[0])
    deck = Presentation(io.BytesIO(build_deck(curriculum, curriculum.sessions[0], DeckOptions())))
    slide = next(s for s in deck.slides if s.shapes.title.text == "Test or not?")
    text = slide_text(slide)
    assert "No: too big, test it with one nurse first" in text
    assert POLL_KINDS["quiz"].instruction in text
    assert "The right answer:" not in text  # the room sees the options; the notes say which is right
    notes = slide.notes_slide.notes_text_frame.text
    assert "The right answer: B, No: too big, test it with one nurse first." in notes


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            ('correct: "No: too big, test it with one nurse first"\n', ""),
            "a quiz without its right answer",
            id="no-answer",
        ),
        pytest.param(
            ('correct: "No: too big', 'correct: "Maybe: too big'),
            "the right answer 'Maybe: too big, test it with one nurse first' is not one of the options",
            id="answer-not-an-option",
        ),
        pytest.param(
            ("options: [Yes, ", "options: ["), "a quiz poll needs 2 to 12 options, not 1", id="one-option"
        ),
    ],
)
def test_a_bad_quiz_is_reported_at_its_line(
    runner: CliRunner, write_module: Any, change: tuple[str, str], message: str
) -> None:
    path = write_module(GOOD_FRONT + QUIZ.replace(*change))
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:" in result.output
    assert message in result.output


def test_phones_learn_the_right_answer_only_with_the_results(
    app: Any, join_phone: Any, room: dict[str, Any], faculty_client: Any
) -> None:
    staff = connect(app, faculty_client, room["code"], "console")
    reply = staff.emit(
        protocol.ADD_POLL,
        {
            "poll_type": "quiz",
            "prompt": "Which is a measure of process?",
            "options": ["Visits screened", "Children thriving", "Visit length"],
            "correct": "Visits screened",
        },
        callback=True,
    )
    assert reply["ok"]
    state = last(staff, protocol.STATE)
    quiz = next(a for a in state["activities"] if a["poll_type"] == "quiz")
    assert reply["activity_id"] == quiz["id"]  # the reply names the poll it made
    assert quiz["spec"]["correct"] == "Visits screened"  # the console sees it
    staff.emit(protocol.OPEN_ACTIVITY, {"activity_id": quiz["id"]}, callback=True)
    ana = connect(app, join_phone("Riverside Clinic", "Ana"), room["code"])
    ben = connect(app, join_phone("Hilltop Practice", "Ben"), room["code"])
    shown = last(ana, protocol.STATE)["activity"]
    assert shown["id"] == quiz["id"]
    assert shown["instruction"] == POLL_KINDS["quiz"].instruction
    assert "correct" not in shown["spec"]
    assert vote(ana, quiz["id"], 0, "quiz-vote-ana1")["ok"]
    assert vote(ben, quiz["id"], 2, "quiz-vote-ben1")["ok"]
    assert vote(ben, quiz["id"], 3, "quiz-vote-ben2")["error"] == "choose one of the 3 options"
    ana.get_received()
    staff.emit(protocol.SHOW_RESULTS, {"activity_id": quiz["id"], "visible": True}, callback=True)
    results = last(ana, protocol.ROOM)["results"]
    assert (results["correct"], results["right"], results["right_share"]) == (0, 1, 50)
    flush(app)
    to_console = [m for m in received(staff)[protocol.POLL_RESULTS] if m.get("console")][-1]
    assert to_console["results"]["right_share"] == 50


def test_a_quick_quiz_needs_its_answer_among_the_options(
    app: Any, faculty_client: Any, room: dict[str, Any]
) -> None:
    staff = connect(app, faculty_client, room["code"], "console")
    reply = staff.emit(
        protocol.ADD_POLL,
        {"poll_type": "quiz", "prompt": "Q?", "options": ["a", "b"], "correct": "c"},
        callback=True,
    )
    assert reply["ok"] is False
    assert reply["error"].startswith("the right answer 'c' is not one of the options")


def test_the_quiz_renderer_is_in_the_page_the_phone_loads(
    app: Any, join_phone: Any, room: dict[str, Any]
) -> None:
    phone = join_phone("Riverside Clinic", "Ana")
    page = phone.get(f"/room/{room['code']}").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    loaded = ""
    for script in scripts:
        with phone.get(script) as response:
            loaded += response.get_data(as_text=True)
    assert "quiz:" in loaded


def test_the_fixture_library_still_validates(mini: Path) -> None:
    assert load(mini).ok
