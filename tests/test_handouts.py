"""Handout PDFs: read back with pypdf; the driver diagram SVG; the package-only URL fetcher."""

from __future__ import annotations

import functools
import io
import logging
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

import exports.handouts as handouts
from curriculum.assessment import ASSESSMENT_SCALE, ASSESSMENT_TITLE
from curriculum.model import (
    Activity,
    AgendaItem,
    Curriculum,
    DriverDiagram,
    LearningSession,
    Measure,
    Module,
    PrimaryDriver,
    SecondaryDriver,
    Slide,
    TopicPack,
)
from curriculum.worksheets import WORKSHEETS
from exports.diagrams import driver_diagram_height, driver_diagram_svg, split_driver_diagram
from exports.fetcher import AssetRefusedError, PackageURLFetcher, asset_url, package_url_fetcher
from exports.handouts import handout_html, render_handout

JOIN = "http://192.168.1.20:5000/j/K7Q2"
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src="http://example.com/x.png">'


def printed_labels(name: str) -> list[str]:
    """What a worksheet's page prints, from its definition: its title and its fields' labels
    (data, and the notes on their points, are plotted on the storyboard's run chart, not
    written on the sheet; a report's feedback and a chart's limits are the faculty's to set)."""
    sheet = WORKSHEETS[name]
    shown = [f.label for f in sheet.all_fields if f.on_paper]
    return [sheet.title, *shown]


def activity(kind: str, n: int, **more: object) -> Activity:
    return Activity(kind=kind, id=f"act-{n}", title=f"Activity {n}", prompt="Work on it", minutes=10, **more)  # type: ignore[arg-type]


def module(
    ident: str, title: str, *activities: Activity, presenter: str = "Improvement advisor", duration: int = 45
) -> Module:
    slides = tuple(Slide(title=a.title, blocks=(), notes="", line=1, activity=a) for a in activities)
    return Module(
        id=ident,
        title=title,
        session="1",
        duration=duration,
        objectives=(f"Objective of {ident}", "A second objective"),
        slides=slides,
        path=Path("modules") / f"{ident}.md",
        presenter=presenter,
    )


def diagram(primaries: int = 2, secondaries: int = 2, changes: int = 2) -> DriverDiagram:
    return DriverDiagram(
        "Every child screened & <safely> supported",
        tuple(
            PrimaryDriver(
                f"P{i}",
                f"Primary driver {i} keeps <families> & staff together",
                tuple(
                    SecondaryDriver(
                        f"S{i}{j}",
                        f"Secondary driver {i}.{j} is routine",
                        tuple(f"Change idea {i}.{j}.{k} tested in one clinic" for k in range(changes)),
                    )
                    for j in range(secondaries)
                ),
            )
            for i in range(primaries)
        ),
    )


PACK = TopicPack(
    name="Screening young children",
    aim="By March 2028, 80% of children aged 0-5 are screened",
    driver_diagram=diagram(),
    measures=(
        Measure(
            "outcome",
            "Children screened",
            "Visits with a completed screen",
            "Screened visits",
            "All visits",
            "up",
            "80%",
        ),
        Measure("process", "Staff trained", "Clinical staff who finished the training"),
        Measure("balancing", "Visit length", "Median minutes per visit", direction="down"),
    ),
)


def curriculum(
    *modules: Module, pack: TopicPack | None = PACK, plain_title: str = "Welcome and introductions"
) -> tuple[Curriculum, LearningSession]:
    """A one-session curriculum: a welcome, then the modules one after another, with a break."""
    items = [AgendaItem(start=9 * 60, minutes=30, title=plain_title)]
    at = 9 * 60 + 30
    for n, mod in enumerate(modules):
        items.append(AgendaItem(start=at, minutes=mod.duration, title=mod.title, module=mod))
        at += mod.duration
        if n == 0:
            items.append(AgendaItem(start=at, minutes=15, title="Break", kind="break"))
            at += 15
    session = LearningSession(
        session="1",
        title="Learning Session 1: Getting started",
        start=9 * 60,
        end=at,
        agenda=tuple(items),
        date="2027-03-09",
        venue="Room 101",
    )
    return Curriculum(
        id="mini",
        title="Mini Collaborative",
        topic="Testing the kit",
        aim="By June, every team tests weekly.",
        phases=(),
        sessions=(session,),
        modules={m.id: m for m in modules},
        topic_pack=pack,
    ), session


def worksheet_session(*names: str) -> tuple[Curriculum, LearningSession]:
    acts = [activity("team-time", n, worksheet=name) for n, name in enumerate(names)]
    return curriculum(
        module("m-intro", "The Model for Improvement"),
        module("m-work", "Team time", *acts, presenter="Faculty"),
    )


@functools.cache
def handout_of(*names: str, paper: str = "letter", join: str | None = None) -> bytes:
    """The handout of a session whose team time uses these worksheets, rendered once per test run."""
    cur, session = worksheet_session(*names)
    return render_handout(cur, session, paper=paper, join_url=join)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages(data))


@pytest.mark.parametrize("name", [w for w in WORKSHEETS if w != "storyboard"])
def test_a_worksheet_prints_its_labels_and_no_other_worksheet_is_printed(name: str) -> None:
    text = " ".join(pdf_text(handout_of(name)).split())
    for label in printed_labels(name):
        assert label in text, (name, label)
    for other, sheet in WORKSHEETS.items():
        if other != name:
            assert sheet.title not in text, (name, other)


def test_worksheets_follow_the_order_the_session_uses_them() -> None:
    pages = pdf_pages(handout_of("commitments", "pdsa", "aim"))
    # Skip the cover: its contents list names them too.
    first = [
        next(n for n, page in enumerate(pages[1:]) if title in page)
        for title in ("By next Tuesday", "PDSA worksheet", "Aim statement")
    ]
    assert first == sorted(first)


def test_the_agenda_lists_times_titles_and_presenters_and_objectives_follow() -> None:
    cur, session = curriculum(
        module("m-one", "The Model for Improvement", presenter="Data coach"),
        module("m-two", "Planning a PDSA", duration=40),
    )
    pages = pdf_pages(render_handout(cur, session))
    agenda = next(p for p in pages if "Agenda" in p and "09:00–09:30" in p)
    for expected in (
        "09:00–09:30",
        "Welcome and introductions",
        "09:30–10:15",
        "The Model for Improvement",
        "Data coach",
        "10:15–10:30",
        "Break",
        "10:30–11:10",
        "Planning a PDSA",
    ):
        assert expected in agenda, expected
    objectives = next(p for p in pages if "Learning objectives" in p and "Objective of m-one" in p)
    assert "Objective of m-two" in objectives
    assert "45 min" in objectives


def test_the_cover_names_the_collaborative_session_and_aim_and_the_join_link() -> None:
    cover = pdf_pages(handout_of("aim", join=JOIN))[0]
    for expected in (
        "Mini Collaborative",
        "Learning Session 1",
        "Getting started",
        "Tuesday 9 March 2027",
        "Room 101",
        "By June, every team tests weekly.",
        "Join the room:",
        JOIN,
    ):
        assert expected in cover, expected
    assert "Join the room" not in pdf_text(handout_of("aim"))


def test_every_page_but_the_cover_has_the_running_footer() -> None:
    pages = pdf_pages(handout_of("pdsa"))
    assert "Page 1 of" not in pages[0]
    for n, page in enumerate(pages[1:], start=2):
        assert f"Page {n} of {len(pages)}" in page
        assert "Mini Collaborative" in page
        assert "Getting started" in page


@pytest.mark.parametrize(("paper", "size"), [("letter", (612, 792)), ("a4", (595, 842))])
def test_paper_size_sets_every_page_and_wide_worksheets_turn_landscape(
    paper: str, size: tuple[int, int]
) -> None:
    pages = PdfReader(io.BytesIO(handout_of("pdsa", "action-plan", paper=paper))).pages
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages]
    assert sizes[0] == size
    assert set(sizes) == {size, size[::-1]}  # the action-period plan is a landscape page
    landscape = [n for n, s in enumerate(sizes) if s == size[::-1]]
    assert all("Action-period plan" in pages[n].extract_text() for n in landscape[:1])


@pytest.mark.parametrize("paper", ["legal", "", "A5", "letter "])
def test_an_unknown_paper_is_a_value_error(paper: str) -> None:
    cur, session = worksheet_session("aim")
    with pytest.raises(ValueError, match="paper must be 'letter' or 'a4'"):
        render_handout(cur, session, paper=paper)


def test_markup_in_titles_prints_literally_and_nothing_is_fetched(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fetched: list[str] = []

    class Recording(PackageURLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None):
            fetched.append(url)
            return super().fetch(url, headers)

    monkeypatch.setattr(handouts, "package_url_fetcher", Recording)
    cur, session = curriculum(
        module("m-x", SCRIPT, activity("team-time", 1, worksheet="aim")), plain_title=IMG
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        text = pdf_text(render_handout(cur, session))
    assert SCRIPT in text
    assert IMG in text
    assert fetched, "the stylesheet comes through the package fetcher"
    assert all(url.startswith(asset_url(handouts.TEMPLATES)) for url in fetched), fetched
    assert not [r for r in caplog.records if "fetch" in r.getMessage().lower()]
    html = handout_html(cur, session)
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "<img" not in html


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/style.css",
        "ftp://example.com/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        asset_url(handouts.TEMPLATES) + "../../fetcher.py",
        asset_url(handouts.TEMPLATES) + "no-such-file.css",
        "file://evil.example.com" + handouts.TEMPLATES.as_posix() + "/handout.css",
    ],
)
def test_the_fetcher_refuses_anything_but_package_assets(url: str) -> None:
    with pytest.raises(AssetRefusedError):
        package_url_fetcher()(url)


def test_the_fetcher_serves_the_packages_stylesheet() -> None:
    response = package_url_fetcher().fetch(asset_url(handouts.TEMPLATES / "handout.css"))
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_storyboard_and_assessment_pages_appear_only_when_the_session_uses_them() -> None:
    plain = pdf_text(handout_of("aim"))
    assert "Storyboard" not in plain
    assert "Assessment Scale" not in plain

    cur, session = curriculum(module("m-walk", "Storyboard round", activity("gallery-walk", 1)))
    assert "Baseline" in pdf_text(render_handout(cur, session))  # the run chart's labelled lines
    cur, session = curriculum(module("m-story", "Posters", activity("storyboard", 1)))
    text = pdf_text(render_handout(cur, session))
    for label in ["Team and organisation", *printed_labels("storyboard")]:
        assert label in text
    assert "Assessment Scale" not in text

    cur, session = curriculum(module("m-rate", "Rating", activity("poll", 1, poll_type="assessment-scale")))
    text = pdf_text(render_handout(cur, session))
    flat = " ".join(text.split())
    for label in (
        ASSESSMENT_TITLE,
        "Our rating",
        *(p.name for p in ASSESSMENT_SCALE),
        *(p.description for p in ASSESSMENT_SCALE),
    ):
        assert label in flat
    assert "Assessment Scale" in pdf_text(handout_of("commitments"))


def test_the_topic_pack_fills_the_worked_example_measures_and_diagram() -> None:
    text = " ".join(pdf_text(handout_of("aim", "measures", "driver-diagram")).split())
    assert "By March 2028, 80% of children aged 0-5 are screened" in text
    for measure in (
        "Children screened",
        "Visits with a completed screen",
        "Staff trained",
        "Visit length",
        "Lower is better",
    ):
        assert measure in text
    assert "Primary driver 1 keeps <families> & staff together" in text
    assert WORKSHEETS["driver-diagram"].field("drivers_chosen").label in text


def test_without_a_topic_pack_the_worksheets_are_blank_but_whole() -> None:
    cur, session = worksheet_session("aim", "measures", "driver-diagram")
    cur = Curriculum(cur.id, cur.title, cur.topic, cur.aim, cur.phases, cur.sessions, cur.modules, None)
    text = pdf_text(render_handout(cur, session))
    for label in ("Aim statement", "Family of measures", "Outcome", "Driver diagram", "PRIMARY DRIVERS"):
        assert label in text
    assert "worked example" not in text.lower()


def svg_lines(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))


def test_the_driver_diagram_svg_is_xml_holding_every_text() -> None:
    big = diagram(4, 4, 4)
    svg = driver_diagram_svg(big)
    text = svg_lines(svg)
    assert big.aim in text
    for primary in big.primary:
        assert primary.text in text
        for secondary in primary.secondary:
            assert secondary.text in text
            for change in secondary.changes:
                assert change in text
    assert "&lt;families&gt; &amp; staff" in svg


def test_the_driver_diagram_grows_with_its_content_and_splits_between_primary_drivers() -> None:
    small, big = diagram(1, 1, 1), diagram(4, 4, 4)
    assert driver_diagram_height(big) > 3 * driver_diagram_height(small)
    root = ET.fromstring(driver_diagram_svg(big))
    assert float(root.get("height", "0")) == pytest.approx(driver_diagram_height(big), abs=1)
    parts = split_driver_diagram(big, max_height=600)
    assert len(parts) > 1
    assert [p.id for part in parts for p in part.primary] == [p.id for p in big.primary]
    assert all(driver_diagram_height(part) <= 600 for part in parts)
    assert split_driver_diagram(small, max_height=600) == (small,)


def test_a_long_word_is_cut_and_control_characters_are_dropped() -> None:
    odd = DriverDiagram("A" * 200 + "\x00\x07 end", ())
    root = ET.fromstring(driver_diagram_svg(odd))
    lines = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "".join(lines[4:]).replace(" ", "") == "A" * 200 + "end"  # 4 column headings come first


def test_a_four_by_four_by_four_diagram_prints_readably_on_landscape_pages() -> None:
    pack = TopicPack(PACK.name, PACK.aim, diagram(4, 4, 4), PACK.measures)
    acts = [activity("team-time", 1, worksheet="driver-diagram")]
    cur, session = curriculum(module("m-dd", "Driver diagrams", *acts), pack=pack)
    reader = PdfReader(io.BytesIO(render_handout(cur, session)))
    pages = [p for p in reader.pages if "PRIMARY DRIVERS" in p.extract_text()]
    assert len(pages) >= 2
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in pages)
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert all(
        f"Change idea {i}.{j}.{k} tested in one clinic" in text
        for i in range(4)
        for j in range(4)
        for k in range(4)
    )
