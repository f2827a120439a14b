"""Hardening, in Chromium: phones anywhere in the world count a timer down alike."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .helpers import PHONE, join, open_console

pytestmark = pytest.mark.slow


def test_phones_in_four_time_zones_show_the_same_countdown(server: dict[str, str], browser: Any) -> None:
    from playwright.sync_api import expect

    console, _ = open_console(browser, server, (1280, 720))
    zones = ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Adelaide")
    phones = [
        join(
            browser.new_context(**PHONE, timezone_id=zone),
            server["join"],
            f"Team {n}",
            f"Person {n}",
            "Data lead",
        )
        for n, zone in enumerate(zones)
    ]
    console.get_by_label("Timer (minutes)").fill("1.5")
    console.get_by_role("button", name="Start", exact=True).click()
    for phone in phones:
        expect(phone.locator("#timer")).to_have_text(re.compile(r"^1:(30|2\d)$"))
    console.get_by_role("button", name="Pause").click()
    for phone in phones:
        expect(phone.locator("#timer")).to_have_text(re.compile(r"^1:(30|2\d) \(paused\)$"))


def test_a_phone_shows_the_open_poll_and_says_connecting_before_its_socket_connects(
    server: dict[str, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    console, _ = open_console(browser, server, (1280, 720))
    phone = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    console.get_by_role("button", name="Next ▶").click()
    card = console.locator("article.card", has_text="Which question is hardest?")
    card.get_by_role("button", name="Open poll").click()
    phone.get_by_text("Which question is hardest for your team?").wait_for()

    # Reopened on a network where the socket never gets through (the request hangs).
    phone.route("**/socket.io/**", lambda route: None)
    phone.reload()
    expect(phone.locator("#connection")).to_have_text("Connecting…")
    expect(phone.get_by_label("The measures")).to_be_visible()
    expect(phone.get_by_text("Welcome.")).to_have_count(0)
    expect(phone.locator("body")).not_to_have_class(re.compile("is-offline"))
