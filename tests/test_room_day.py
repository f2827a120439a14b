"""A day in the room, in Chromium: nothing typed is lost, the console stays true, people's
mistakes are mended, and the phone shows where the team is."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .helpers import PHONE, code_of, join, join_team, open_console

pytestmark = pytest.mark.slow


def test_a_refused_edit_keeps_its_text_with_the_reason_beside_it(
    server: dict[str, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    ana = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    ana.get_by_role("tab", name="Measures").click()
    ana.get_by_role("button", name="Add a measure").click()
    data = ana.get_by_label("Data", exact=True)
    typed = "Sep 2025: 40\nOct 2025: 44\nNov 2025: twenty"
    data.fill(typed)
    ana.get_by_label("Goal").click()  # leaving the field saves it
    error = ana.locator(".field-error", has_text="line 3 of the data")
    error.wait_for()
    expect(data).to_have_value(typed)
    assert error.get_attribute("id") in (data.get_attribute("aria-describedby") or "")
    assert error.get_attribute("role") == "alert"
    ana.wait_for_timeout(1500)  # the debounced save and any redraw must not wipe it either
    expect(data).to_have_value(typed)

    data.fill("Sep 2025: 40\nOct 2025: 44\nNov 2025: 20")
    ana.get_by_label("Goal").click()
    ana.get_by_text("saved by Ana").first.wait_for()
    expect(ana.locator(".field-error")).to_have_count(0)


def test_a_refused_word_cloud_answer_keeps_its_text(server: dict[str, str], browser: Any) -> None:
    from playwright.sync_api import expect

    console, _ = open_console(browser, server, (1280, 720))
    phone = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    console.get_by_text("Add a quick poll").click()
    console.get_by_label("Type").select_option(label="Word cloud")
    console.get_by_label("Question").fill("One word for today?")
    console.get_by_role("button", name="Add the poll").click()
    console.locator("article.card", has_text="One word for today?").get_by_role(
        "button", name="Open poll"
    ).click()
    answer = phone.get_by_label("A few words")
    answer.fill("hope trust courage patience")
    phone.get_by_role("button", name="Send").click()
    phone.locator(".field-error", has_text="use at most 3 words").wait_for()
    expect(answer).to_have_value("hope trust courage patience")
    answer.fill("hope trust courage")
    phone.get_by_role("button", name="Send").click()
    phone.get_by_text("Answer saved").wait_for()
    expect(phone.locator(".field-error")).to_have_count(0)


def test_a_lock_keeps_what_was_typed_as_a_draft_and_sends_it_on_unlock(
    server: dict[str, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    console, _ = open_console(browser, server, (1280, 720))
    ana = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    cy = join_team(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Cy", code_of(ana))
    field = ana.get_by_label("What will we improve?")
    field.press_sequentially("Screen every child")
    console.get_by_role("button", name="Lock answers").click()
    ana.get_by_text("The facilitator has paused editing").wait_for()
    expect(field).to_have_value("Screen every child")
    expect(field).to_have_attribute("readonly", "")
    field.press_sequentially(" at nine months", timeout=2000)  # a locked field takes no typing
    expect(field).to_have_value("Screen every child")
    ana.get_by_text("Kept as a draft").wait_for()
    expect(cy.get_by_label("What will we improve?")).to_have_value("")

    console.get_by_role("button", name="Unlock answers").click()
    expect(cy.get_by_label("What will we improve?")).to_have_value("Screen every child")
    ana.get_by_text("saved by Ana").first.wait_for()


def test_a_draft_typed_just_before_a_reload_comes_back_and_is_saved(
    server: dict[str, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    ana = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    ana.get_by_label("Our aim statement").fill("By June, 80% of children screened")
    ana.reload()  # less than a second later: no save has gone out yet
    ana.get_by_text("Connected").wait_for()
    expect(ana.get_by_label("Our aim statement")).to_have_value("By June, 80% of children screened")
    ana.get_by_text("saved by Ana").first.wait_for()
    ana.reload()
    expect(ana.get_by_label("Our aim statement")).to_have_value("By June, 80% of children screened")


def test_a_conflict_says_what_it_waits_for(server: dict[str, str], browser: Any) -> None:
    from playwright.sync_api import expect

    ana = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    cy = join_team(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Cy", code_of(ana))
    cy.get_by_label("For whom?").fill("Toddlers")  # Cy types, from the empty field (version 0)...
    ana.get_by_label("For whom?").fill("Children aged 0-5")  # ...while Ana saves first
    ana.get_by_label("How much?").click()
    ana.get_by_text("saved by Ana").first.wait_for()
    cy.get_by_label("How much?").click()  # Cy's save meets Ana's
    cy.get_by_text("Choose which text to keep").wait_for()
    expect(cy.locator("#connection")).to_contain_text("waits for your choice")
    expect(cy.get_by_label("For whom?")).to_have_value("Toddlers")
    cy.get_by_role("button", name="Save mine over it").click()
    expect(ana.get_by_label("For whom?")).to_have_value("Toddlers")
    expect(cy.locator("#connection")).to_have_text("Connected")


def test_a_teammates_save_arriving_mid_sentence_leaves_the_caret_where_it_was(
    server: dict[str, str], browser: Any
) -> None:
    """The workspace is drawn again whenever a teammate saves: the person typing keeps their
    place in the field (the caret, not the end of the text)."""
    from playwright.sync_api import expect

    ana = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    ben = join_team(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ben", code_of(ana))
    field = ana.get_by_label("What will we improve?")
    field.click()
    field.press_sequentially("Hello world")
    field.press("Home")
    for _ in range(5):
        field.press("ArrowRight")
    ben.get_by_label("For whom?").fill("Children aged 0-5")
    ben.get_by_label("How much?").click()
    expect(ana.get_by_label("For whom?")).to_have_value("Children aged 0-5")  # drawn again
    field.press_sequentially(",")
    expect(field).to_have_value("Hello, world")
    expect(field).to_be_focused()
    ana.get_by_label("How much?").click()  # Ana leaves the field: it is saved
    expect(ben.get_by_label("What will we improve?")).to_have_value("Hello, world")


def test_the_console_stays_true_while_phones_join_and_mends_mistakes(
    server: dict[str, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    console, _ = open_console(browser, server, (1280, 720))
    phones = browser.new_context(**PHONE)
    first = join(phones, server["join"], "Riverside Clinic", "Ana", "Data lead")

    def team_panel(name: str) -> Any:
        return console.locator("details.team").filter(has=console.locator("summary", has_text=name))

    riverside = team_panel("Riverside Clinic")
    riverside.locator("summary").click()
    for n in range(9):
        phones.clear_cookies()  # the next phone (this context's earlier pages stay connected)
        join_team(phones, server["join"], "Riverside Clinic", f"Member {n}", code_of(first))
        expect(riverside.locator("li", has_text=f"Member {n}")).to_have_count(1)
        expect(riverside.locator("li", has_text="Ana")).to_have_count(1)  # the list never empties
    expect(console.locator("#joined-count")).to_have_text("10")

    # A new team shows in the workspace table at once, not at the next agenda step.
    ben = join(browser.new_context(**PHONE), server["join"], "Hilltop Practice", "Ben", "Senior leader")
    expect(console.locator("#progress tbody tr", has_text="Hilltop Practice")).to_have_count(1)

    # Two people with one name in one team: the second is told to add an initial.
    extra = browser.new_context(**PHONE).new_page()
    extra.goto(server["join"])
    extra.get_by_label("Riverside Clinic").check()
    extra.get_by_label("Your team's code").fill(code_of(first))
    extra.get_by_label("Your name").fill("ana")
    extra.get_by_role("button", name="Join the room").click()
    extra.get_by_text("someone in Riverside Clinic is already called Ana").wait_for()
    expect(extra.get_by_label("Your name")).to_have_value("ana")

    # Ben picked the wrong team: the facilitator moves him, and his phone follows.
    hilltop = team_panel("Hilltop Practice")
    hilltop.locator("summary").click()
    hilltop.get_by_label("Move Ben to another team").select_option(label="Riverside Clinic")
    expect(ben.locator("#team-name")).to_have_text("Riverside Clinic")
    console.on("dialog", lambda dialog: dialog.accept())
    team_panel("Hilltop Practice").get_by_role("button", name="Remove this empty team").click()
    expect(team_panel("Hilltop Practice")).to_have_count(0)

    # Renamed, the team's phones show the new name.
    riverside.get_by_label("Team name").fill("Riverside Family Clinic")
    riverside.get_by_role("button", name="Rename").click()
    expect(ben.locator("#team-name")).to_have_text("Riverside Family Clinic")

    # Removed, a phone goes back to the join page.
    console.locator("details.team li", has_text="Member 8").get_by_role("button", name="Remove").click()
    expect(console.locator("details.team li", has_text="Member 8")).to_have_count(0)
    expect(console.locator("#joined-count")).to_have_text("10")  # 11 joined, one removed


def test_a_phone_that_is_not_theirs_lets_go_and_joins_again(server: dict[str, str], browser: Any) -> None:
    phone = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    code = code_of(phone)
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Not me / change team").click()
    phone.wait_for_url(re.compile(r"/j/"))
    phone.get_by_label("Riverside Clinic").check()
    phone.get_by_label("Your team's code").fill(code)
    phone.get_by_label("Your name").fill("Cy")
    phone.get_by_role("button", name="Join the room").click()
    phone.get_by_text("Connected").wait_for()
    assert phone.locator("#me-name").inner_text() == "Cy"


def test_the_console_looks_over_a_teams_shoulder_read_only_and_live(
    server: dict[str, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    console, _ = open_console(browser, server, (1280, 720))
    ana = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    ana.get_by_label("What will we improve?").fill("Screen every child")
    ana.get_by_label("For whom?").click()
    console.locator("#progress tbody tr", has_text="Riverside Clinic").get_by_role(
        "button", name="Look at it"
    ).click()
    view = console.locator("#workspace-view")
    expect(view.get_by_label("What will we improve?")).to_have_value("Screen every child")
    expect(view.get_by_label("What will we improve?")).to_have_attribute("readonly", "")
    ana.get_by_label("For whom?").fill("Children aged 0-5")
    ana.get_by_label("How much?").click()
    expect(view.get_by_label("For whom?")).to_have_value("Children aged 0-5")  # live, no reload
    assert view.get_by_role("button", name="Add a measure").count() == 0


def test_the_pushed_worksheet_is_the_open_tab_and_a_reload_keeps_the_tab(
    server: dict[str, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    console, _ = open_console(browser, server, (1280, 720))
    ana = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    console.locator("#agenda").get_by_role("button", name=re.compile("Planning a PDSA")).click()
    expect(ana.get_by_role("tab", name="PDSA")).to_have_attribute("aria-selected", "true")
    ana.get_by_role("tab", name="Storyboard").click()
    console.get_by_role("button", name="Lock answers").click()  # a room update does not snap the tab back
    expect(ana.get_by_role("tab", name="Storyboard")).to_have_attribute("aria-selected", "true")
    ana.reload()
    expect(ana.get_by_role("tab", name="Storyboard")).to_have_attribute("aria-selected", "true")
    box = ana.get_by_role("tab", name="Storyboard").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390  # every tab in view on the phone (390 px), none scrolled away


def test_the_join_form_shows_the_new_team_fields_only_for_a_new_team(
    server: dict[str, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    page = browser.new_context(**PHONE).new_page()
    page.goto(server["join"])
    page.get_by_label("A team not on the list").check()
    page.get_by_label("New team's name").fill("Hilltop")
    page.get_by_label("Riverside Clinic").check()
    expect(page.get_by_label("New team's name")).to_be_hidden()
    page.get_by_label("A team not on the list").check()
    expect(page.get_by_label("New team's name")).to_have_value("Hilltop")
    icon = page.request.get(server["base"] + "/favicon.ico")
    assert icon.status == 200
    assert icon.headers["content-type"] in ("image/vnd.microsoft.icon", "image/x-icon")


def test_a_question_board_asks_approves_upvotes_and_answers(
    server: dict[str, str], browser: Any, running: Any
) -> None:
    """The mini curriculum has no board: one is added to the running server's session, as a
    module's would be, then run from the console and the phones."""
    from playwright.sync_api import expect

    from facilitator.app import create_app
    from live.context import transaction
    from live.models import Activity, LearningSession

    app = create_app(
        {"DATA_DIR": str(running.data), "CURRICULUM": str(running.curriculum), "PUBLIC_URL": server["base"]}
    )
    with app.app_context(), transaction() as db:
        session = db.query(LearningSession).one()
        db.add(
            Activity(
                session_id=session.id,
                item_id=session.current_item_id,
                position=90,
                key="qb",
                kind="question-board",
                title="Questions for the panel",
                prompt="What do you want to ask?",
                minutes=15,
                spec={"moderated": True},
            )
        )
    console, projector = open_console(browser, server, (1280, 720))
    console.reload()
    ana = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    ben = join(browser.new_context(**PHONE), server["join"], "Hilltop Practice", "Ben", "Senior leader")
    card = console.locator("article.card", has_text="Questions for the panel")
    card.get_by_role("button", name="Push to phones").click()
    card.get_by_role("button", name="Open the board").click()
    ana.get_by_label("Your question").fill("How do we keep families involved?")
    ana.get_by_role("button", name="Ask").click()
    ana.get_by_text("Waiting for the facilitator").wait_for()
    expect(ana.get_by_label("Your question")).to_have_value("")
    assert "How do we keep families involved?" not in ben.locator("#activity").inner_text()
    card.get_by_role("button", name="Approve").click()
    vote = ben.get_by_role("button", name=re.compile("Vote for: How do we keep families involved"))
    vote.click()
    expect(ana.locator(".question-list li", has_text="How do we keep families")).to_contain_text("▲ 1")
    card.get_by_role("button", name="Pin").click()
    ana.get_by_text("Now answering: How do we keep families involved?").wait_for()
    pinned = projector.locator("#questions li.pinned")
    expect(pinned).to_contain_text("Now answering: How do we keep families involved?")
    expect(pinned).to_contain_text("▲ 1")
    with console.expect_download() as download:
        card.get_by_role("link", name="CSV").click()
    assert "How do we keep families involved?" in download.value.path().read_text(encoding="utf-8-sig")
