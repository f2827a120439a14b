"""`bsc validate`: every problem reported as file:line: what is wrong (how to fix it)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from curriculum.loader import load
from facilitator.cli import cli

from .helpers import GOOD_FRONT

SLIDE = "\n# A slide\n\n- a point\n"


def activity(body: str, title: str = "# An activity slide") -> str:
    return f"\n{title}\n\n```activity\n{body}```\n"


MODULE_CASES = [
    pytest.param(
        GOOD_FRONT + activity("kind: fishbowl\nprompt: Hm?\nminutes: 3\n"),
        13,
        "unknown activity kind 'fishbowl'",
        id="unknown-activity-kind",
    ),
    pytest.param(
        GOOD_FRONT + activity("kind: poll\ntype: choice\nprompt: Which?\nminutes: 3\n"),
        13,
        "a choice poll with no options",
        id="poll-without-options",
    ),
    pytest.param(
        GOOD_FRONT + activity("kind: poll\ntype: multi\nprompt: Which?\noptions: []\nminutes: 3\n"),
        16,
        "a multi poll with no options",
        id="poll-with-empty-options",
    ),
    pytest.param(
        GOOD_FRONT + activity("kind: poll\ntype: scale\nprompt: How sure?\nminutes: 3\n"),
        13,
        "a scale poll without bounds",
        id="scale-without-bounds",
    ),
    pytest.param(
        GOOD_FRONT + activity("kind: poll\ntype: scale\nprompt: How sure?\nmin: 5\nmax: 1\nminutes: 3\n"),
        17,
        "the scale runs from 5 to 1",
        id="scale-upside-down",
    ),
    pytest.param(
        GOOD_FRONT.replace("title: A good module\n", "") + SLIDE,
        2,
        "missing 'title'",
        id="module-without-title",
    ),
    pytest.param(
        GOOD_FRONT + "\nJust text, no heading.\n", 10, "the slide has no title", id="slide-without-title"
    ),
    pytest.param(
        GOOD_FRONT.replace("duration: 30", "duration: [30") + SLIDE, 5, "bad YAML", id="bad-yaml-front-matter"
    ),
    pytest.param(
        GOOD_FRONT + activity("kind: poll\ntype: choice\nprompt: Pick: one\noptions: [a, b]\nminutes: 3\n"),
        15,
        "bad YAML: mapping values are not allowed here",
        id="bad-yaml-activity",
    ),
    pytest.param(
        GOOD_FRONT + "\n# Picture\n\n![A cycle](images/nowhere.png)\n",
        12,
        "image 'images/nowhere.png' not found",
        id="missing-image",
    ),
    pytest.param(
        GOOD_FRONT + "\n# Deep\n\n- one\n  - two\n    - three\n",
        14,
        "bullets nest deeper than two levels",
        id="bullets-too-deep",
    ),
    pytest.param(
        GOOD_FRONT + activity("kind: team-time\nworksheet: fishbone\nprompt: Go\nminutes: 10\n"),
        14,
        "unknown worksheet 'fishbone'",
        id="unknown-worksheet",
    ),
    pytest.param(
        GOOD_FRONT + activity("kind: poll\ntype: open\nprompt: Why?\n"),
        13,
        "missing 'minutes'",
        id="activity-without-minutes",
    ),
    pytest.param(
        GOOD_FRONT.replace("session: 1", "session: 7") + SLIDE,
        4,
        "session '7' is not known",
        id="unknown-session",
    ),
    pytest.param("# No front matter\n", 1, "no front matter", id="no-front-matter"),
    pytest.param(
        GOOD_FRONT + "\n# Notes never end\n\n::: notes\nSay this.\n",
        12,
        "the speaker notes block is never closed",
        id="unclosed-notes",
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), MODULE_CASES)
def test_a_bad_module_is_reported_with_its_line(
    runner: CliRunner, write_module, text: str, line: int, message: str
) -> None:
    path = write_module(text)
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    lines = [x for x in result.output.splitlines() if x.startswith(str(path))]
    assert any(x.startswith(f"{path}:{line}: {message}") for x in lines), result.output
    # Every problem line says how to fix it.
    assert all(re.search(r"\(.+\)$", x) for x in lines), lines


def test_every_problem_in_a_file_is_reported_not_only_the_first(runner, write_module) -> None:
    text = (
        GOOD_FRONT.replace("title: A good module\n", "")
        + activity("kind: fishbowl\nprompt: x\nminutes: 1\n")
        + "---\n"
        + activity("kind: poll\ntype: scale\nprompt: x\nminutes: 1\n")
        + "---\n\nno title here\n"
    )
    path = write_module(text)
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "missing 'title'" in result.output
    assert "unknown activity kind 'fishbowl'" in result.output
    assert "a scale poll without bounds" in result.output
    assert "the slide has no title" in result.output
    assert "4 problems found." in result.output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def manifest_line(mini: Path, needle: str) -> int:
    lines = (mini / "curriculum.yaml").read_text().splitlines()
    return next(i for i, x in enumerate(lines, 1) if needle in x)


def test_the_fixture_curriculum_is_valid(runner, mini) -> None:
    result = runner.invoke(cli, ["validate", str(mini)])
    assert result.exit_code == 0, result.output
    assert "OK: 1 curriculum, 2 modules, 1 learning session, no problems." in result.output


def test_duplicate_module_ids(runner, mini) -> None:
    copy = mini / "modules" / "copy.md"
    copy.write_text(
        (mini / "modules" / "mini-plan.md")
        .read_text()
        .replace("worksheet: pdsa", "worksheet: aim")
        .replace("Planning a PDSA", "Another")
    )
    result = runner.invoke(cli, ["validate", str(mini)])
    assert result.exit_code == 1
    assert re.search(
        r"(copy|mini-plan)\.md:2: module id 'mini-plan' is also the id of "
        r"(copy|mini-plan)\.md \(give every module its own id\)",
        result.output,
    )


def test_duplicate_activity_ids(runner, mini) -> None:
    edit(mini / "modules" / "mini-model.md", "kind: poll\n", "kind: poll\nid: shared-id\n")
    edit(mini / "modules" / "mini-plan.md", "kind: team-time\n", "kind: team-time\nid: shared-id\n")
    result = runner.invoke(cli, ["validate", str(mini)])
    assert result.exit_code == 1
    assert "activity id 'shared-id' is also used in mini-model.md" in result.output


def test_an_agenda_item_that_overruns_the_next(runner, mini) -> None:
    edit(mini / "curriculum.yaml", 'at: "09:45", title: Break', 'at: "09:40", title: Break')
    result = runner.invoke(cli, ["validate", str(mini)])
    line = manifest_line(mini, "module: mini-model")
    assert result.exit_code == 1
    assert (
        f"{mini / 'curriculum.yaml'}:{line}: 'The Model for Improvement' (09:15, 30 min) "
        "runs to 09:45, past the next item at 09:40"
    ) in result.output


def test_an_agenda_that_overruns_the_session(runner, mini) -> None:
    edit(mini / "curriculum.yaml", 'end: "12:00"', 'end: "10:30"')
    result = runner.invoke(cli, ["validate", str(mini)])
    assert result.exit_code == 1
    assert "'Planning a PDSA' (10:00, 45 min) runs to 10:45, past the session's end at 10:30" in (
        result.output
    )


def test_an_agenda_naming_an_unknown_module_suggests_the_nearest(runner, mini) -> None:
    edit(mini / "curriculum.yaml", "module: mini-plan", "module: mini-plna")
    result = runner.invoke(cli, ["validate", str(mini)])
    assert result.exit_code == 1
    assert "no module with id 'mini-plna' (did you mean 'mini-plan'?)" in result.output


def test_a_module_on_the_wrong_session(runner, mini) -> None:
    edit(mini / "modules" / "mini-plan.md", "session: 1", "session: 2")
    result = runner.invoke(cli, ["validate", str(mini)])
    assert "module 'mini-plan' is written for Learning Session 2, not Learning Session 1" in (result.output)


def test_bad_yaml_in_the_manifest_gives_the_yaml_line(runner, mini) -> None:
    edit(mini / "curriculum.yaml", "topic: Testing the kit", "topic: [Testing the kit")
    result = runner.invoke(cli, ["validate", str(mini)])
    assert result.exit_code == 1
    assert re.search(r"curriculum\.yaml:\d+: bad YAML", result.output)


def test_times_like_twelve_oclock_stay_times(runner, mini) -> None:
    # YAML 1.1 reads an unquoted 12:00 as the number 720; the manifest must not.
    edit(mini / "curriculum.yaml", 'end: "12:00"', "end: 12:00")
    result = runner.invoke(cli, ["validate", str(mini)])
    assert result.exit_code == 0, result.output
    assert load(mini).curricula[0].sessions[0].end == 12 * 60


def test_yes_and_no_stay_poll_options(write_module) -> None:
    path = write_module(
        GOOD_FRONT
        + activity("kind: poll\ntype: choice\nprompt: Ready?\noptions: [Yes, No, On the fence]\nminutes: 1\n")
    )
    loaded = load(path)
    assert loaded.ok, loaded.problems
    assert loaded.modules[0].activities[0].spec["options"] == ["Yes", "No", "On the fence"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda tmp: tmp / "nowhere", "no such file or folder", id="missing-path"),
        pytest.param(lambda tmp: _binary(tmp), "the file is not UTF-8 text", id="binary-module"),
        pytest.param(lambda tmp: _empty_dir(tmp), "no modules or curricula here", id="empty-folder"),
    ],
)
def test_the_command_never_shows_a_traceback(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "facilitator", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def _binary(tmp: Path) -> Path:
    path = tmp / "broken.md"
    path.write_bytes(b"---\xff\xfe\x00\x01")
    return path


def _empty_dir(tmp: Path) -> Path:
    path = tmp / "empty"
    path.mkdir()
    return path


@pytest.mark.parametrize(
    "src",
    [
        pytest.param("../../../x.png", id="climbing-out"),
        pytest.param("/etc/passwd.png", id="absolute"),
        pytest.param("images/../../outside.png", id="climbing-out-through-a-folder"),
    ],
)
def test_an_image_outside_the_curriculums_folder_is_refused_at_its_line(
    runner: CliRunner, write_module, tmp_path: Path, src: str
) -> None:
    (tmp_path.parent / "outside.png").write_bytes(
        b"\x89PNG\r\n\x1a\n"
    )  # it exists: the path is what is wrong
    path = write_module(GOOD_FRONT + f"\n# Picture\n\n![A cycle]({src})\n")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:12: image '{src}' is outside the curriculum's folder" in result.output


def test_yaml_nested_thousands_deep_is_a_problem_at_its_line_not_a_crash(
    runner: CliRunner, write_module
) -> None:
    deep = "[" * 20_000 + "]" * 20_000
    path = write_module(
        GOOD_FRONT + f"\n```activity\nkind: poll\ntype: choice\noptions: {deep}\nminutes: 1\n```\n"
    )
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:13: bad YAML: nested too deeply to read" in result.output
    assert "unexpected error" not in result.output
