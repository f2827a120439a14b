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
