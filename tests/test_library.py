"""The bundled library: valid, complete for a learning session, and built into files that read back."""

from __future__ import annotations

import functools
import io
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation
from pypdf import PdfReader

from curriculum.loader import bundled_library, load
from curriculum.model import Curriculum, LearningSession
from curriculum.worksheets import WORKSHEETS
from exports.decks import DeckOptions, build_deck
from exports.handouts import render_handout
from facilitator.cli import cli

from .helpers import JOIN, decode_qr, expected_titles, pictures, render_pdf

LOADED = load()
SESSIONS = [pytest.param(c, s, id=f"{c.id}-{s.slug}") for c in LOADED.curricula for s in c.sessions]


@functools.cache
def deck(curriculum_id: str, session_key: str) -> bytes:
    """A bundled session's deck with the join QR code, built once per test run."""
    curriculum = next(c for c in LOADED.curricula if c.id == curriculum_id)
    return build_deck(curriculum, curriculum.session(session_key), DeckOptions(join_url=JOIN))


def test_the_bundled_library_is_valid() -> None:
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 2 curricula")
    assert {c.id for c in LOADED.curricula} == {"safe-starts", "every-day-counts"}


@pytest.mark.parametrize("curriculum", LOADED.curricula, ids=lambda c: c.id)
def test_each_collaborative_has_a_topic_pack_with_drivers_and_measures(curriculum: Curriculum) -> None:
    pack = curriculum.topic_pack
    assert pack is not None
    assert pack.aim
    assert len(pack.driver_diagram.primary) >= 3
    for primary in pack.driver_diagram.primary:
        assert primary.secondary
        assert all(s.changes for s in primary.secondary)
    assert {m.family for m in pack.measures} == {"outcome", "process", "balancing"}
    assert [s.session for s in curriculum.sessions] == ["prework", "1", "2", "3"]


@pytest.mark.parametrize(("curriculum", "session"), SESSIONS)
def test_every_session_has_polls_team_time_a_storyboard_and_commitments(
    curriculum: Curriculum, session: LearningSession
) -> None:
    kinds = [a.kind for a in session.activities]
    assert "poll" in kinds
    assert any(a.kind == "team-time" and a.worksheet for a in session.activities)
    assert {"storyboard", "gallery-walk"} & set(kinds)
    last_team_time = [a for a in session.activities if a.kind == "team-time"][-1]
    assert last_team_time.worksheet == "commitments", "the session should close with commitments"
    assert sum(i.minutes for i in session.agenda) <= session.end - session.start


@pytest.mark.parametrize(("curriculum", "session"), SESSIONS)
def test_each_deck_reads_back_with_its_slides_notes_and_qr_codes(
    curriculum: Curriculum, session: LearningSession
) -> None:
    slides = Presentation(io.BytesIO(deck(curriculum.id, session.slug))).slides
    titles = [s.shapes.title.text for s in slides]
    assert titles == expected_titles(curriculum, session, join=True)
    for slide in slides:
        assert slide.notes_slide.notes_text_frame.text.strip(), slide.shapes.title.text
    live = [s for s in slides if s.slide_layout.name == "Activity" and pictures(s)]
    assert live, "activity slides carry the join QR code"
    assert decode_qr(pictures(live[-1])[0].image.blob) == JOIN


@pytest.mark.parametrize(("curriculum", "session"), SESSIONS)
def test_each_handout_has_the_agenda_objectives_and_its_worksheets(
    curriculum: Curriculum, session: LearningSession
) -> None:
    pdf = PdfReader(io.BytesIO(render_handout(curriculum, session, paper="letter")))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    for item in session.agenda:
        assert item.title.split(":")[0] in text
    first_module = session.modules[0]
    assert first_module.objectives[0].split()[0] in text
    assert session.worksheets, "team time uses worksheets"
    for worksheet in session.worksheets:
        sheet = WORKSHEETS[worksheet]
        for label in (sheet.title, sheet.all_fields[0].label):
            assert label in text, (worksheet, label)


@pytest.mark.slow
@pytest.mark.parametrize(("curriculum", "session"), SESSIONS)
def test_libreoffice_renders_each_deck_one_page_per_slide(
    curriculum: Curriculum, session: LearningSession, tmp_path: Path
) -> None:
    source = tmp_path / f"{session.slug}.pptx"
    data = deck(curriculum.id, session.slug)
    source.write_bytes(data)
    rendered = render_pdf(source, tmp_path)
    slides = len(Presentation(io.BytesIO(data)).slides)
    assert len(PdfReader(str(rendered)).pages) == slides
    words = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(rendered), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert curriculum.title.split(":")[0] in " ".join(words.split())


def test_the_library_is_where_the_package_says() -> None:
    assert bundled_library().is_dir()
    assert (bundled_library() / "core").is_dir()
