"""The action period on a phone: a team defines a measure, enters its months, notes a cycle.

Debian's Chromium driven by Playwright, against `bsc serve`, on a 360x640 phone.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from .helpers import PHONE, code_of, join, join_team

pytestmark = pytest.mark.slow

SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 640}}


def test_a_team_enters_its_months_and_a_refused_value_keeps_what_was_typed(
    server: dict[str, str], browser: Any, shots: Path
) -> None:
    from playwright.sync_api import expect

    ana = join(browser.new_context(**SMALL_PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    cy = join_team(browser.new_context(**SMALL_PHONE), server["join"], "Riverside Clinic", "Cy", code_of(ana))

    ana.get_by_role("tab", name="PDSA").click()
    ana.get_by_role("button", name="Add a cycle").click()
    ana.get_by_label("Test of change").fill("Reminder script at check-in")
    ana.get_by_label("Question this test answers").click()
    ana.get_by_text("saved by Ana").first.wait_for()

    ana.get_by_role("tab", name="Measures").click()
    ana.get_by_role("button", name="Add a measure").click()
    ana.get_by_label("Measure", exact=True).fill("Screening rate")
    ana.get_by_label("Kind of measure").select_option(label="Percentage")
    ana.get_by_label("Numerator", exact=True).first.fill("Eligible visits with a completed screen")
    ana.get_by_label("How often").select_option("monthly")
    entry = ana.locator(".data-entry")
    entry.get_by_label("Numerator").wait_for()

    # A numerator above its denominator is refused beside the numerator; nothing typed is lost.
    entry.get_by_label("Which month").fill("2026-09")
    entry.get_by_label("Numerator").fill("90")
    entry.get_by_label("Denominator").fill("80")
    entry.get_by_role("button", name="Save").click()
    refusal = entry.locator("[data-entry='numerator'] .field-error")
    expect(refusal).to_contain_text("cannot be larger than the denominator")
    expect(entry.get_by_label("Numerator")).to_have_value("90")
    ana.screenshot(path=str(shots / "phone-data-refused.png"), full_page=True)

    ana.reload()  # the typed entry survives a reload
    ana.get_by_text("Connected").wait_for()
    entry = ana.locator(".data-entry")
    expect(entry.get_by_label("Numerator")).to_have_value("90")
    expect(entry.get_by_label("Denominator")).to_have_value("80")

    entry.get_by_label("Numerator").fill("30")
    entry.get_by_role("button", name="Save").click()
    expect(entry).to_contain_text("Saved: 2026-09")

    entry.get_by_label("Which month").fill("2026-10")
    entry.get_by_label("Numerator").fill("52")
    entry.get_by_label("Denominator").fill("80")
    entry.get_by_label("PDSA cycle tested then").select_option(label="Cycle 1: Reminder script at check-in")
    entry.get_by_label("Note on the chart").fill("Script <b>live</b> at the front desk")
    entry.get_by_role("button", name="Save").click()
    expect(entry).to_contain_text("Saved: 2026-10")

    cy.get_by_role("tab", name="Measures").click()
    expect(cy.get_by_label("Data", exact=True)).to_have_value("2026-09: 30/80\n2026-10: 52/80")
    chart = cy.locator("img.chart")
    expect(chart).to_have_attribute("src", re.compile(r"/chart/\d+\.svg"))
    svg = cy.request.get(server["base"] + chart.get_attribute("src")).text()
    note = "Oct 2026: Cycle 1 (Reminder script at check-in): Script &lt;b&gt;live&lt;/b&gt; at the front desk"
    assert note in svg  # numbered on the chart, and escaped
    width = cy.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the phone scrolls sideways: {width}px"
    cy.locator(".data-entry").scroll_into_view_if_needed()
    cy.screenshot(path=str(shots / "phone-data-360x640.png"))


def test_a_team_reports_two_months_and_reads_the_faculty_reply(
    server: dict[str, str], running: Any, browser: Any, shots: Path
) -> None:
    from playwright.sync_api import expect

    ana = join(browser.new_context(**SMALL_PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    ana.on("dialog", lambda dialog: dialog.accept())
    # The learning session's day has passed: the action period begins, and with it the report.
    with sqlite3.connect(running.data / "bsc.sqlite3") as db:
        db.execute("UPDATE learning_session SET date = '2026-08-20'")
    ana.reload()
    ana.get_by_text("Connected").wait_for()

    ana.get_by_role("tab", name="PDSA").click()
    ana.get_by_role("button", name="Add a cycle").click()
    ana.get_by_label("Test of change").fill("Text families the day before")
    ana.get_by_label("Change idea it tests").select_option(index=1)  # the diagram's first idea
    expect(ana.locator(".ramps")).to_contain_text("Cycle 1")  # a ramp of one, so far
    ana.get_by_role("tab", name="Measures").click()
    ana.get_by_role("button", name="Add a measure").click()
    ana.get_by_label("Measure", exact=True).fill("Screening rate")
    ana.get_by_label("Kind of measure").select_option(label="Percentage")
    entry = ana.locator(".data-entry")
    for month, top, cycle in (
        ("2026-09", "30", None),
        ("2026-10", "45", "Cycle 1: Text families the day before"),
    ):
        entry.get_by_label("Numerator").wait_for()
        entry.get_by_label("Which month").fill(month)
        entry.get_by_label("Numerator").fill(top)
        entry.get_by_label("Denominator").fill("80")
        if cycle:
            entry.get_by_label("PDSA cycle tested then").select_option(label=cycle)
        entry.get_by_role("button", name="Save").click()
        expect(entry).to_contain_text(f"Saved: {month}")

    ana.get_by_role("tab", name="Report").click()
    for n, (month, learned, value) in enumerate(
        (("2026-09", "Calls reach few families", "30/80"), ("2026-10", "Texts work better", "45/80"))
    ):
        ana.get_by_role("button", name="Add a report").click()
        report = ana.locator("fieldset.item").nth(n)
        report.get_by_label("Month").fill(month)
        report.get_by_label("What we learned").fill(learned)
        report.get_by_label("Our rating on the assessment scale").select_option(
            label="Activity, but no changes"
        )
        expect(report).to_contain_text(f"Our measures that month: Screening rate: {value}")
        report.get_by_role("button", name="Submit this report").click()
        expect(report).to_contain_text("Submitted by Ana")
        expect(report.get_by_label("What we learned")).to_have_attribute("readonly", "")

    faculty = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    faculty.goto(server["login"])
    faculty.get_by_role("link", name=re.compile("every team's reports")).click()
    faculty.goto(faculty.url + "?month=2026-10")
    expect(faculty.locator("#reports-h")).to_have_text("Monthly reports: 1 of 1 teams")
    card = faculty.locator("article.report", has_text="Riverside Clinic")
    expect(card).to_contain_text("Texts work better")
    faculty.screenshot(path=str(shots / "dashboard-1280x800.png"), full_page=True)
    card.get_by_label("Faculty feedback").fill("Try texting at the 18-month visit too.")
    card.get_by_role("button", name=re.compile("Send feedback")).click()
    expect(faculty.locator("article.report").get_by_label("Faculty feedback")).to_have_value(
        "Try texting at the 18-month visit too."
    )

    october = ana.locator("fieldset.item").nth(1)
    expect(october.locator(".feedback")).to_contain_text("Try texting at the 18-month visit too.")  # live
    october.scroll_into_view_if_needed()
    ana.screenshot(path=str(shots / "phone-report-feedback.png"))
    ana.get_by_role("tab", name="PDSA").click()
    ana.get_by_role("checkbox", name="Screening rate").check()  # the measure this cycle should move
    expect(ana.get_by_role("checkbox", name="Screening rate")).to_be_checked()
    # The tab is drawn again as teammates' saves arrive: look for the ramp, do not hold on to it.
    expect(ana.locator(".ramps")).to_contain_text("Cycle 1")
    ana.screenshot(path=str(shots / "phone-pdsa-ramps.png"))

    # Weeks later, on a laptop that was never in the room: the personal link (the QR code of
    # the plan Ana downloaded) opens the same workspace, as Ana, with the faculty's reply.
    ana.get_by_role("link", name="Your own link, for after the session").click()
    link = ana.get_by_label("Your own link").input_value()
    laptop = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    laptop.goto(link)
    laptop.get_by_text("Connected").wait_for()
    expect(laptop.locator("#me-name")).to_have_text("Ana")
    laptop.get_by_role("tab", name="Report").click()
    expect(laptop.locator(".feedback").last).to_contain_text("Try texting at the 18-month visit too.")
    laptop.screenshot(path=str(shots / "laptop-personal-link.png"))
