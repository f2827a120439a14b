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

    # Reopened on a network where the socket never gets through: the WebSocket opens and no
    # answer comes; its long-polling fallback's requests hang.
    phone.route_web_socket(re.compile(r"/socket\.io/"), lambda socket: None)
    phone.route("**/socket.io/**", lambda route: None)
    phone.reload()
    expect(phone.locator("#connection")).to_have_text("Connecting…")
    expect(phone.get_by_label("The measures")).to_be_visible()
    expect(phone.get_by_text("Welcome.")).to_have_count(0)
    expect(phone.locator("body")).not_to_have_class(re.compile("is-offline"))


def test_a_phone_on_a_network_that_refuses_websockets_answers_by_long_polling(
    server: dict[str, str], browser: Any
) -> None:
    """Phones open a WebSocket at once; where a venue's proxy refuses WebSockets they fall back
    to long-polling by themselves, and the room works as before."""
    from playwright.sync_api import expect

    console, _ = open_console(browser, server, (1280, 720))
    context = browser.new_context(**PHONE)
    # As behind a proxy that refuses the upgrade: every WebSocket fails before it opens.
    context.add_init_script(
        """window.__refused = 0;
        window.WebSocket = class {
          constructor(url) {
            window.__refused += 1;
            setTimeout(() => {
              if (this.onerror) this.onerror(new Event("error"));
              if (this.onclose) this.onclose({ code: 1006 });
            }, 10);
          }
          send() {}
          close() {}
        };"""
    )
    polled: list[str] = []
    context.on("request", lambda r: polled.append(r.url) if "transport=polling" in r.url else None)
    page = context.new_page()
    phone = join(context, server["join"], "Riverside Clinic", "Ana", "Data lead", page=page)
    expect(phone.locator("#connection")).to_have_text("Connected")
    console.get_by_role("button", name="Next ▶").click()
    card = console.locator("article.card", has_text="Which question is hardest?")
    card.get_by_role("button", name="Open poll").click()
    phone.get_by_label("The measures").check()
    phone.get_by_text("Answer saved").wait_for()  # the server acknowledged it
    assert phone.evaluate("window.__refused") >= 1, "the phone tried a WebSocket first"
    assert polled, "then long-polled"


def test_a_teammate_lets_in_someone_without_the_code_and_the_waiting_phone_goes_in(
    server: dict[str, str], browser: Any, shots: Any
) -> None:
    from playwright.sync_api import expect

    ana = join(browser.new_context(**PHONE), server["join"], "Riverside Clinic", "Ana", "Data lead")
    ben = browser.new_context(**PHONE).new_page()
    ben.goto(server["join"])
    ben.get_by_label("Riverside Clinic").check()
    ben.get_by_label("Your name").fill("Ben")
    ben.get_by_label("Your role on the team").select_option("Clinician or staff")
    # Enter in a field joins (the form's first button), it does not ask: a wrong code is refused.
    ben.get_by_label("Your team's code").fill("WRONG1")
    ben.get_by_label("Your team's code").press("Enter")
    expect(ben.locator("#join-error")).to_contain_text("team code")
    expect(ben.get_by_label("Your name")).to_have_value("Ben")  # what was typed is kept
    ben.get_by_label("Riverside Clinic").check()
    ben.get_by_role("button", name="Ask my team to let me in").click()
    ben.wait_for_url(re.compile(r"/waiting$"))
    expect(ben.get_by_role("heading", name="Waiting for Riverside Clinic")).to_be_visible()
    ben.screenshot(path=str(shots / "waiting-360.png"))
    door = ana.locator("#door")
    expect(door).to_contain_text("Ben (Clinician or staff) asks to join your team.")
    ana.screenshot(path=str(shots / "door-360.png"))
    door.get_by_role("button", name="Let them in").click()
    expect(door).to_be_hidden()
    ben.wait_for_url(re.compile(r"/room/\w+$"), timeout=15000)  # the waiting page looks again by itself
    expect(ben.locator("#me-name")).to_have_text("Ben")
    expect(ben.locator("#team-name")).to_have_text("Riverside Clinic")
    expect(ben.get_by_text("Connected")).to_be_visible()
