"""The room in a real browser: Debian's Chromium driven by Playwright, against `bsc serve`.

Screenshots go to $BSC_SCREENSHOTS (default: the test's temporary folder) to be looked at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .helpers import PHONE, Server, code_of, decode_qr, join, join_team, open_console

pytestmark = pytest.mark.slow


def test_two_phones_vote_and_the_projector_follows(server: dict[str, str], browser: Any, shots: Path) -> None:
    faculty = browser.new_context(viewport={"width": 1280, "height": 800})
    console = faculty.new_page()
    console.goto(server["login"])
    console.get_by_role("link", name="Getting started").click()
    console.get_by_text("Connected").wait_for()

    projector = faculty.new_page()
    projector.set_viewport_size({"width": 1600, "height": 900})
    with console.expect_popup() as opened:
        console.get_by_role("link", name="Open the projector").click()
    projector = opened.value
    projector.set_viewport_size({"width": 1600, "height": 900})
    projector.get_by_text("Connected").wait_for()
    projector.screenshot(path=str(shots / "projector-start.png"))
    join_url = decode_qr(projector.locator(".qr").screenshot())
    assert join_url == server["join"]

    phone_a = join(browser.new_context(**PHONE), join_url, "Riverside Clinic", "Ana", "Data lead")
    phone_b = join(browser.new_context(**PHONE), join_url, "Hilltop Practice", "Ben", "Senior leader")
    projector.locator("#joined-count").filter(has_text="2").wait_for()

    console.get_by_role("button", name="Next ▶").click()
    card = console.locator("article.card", has_text="Which question is hardest?")
    card.get_by_role("button", name="Open poll").click()
    for phone in (phone_a, phone_b):
        phone.get_by_text("Which question is hardest for your team?").wait_for()
    phone_a.get_by_label("The measures").check()
    phone_b.get_by_label("The changes").check()
    for phone in (phone_a, phone_b):
        phone.get_by_text("Answer saved").wait_for()
    phone_a.screenshot(path=str(shots / "phone-voted.png"))

    projector.locator("#answer-count").filter(has_text="2 answers").wait_for()
    card.get_by_role("button", name="Reveal results").click()
    bars = projector.locator("#results .bars li")
    bars.nth(2).filter(has_text="1").wait_for()
    counts = [bars.nth(i).locator(".count").inner_text() for i in range(3)]
    assert counts == ["0", "1", "1"]
    projector.screenshot(path=str(shots / "projector-results.png"))
    console.screenshot(path=str(shots / "console.png"), full_page=True)

    phone_a.reload()
    phone_a.get_by_text("Connected").wait_for()
    assert phone_a.locator("#team-name").inner_text() == "Riverside Clinic"
    assert phone_a.get_by_label("The measures").is_checked()
    phone_a.get_by_text("Answer saved").wait_for()
    phone_a.screenshot(path=str(shots / "phone-after-reload.png"))


def test_teams_co_edit_their_workspace_and_walk_the_gallery(
    server: dict[str, str], browser: Any, shots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect
    from pypdf import PdfReader

    console, projector = open_console(browser, server, (1600, 900))

    ana = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    cy = join_team(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Cy", code_of(ana))
    ben = join(browser.new_context(**PHONE), server["join"], "Hilltop Practice", "Ben", "Senior leader")

    aim = "Screen every child at the 9-month visit"
    ana.get_by_label("What will we improve?").fill(aim)
    ana.get_by_label("For whom?").click()  # leaving the field saves it
    # The page's CSP forbids eval, so wait with locators, not wait_for_function strings.
    expect(cy.get_by_label("What will we improve?")).to_have_value(aim)
    cy.get_by_text("saved by Ana").first.wait_for()
    cy.screenshot(path=str(shots / "phone-co-edit.png"), full_page=True)
    assert ben.get_by_label("What will we improve?").input_value() == ""
    assert aim not in ben.content()

    ana.get_by_role("tab", name="By next Tuesday").click()
    ana.get_by_role("button", name="Add a commitment").click()
    ana.get_by_label("What we will do").fill("Call three families who missed the screen")
    ana.get_by_label("Owner").select_option("Cy")
    ana.get_by_label("Due date").fill("2027-03-16")
    ana.get_by_label("What we will do").click()
    cy.get_by_role("tab", name="By next Tuesday").click()
    expect(cy.get_by_label("What we will do")).to_have_value("Call three families who missed the screen")
    expect(cy.get_by_label("Owner")).to_have_value("Cy")
    ana.get_by_role("tab", name="Storyboard").click()
    ana.get_by_label("Results").fill("Screens rose from 40% to 70% in six weeks")
    ana.get_by_label("Lessons learned").click()
    ana.get_by_text("saved by Ana").first.wait_for()
    assert "Screens rose" not in ben.content()

    console.get_by_role("button", name="Reveal storyboards").click()
    projector.locator("#gallery").wait_for()
    board = ben.locator("article.storyboard", has_text="Riverside Clinic")
    board.get_by_role("button", name="Place a dot").click()
    projector.locator("article.board", has_text="Riverside Clinic").locator(".dots").filter(
        has_text="1"
    ).wait_for()
    projector.screenshot(path=str(shots / "projector-gallery.png"))
    projector.keyboard.press("ArrowRight")  # one storyboard at a time
    assert projector.locator(".gallery-one article.board").count() == 1
    projector.keyboard.press("g")
    assert projector.locator(".gallery-grid article.board").count() == 2
    ben.screenshot(path=str(shots / "phone-gallery.png"), full_page=True)
    own = ana.locator("article.storyboard", has_text="Riverside Clinic")
    assert own.get_by_role("button", name="Place a dot").count() == 0

    with ana.expect_download() as download:
        ana.get_by_role("link", name="Download our plan (PDF)").click()
    target = tmp_path / "plan.pdf"
    download.value.save_as(str(target))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(target)).pages)
    assert "Call three families who missed the screen" in text
    assert "Cy" in text
    assert aim in text


def test_a_vote_made_while_the_server_is_unreachable_arrives_once_it_is_back(
    running: Server, browser: Any, shots: Path
) -> None:
    from playwright.sync_api import expect

    faculty = browser.new_context(viewport={"width": 1280, "height": 800})
    console = faculty.new_page()
    console.goto(running.info["login"])
    console.get_by_role("link", name="Getting started").click()
    console.get_by_text("Connected").wait_for()
    phone = join(browser.new_context(**PHONE), running.info["join"], "Riverside Clinic", "Ana", "Data lead")
    console.get_by_role("button", name="Next ▶").click()
    card = console.locator("article.card", has_text="Which question is hardest?")
    card.get_by_role("button", name="Open poll").click()
    expect(phone.get_by_label("The changes")).to_be_enabled()  # the poll is open on the phone

    running.stop()  # the laptop's server (or the venue Wi-Fi) goes away
    phone.get_by_text("Offline: your answers will be sent when the connection is back").wait_for()
    phone.get_by_label("The changes").check()
    phone.get_by_text("Waiting to send").wait_for()
    phone.screenshot(path=str(shots / "phone-offline.png"))

    running.start()
    phone.get_by_text("Answer saved").wait_for(timeout=30000)
    console.get_by_text("Connected").wait_for(timeout=30000)
    card = console.locator("article.card", has_text="Which question is hardest?")
    card.get_by_text("1 answers").wait_for(timeout=15000)
    phone.reload()
    phone.get_by_text("Connected").wait_for()
    assert phone.get_by_label("The changes").is_checked()


def test_a_quiz_made_at_the_console_is_answered_and_revealed_with_its_right_answer(
    server: dict[str, str], browser: Any, shots: Path
) -> None:
    """The quick-poll form offers every kind with the settings its definition takes."""
    from playwright.sync_api import expect

    console, projector = open_console(browser, server, (1280, 720))
    phone = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")

    console.get_by_text("Add a quick poll").click()
    console.get_by_label("Type").select_option(label="Quiz question")
    expect(console.get_by_label("Lowest point", exact=True)).to_be_hidden()  # a scale's setting, not a quiz's
    console.get_by_label("Title").fill("Test or not?")
    console.get_by_label("Question").fill("Which of these is a PDSA test?")
    console.get_by_label("Options, one per line").fill(
        "Train every nurse next month\nOne nurse, two families, Tuesday"
    )
    console.get_by_label("The right answer").fill("One nurse, two families, Tuesday")
    console.get_by_role("button", name="Add the poll").click()
    card = console.locator("article.card", has_text="Test or not?")
    card.get_by_role("button", name="Open poll").click()

    phone.get_by_text("Which of these is a PDSA test?").wait_for()
    phone.get_by_text("Pick the right answer").wait_for()
    phone.get_by_label("One nurse, two families, Tuesday").check()
    phone.get_by_text("Answer saved").wait_for()
    assert phone.locator("li.correct").count() == 0  # no hint of the answer before the reveal

    card.get_by_role("button", name="Reveal results").click()
    projector.get_by_text("100% chose the right answer").wait_for()
    right = projector.locator("#results .bars li.correct")
    expect(right).to_have_count(1)
    expect(right).to_contain_text("One nurse, two families, Tuesday")
    phone.get_by_text("100% chose the right answer").wait_for()
    projector.screenshot(path=str(shots / "projector-quiz.png"))
