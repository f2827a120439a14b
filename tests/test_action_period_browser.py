"""The action period on a phone: a team defines a measure, enters its months, notes a cycle.

Debian's Chromium driven by Playwright, against `bsc serve`, on a 360x640 phone.
"""

from __future__ import annotations

import re
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
    entry.get_by_label("Month").fill("2026-09")
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

    entry.get_by_label("Month").fill("2026-10")
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
