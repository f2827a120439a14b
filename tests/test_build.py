"""`bsc build`: files per session, written whole or not at all, clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation
from pypdf import PdfReader

import facilitator.build as build_module
from exports.decks import DeckOptions
from facilitator.build import plan, run, write_atomically
from facilitator.cli import cli

from .helpers import JOIN, mini_curriculum


def test_build_writes_a_deck_a_handout_and_a_facilitator_guide_per_session(
    runner: CliRunner, mini: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(mini), "-o", str(out), "--join-url", JOIN, "--paper", "a4"])
    assert result.exit_code == 0, result.output
    deck, handout = out / "mini" / "ls1.pptx", out / "mini" / "ls1-handout.pdf"
    assert Presentation(str(deck)).slides[0].shapes.title.text == "Mini Collaborative"
    page = PdfReader(str(handout)).pages[0]
    assert round(float(page.mediabox.width)) == 595  # A4
    guide = PdfReader(str(out / "mini" / "ls1-guide.pdf"))
    assert round(float(guide.pages[0].mediabox.width)) == 595
    assert "Run of show" in guide.pages[0].extract_text()
    assert sorted(p.name for p in (out / "mini").iterdir()) == [
        "ls1-guide.pdf",
        "ls1-handout.pdf",
        "ls1.pptx",
    ]
    assert "Built 3 files" in result.output


def test_a_failed_build_leaves_no_half_written_file(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    (out / "mini").mkdir(parents=True)
    (out / "mini" / "ls1-handout.pdf").write_bytes(b"%PDF- yesterday's handout")

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(build_module, "render_handout", broken)
    jobs = plan([mini_curriculum(mini)], out)
    with pytest.raises(RuntimeError):
        run(jobs, DeckOptions(), "letter")
    files = sorted(p.name for p in (out / "mini").iterdir())
    assert files == ["ls1-handout.pdf", "ls1.pptx"]  # no *.partial left behind
    assert (out / "mini" / "ls1-handout.pdf").read_bytes() == b"%PDF- yesterday's handout"
    assert len(Presentation(str(out / "mini" / "ls1.pptx")).slides) > 5  # the deck is whole


def test_an_interrupted_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"old")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module.os, "replace", interrupted)  # type: ignore[attr-defined]
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.pptx"]


def test_a_curriculum_with_problems_builds_nothing(runner: CliRunner, mini: Path, tmp_path: Path) -> None:
    module = mini / "modules" / "mini-plan.md"
    module.write_text(module.read_text().replace("worksheet: pdsa", "worksheet: fishbone"))
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(mini), "-o", str(out)])
    assert result.exit_code == 1
    assert "unknown worksheet 'fishbone'" in result.output
    assert "Nothing was built" in result.output
    assert not out.exists()


def test_a_template_without_the_layouts_is_named_and_nothing_is_written(mini: Path, tmp_path: Path) -> None:
    template = tmp_path / "plain.pptx"
    Presentation().save(str(template))
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "facilitator",
            "build",
            str(mini),
            "-o",
            str(out),
            "--template",
            str(template),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "lacks the slide layouts 'Title', 'Section'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_a_join_url_without_a_scheme_is_refused(runner: CliRunner, mini: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["build", str(mini), "-o", str(tmp_path), "--join-url", "room.local"])
    assert result.exit_code == 2
    assert "starting with http:// or https://" in result.output


def test_one_module_builds_as_a_preview(runner: CliRunner, mini: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["build", str(mini / "modules" / "mini-model.md"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    deck = Presentation(str(tmp_path / "mini-model" / "ls1.pptx"))
    titles = [s.shapes.title.text for s in deck.slides]
    assert "Three questions" in titles
    assert "Which question is hardest?" in titles
