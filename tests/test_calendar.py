"""One calendar, written once in the manifest: dates computed into slides, and checked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation

from curriculum.loader import load
from exports.decks import DeckOptions, build_deck
from facilitator.cli import cli

MANIFEST = "curriculum.yaml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def add_slide(mini: Path, body: str, module: str = "mini-plan.md") -> Path:
    path = mini / "modules" / module
    path.write_text(path.read_text() + "\n---\n\n" + body)
    return path


def problems_of(runner: CliRunner, path: Path) -> str:
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    return result.output


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# Each case breaks the fixture's manifest one way; validate names the line and the problem.
MANIFEST_CASES = [
    pytest.param(
        ("duration_months: 6", "duration_months: 9"),
        "phases:",
        "the phases add up to 6 months, but 'duration_months' is 9",
        id="phases-do-not-add-up",
    ),
    pytest.param(
        (
            "  - {name: Action Period 1, months: 5}",
            "  - {name: Action Period 1 and closing congress, months: 5}",
        ),
        "closing congress, months",
        "'Action Period 1 and closing congress': the closing congress comes after the last action period",
        id="congress-inside-the-last-action-period",
    ),
    pytest.param(
        ("date: 2027-03-09", "date: 2027-02-30"),
        "date: 2027-02-30",
        "'date' is '2027-02-30', not a date",
        id="no-such-date",
    ),
    pytest.param(
        ("aim: By June, every test passes for every team.", "aim: By June 2029, every test passes."),
        "aim: By June 2029",
        "'June 2029' falls outside the collaborative (February 2027 to August 2027)",
        id="aim-after-the-end",
    ),
]


@pytest.mark.parametrize(("change", "where", "message"), MANIFEST_CASES)
def test_validate_checks_the_manifests_calendar(
    mini: Path, runner: CliRunner, change: tuple[str, str], where: str, message: str
) -> None:
    manifest = mini / MANIFEST
    edit(manifest, *change)
    output = problems_of(runner, mini)
    assert f"{manifest}:{line_of(manifest, where)}: {message}" in output, output


def test_a_session_must_fall_where_the_phases_put_it(mini: Path, runner: CliRunner) -> None:
    manifest = mini / MANIFEST
    edit(
        manifest,
        "  - {name: Action Period 1, months: 5}",
        "  - {name: Action Period 1, months: 2}\n  - {name: Learning Session 2, days: 1}\n"
        "  - {name: Action Period 2, months: 3}",
    )
    manifest.write_text(
        manifest.read_text()
        + '  - session: 2\n    title: Second\n    date: 2027-07-20\n    start: "09:00"\n'
        + '    end: "10:00"\n    agenda:\n      - {at: "09:00", title: Back, minutes: 30, points: [Hello]}\n'
    )
    output = problems_of(runner, mini)
    assert (
        f"{manifest}:{line_of(manifest, '2027-07-20')}: Learning Session 2 is on Tuesday 20 July 2027, "
        "but the phases before it put it near Monday 10 May 2027"
    ) in output
    edit(manifest, "date: 2027-07-20", "date: 2027-05-11")
    assert runner.invoke(cli, ["validate", str(mini)]).exit_code == 0


def test_a_written_weekday_that_is_not_its_dates_is_reported(mini: Path, runner: CliRunner) -> None:
    module = add_slide(mini, "# Dates\n\n- First test on Tuesday 11 March\n- Review on Thursday 11 March\n")
    output = problems_of(runner, mini)
    # The year comes from the session's date (9 March 2027): 11 March 2027 is a Thursday.
    assert (
        f"{module}:{line_of(module, 'Tuesday 11 March')}: 'Tuesday 11 March': 11 March 2027 is a Thursday"
        in output
    )
    assert "Thursday 11 March'" not in output.replace("'Tuesday 11 March'", "")


def test_an_unknown_date_word_and_activities_longer_than_the_module_are_reported(
    mini: Path, runner: CliRunner
) -> None:
    module = add_slide(
        mini,
        "# Soon\n\n- By {{ next blursday }}\n\n---\n\n# Vote\n\n```activity\nkind: poll\ntype: choice\n"
        "prompt: Which?\noptions: [a, b]\nminutes: 30\n```\n",
    )
    output = problems_of(runner, mini)
    assert (
        f"{module}:{line_of(module, 'blursday')}: '{{{{next blursday}}}}' is not a date this kit computes"
        in output
    )
    assert "the activities take 50 minutes by here, more than the module's 45" in output


def test_dates_and_lengths_in_slides_come_from_the_manifest(mini: Path) -> None:
    add_slide(
        mini,
        "# When\n\n- Test by {{ next tuesday }}\n- Huddle on {{ day +2 }}\n- Aim by {{ month +3 }}\n"
        "- Today is {{ session date }}\n- Action Period 1 lasts {{ phase Action Period 1 }}\n"
        "- Start with: {{ topic primary 1 }}\n",
    )
    loaded = load(mini)
    assert loaded.ok, loaded.problems
    curriculum = loaded.curricula[0]
    deck = Presentation(io.BytesIO(build_deck(curriculum, curriculum.session("1"), DeckOptions())))
    text = " ".join(s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame)
    # The session is on Tuesday 9 March 2027.
    assert "Test by Tuesday 16 March" in text
    assert "Huddle on Thursday 11 March" in text
    assert "Aim by June 2027" in text
    assert "Today is Tuesday 9 March 2027" in text
    assert "Action Period 1 lasts 5 months" in text
    assert "Start with: Tests are written first" in text
    assert "{{" not in text
    # Move the session a week: every computed date moves with it.
    edit(mini / MANIFEST, "date: 2027-03-09", "date: 2027-03-16")
    moved = load(mini).curricula[0]
    deck = Presentation(io.BytesIO(build_deck(moved, moved.session("1"), DeckOptions())))
    text = " ".join(s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame)
    assert "Test by Tuesday 23 March" in text
    assert "Today is Tuesday 16 March 2027" in text


def test_a_yaml_error_is_reported_where_it_is_made(mini: Path, runner: CliRunner) -> None:
    manifest = mini / MANIFEST
    edit(manifest, "title: Mini Collaborative", 'title: "Mini Collaborative')  # the quote never closes
    output = problems_of(runner, mini)
    assert (
        f"{manifest}:{line_of(manifest, 'title:')}: bad YAML: a quote opened on this line is never closed"
        in output
    )


def test_a_missing_template_is_named_as_missing(mini: Path, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["build", str(mini), "-o", str(tmp_path / "out"), "--template", "nope.pptx"])
    assert result.exit_code == 2
    assert "'nope.pptx' does not exist" in result.output
    assert not (tmp_path / "out").exists()
