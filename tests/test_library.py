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
from curriculum.model import Curriculum, LearningSession, clock
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
    assert [s.session for s in curriculum.sessions] == [
        "prework",
        "1",
        "ap1",
        "2",
        "ap2",
        "3",
        "ap3",
        "congress",
    ]


@pytest.mark.parametrize(("curriculum", "session"), SESSIONS)
def test_every_session_has_polls_team_time_a_storyboard_and_commitments(
    curriculum: Curriculum, session: LearningSession
) -> None:
    kinds = [a.kind for a in session.activities]
    assert "poll" in kinds
    assert any(a.kind == "team-time" and a.worksheet for a in session.activities)
    if session.session.startswith("ap"):  # a call: the room asks its questions instead
        assert "question-board" in kinds
    else:
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


def slide_texts(data: bytes) -> list[tuple[str, str]]:
    """Each slide's title and all its other text (text boxes, shapes and table cells)."""
    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        title = slide.shapes.title
        parts = []
        for shape in slide.shapes:
            if shape == title:
                continue
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
            if type(shape).__name__ == "Picture" or getattr(shape, "image", None) is not None:
                parts.append(f"[picture {shape.name}]")
        out.append((title.text if title is not None else "", " ".join(" ".join(parts).split())))
    return out


@pytest.mark.parametrize(("curriculum", "session"), SESSIONS)
def test_no_slide_is_a_bare_title(curriculum: Curriculum, session: LearningSession) -> None:
    for title, body in slide_texts(deck(curriculum.id, session.slug)):
        assert body, f"slide '{title}' has nothing but its title"


@pytest.mark.parametrize("curriculum", LOADED.curricula, ids=lambda c: c.id)
def test_the_first_learning_session_shows_the_collaboratives_own_diagram_changes_and_measures(
    curriculum: Curriculum,
) -> None:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    pack = curriculum.topic_pack
    assert pack is not None
    slides = Presentation(io.BytesIO(deck(curriculum.id, "ls1"))).slides
    drawn = [
        s
        for s in slides
        if sum(shape.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE for shape in s.shapes) > 8
        and any(type(shape).__name__ == "Connector" for shape in s.shapes)
    ]
    assert drawn, "the driver diagram is drawn in native shapes and connectors"
    boxes = {shape.text_frame.text for shape in drawn[0].shapes if shape.has_text_frame}
    for primary in pack.driver_diagram.primary:
        assert primary.text in boxes
        assert {s.text for s in primary.secondary} <= boxes
    text = " ".join(body for _, body in slide_texts(deck(curriculum.id, "ls1")))
    ideas = [i for p in pack.driver_diagram.primary for s in p.secondary for i in s.ideas]
    assert ideas
    for idea in ideas:  # each change idea with its first test and its tool
        assert idea.idea in text
        assert idea.try_ in text
        assert idea.tool in text
    for measure in pack.measures:
        if measure.family in ("outcome", "process"):
            assert measure.name in text
            assert measure.definition in text


def test_the_two_collaboratives_first_learning_sessions_are_not_the_same_deck() -> None:
    first, second = ([body for _, body in slide_texts(deck(c.id, "ls1"))] for c in LOADED.curricula)
    shared = sum(body in set(second) for body in first)
    assert shared < len(first) / 2, f"{shared} of {len(first)} slides are the same in both decks"


@pytest.mark.parametrize(
    ("curriculum_id", "other_field"),
    [
        ("safe-starts", ("chronic absence", "attendance", "principal")),
        ("every-day-counts", ("well-child", "trauma partner", "screening")),
    ],
)
def test_each_collaborative_teaches_with_examples_from_its_own_field(
    curriculum_id: str, other_field: tuple[str, ...]
) -> None:
    curriculum = next(c for c in LOADED.curricula if c.id == curriculum_id)
    for session in curriculum.sessions:
        text = " ".join(body for _, body in slide_texts(deck(curriculum_id, session.slug))).lower()
        for word in other_field:
            assert word not in text, (session.slug, word)


@pytest.mark.parametrize("curriculum", LOADED.curricula, ids=lambda c: c.id)
def test_the_facilitator_guide_runs_the_day_minute_by_minute_with_every_modules_notes(
    curriculum: Curriculum,
) -> None:
    from exports.guide import RUNS_LONG, SET_UP, render_guide

    session = curriculum.session("ls1")
    pdf = PdfReader(io.BytesIO(render_guide(curriculum, session)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert "Facilitator guide" in text
    assert session.day in text
    for item in session.agenda:
        assert f"{clock(item.start)}–{clock(item.end)}" in text
        assert item.title in text
    kinds = {a.kind for a in session.activities}
    for kind in kinds:
        assert SET_UP[kind] in text  # the room set-up the day's activities need
        assert RUNS_LONG[kind] in text
    for module in session.modules:
        assert module.presenter in text
        for slide in module.slides:
            assert slide.title in text
            if slide.notes:
                assert " ".join(slide.notes.split()[:8]) in text
    # The run of show adds up: every module's steps fill its slot, in order.
    from exports.guide import run_of_show

    for item in session.agenda:
        steps = run_of_show(item)
        assert steps[0].start == item.start
        assert steps[-1].start + steps[-1].minutes == item.end


@functools.cache
def handout_text(curriculum_id: str, session_key: str) -> str:
    curriculum = next(c for c in LOADED.curricula if c.id == curriculum_id)
    pdf = PdfReader(io.BytesIO(render_handout(curriculum, curriculum.session(session_key))))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


@pytest.mark.parametrize("curriculum", LOADED.curricula, ids=lambda c: c.id)
def test_the_handouts_print_the_rules_card_the_pdsa_log_gallery_cards_and_the_evaluation(
    curriculum: Curriculum,
) -> None:
    from exports.handouts import EXTRA_TITLES

    wanted = {
        "prework": ("prework-packet", "senior-leaders"),
        "ls1": ("pdsa-log", "evaluation", "monthly-report"),
        "ls2": ("run-chart-rules", "gallery-card", "evaluation"),
        "ls3": ("gallery-card", "evaluation"),
    }
    for slug, extras in wanted.items():
        text = handout_text(curriculum.id, slug)
        for extra in extras:
            assert EXTRA_TITLES[extra] in text, (slug, extra)
    # The charter has a row for every role a phone can choose.
    from curriculum.worksheets import ROLES

    charter = handout_text(curriculum.id, "prework").split("Team charter", 2)[-1]
    assert all(role in charter for role in ROLES)
    # The evaluation asks on paper what the phones ask.
    evaluation = next(m for m in curriculum.modules.values() if "evaluation" in m.prints)
    for poll in evaluation.activities:
        assert poll.prompt in handout_text(curriculum.id, "ls1")
    # The rules card's runs table is the one the deck teaches.
    slides = Presentation(io.BytesIO(deck(curriculum.id, "ls2"))).slides
    taught = next(s for s in slides if s.shapes.title.text == "Counting runs")
    table = next(shape.table for shape in taught.shapes if shape.has_table)
    rows = [[cell.text for cell in row.cells] for row in list(table.rows)[1:]]
    card = handout_text(curriculum.id, "ls2").split("Runs table", 1)[1]
    assert " ".join(" ".join(row) for row in rows) in card
