"""Decks are read back with python-pptx: slides, titles, notes, tables, pictures, QR codes."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from curriculum.polls import POLL_KINDS
from exports.decks import DEFAULT_TEMPLATE, DeckOptions, TemplateError, build_deck, short_url

from .helpers import JOIN, decode_qr, expected_titles, mini_curriculum, pictures, slide_text


def open_deck(data: bytes):
    return Presentation(io.BytesIO(data))


def test_slides_follow_the_agenda_and_the_modules(mini: Path) -> None:
    curriculum = mini_curriculum(mini)
    session = curriculum.sessions[0]
    deck = open_deck(build_deck(curriculum, session, DeckOptions(join_url=JOIN)))
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles == expected_titles(curriculum, session, join=True)
    assert titles[:4] == ["Mini Collaborative", "Join the room", "Agenda", "Welcome"]
    layouts = [s.slide_layout.name for s in deck.slides]
    assert layouts[:3] == ["Title", "Join", "Title and Content"]
    assert layouts.count("Activity") == 2


def test_every_slide_has_speaker_notes_and_the_module_notes_carry_over(mini: Path) -> None:
    curriculum = mini_curriculum(mini)
    deck = open_deck(build_deck(curriculum, curriculum.sessions[0], DeckOptions(join_url=JOIN)))
    notes = {s.shapes.title.text: s.notes_slide.notes_text_frame.text for s in deck.slides}
    assert all(text.strip() for text in notes.values()), notes
    assert notes["Three questions"] == "Say the three questions slowly."
    assert notes["Which question is hardest?"].startswith("Ask two teams why.")
    assert "open the poll from the console" in notes["Which question is hardest?"]


def test_the_agenda_slide_lists_times_and_items(mini: Path) -> None:
    curriculum = mini_curriculum(mini)
    deck = open_deck(build_deck(curriculum, curriculum.sessions[0], DeckOptions()))
    agenda = next(s for s in deck.slides if s.shapes.title.text == "Agenda")
    text = slide_text(agenda)
    for expected in (
        "09:00–09:15",
        "Welcome",
        "09:15–09:45",
        "The Model for Improvement",
        "10:00–10:45",
        "Planning a PDSA",
        "Faculty",
    ):
        assert expected in text


def test_images_and_tables_from_markdown_reach_the_slides(mini: Path) -> None:
    curriculum = mini_curriculum(mini)
    deck = open_deck(build_deck(curriculum, curriculum.sessions[0], DeckOptions()))
    by_title = {s.shapes.title.text: s for s in deck.slides}
    cycle = by_title["The cycle"]
    assert [p.shape_type for p in pictures(cycle)] == [MSO_SHAPE_TYPE.PICTURE]
    assert pictures(cycle)[0]._element.nvPicPr.cNvPr.get("descr") == "The PDSA cycle"
    table = next(sh for sh in by_title["Plan, Do, Study, Act"].shapes if sh.has_table).table
    assert [c.text for c in table.rows[0].cells] == ["Step", "Question"]
    assert [c.text for c in table.rows[2].cells] == ["Study", "What did we learn?"]
    bullets = by_title["Three questions"].placeholders[1].text_frame.paragraphs
    assert [(p.text, p.level) for p in bullets][:3] == [
        ("What are we trying to accomplish?", 0),
        ("How will we know a change is an improvement?", 0),
        ("Measures", 1),
    ]


def test_activity_slides_show_the_prompt_options_and_a_qr_code_of_the_join_url(mini: Path) -> None:
    curriculum = mini_curriculum(mini)
    deck = open_deck(build_deck(curriculum, curriculum.sessions[0], DeckOptions(join_url=JOIN)))
    activity = next(s for s in deck.slides if s.shapes.title.text == "Which question is hardest?")
    text = slide_text(activity)
    assert "Which question is hardest for your team?" in text
    for option in ("The aim", "The measures", "The changes"):
        assert option in text
    assert short_url(JOIN) in text
    choice = POLL_KINDS["choice"]
    assert f"POLL · {choice.title.upper()} · 3 MIN" in text
    assert choice.instruction in text
    (qr,) = pictures(activity)
    assert decode_qr(qr.image.blob) == JOIN
    join = next(s for s in deck.slides if s.slide_layout.name == "Join")
    assert decode_qr(pictures(join)[0].image.blob) == JOIN


def test_without_a_join_url_there_is_no_join_slide_and_no_qr(mini: Path) -> None:
    curriculum = mini_curriculum(mini)
    deck = open_deck(build_deck(curriculum, curriculum.sessions[0], DeckOptions()))
    assert "Join" not in [s.slide_layout.name for s in deck.slides]
    for slide in deck.slides:
        if slide.slide_layout.name == "Activity":
            assert pictures(slide) == []
            assert "Click" not in slide_text(slide)  # no empty placeholder prompts left


def test_text_that_looks_like_markup_is_shown_literally(mini: Path) -> None:
    module = mini / "modules" / "mini-model.md"
    module.write_text(
        module.read_text().replace(
            "- What change can we make?", "- What change can we make? <script>alert(1)</script> & <b>"
        )
    )
    curriculum = mini_curriculum(mini)
    deck = open_deck(build_deck(curriculum, curriculum.sessions[0], DeckOptions()))
    slide = next(s for s in deck.slides if s.shapes.title.text == "Three questions")
    assert "What change can we make? <script>alert(1)</script> & <b>" in slide_text(slide)


def test_a_template_missing_layouts_is_refused_with_their_names(mini: Path, tmp_path: Path) -> None:
    template = tmp_path / "plain.pptx"
    Presentation().save(str(template))  # python-pptx's default: no layouts of our names
    curriculum = mini_curriculum(mini)
    with pytest.raises(TemplateError) as error:
        build_deck(curriculum, curriculum.sessions[0], DeckOptions(template=template))
    message = str(error.value)
    for name in ("'Title'", "'Section'", "'Activity'", "'Join'"):
        assert name in message


def test_a_faculty_template_with_the_same_layout_names_is_used(mini: Path, tmp_path: Path) -> None:
    template = tmp_path / "ours.pptx"
    shutil.copy(DEFAULT_TEMPLATE, template)
    prs = Presentation(str(template))
    prs.slides.add_slide(prs.slide_layouts[0])  # a sample slide left in the template
    prs.core_properties.title = "Faculty look"
    prs.save(str(template))
    curriculum = mini_curriculum(mini)
    deck = open_deck(build_deck(curriculum, curriculum.sessions[0], DeckOptions(template=template)))
    assert deck.core_properties.title == "Faculty look"
    assert [s.shapes.title.text for s in deck.slides] == expected_titles(
        curriculum, curriculum.sessions[0], join=False
    )


def test_a_file_that_is_not_a_deck_is_refused(mini: Path, tmp_path: Path) -> None:
    template = tmp_path / "notes.pptx"
    template.write_text("not a deck")
    curriculum = mini_curriculum(mini)
    with pytest.raises(TemplateError, match=r"is not a PowerPoint \.pptx file"):
        build_deck(curriculum, curriculum.sessions[0], DeckOptions(template=template))
