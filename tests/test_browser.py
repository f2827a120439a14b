"""The room in a real browser: Debian's Chromium driven by Playwright, against `bsc serve`.

Screenshots go to $BSC_SCREENSHOTS (default: the test's temporary folder) to be looked at.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import FIXTURES
from .helpers import decode_qr

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`bsc serve` in its own process, as faculty start it, on the fixture curriculum."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "facilitator", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--public-url", base, "--curriculum", str(FIXTURES / "mini"),
         "--data-dir", str(tmp_path / "data")],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        text = ""
        while time.monotonic() < deadline:
            text = (tmp_path / "serve.log").read_text()
            if "Listening on" in text:
                break
            assert process.poll() is None, text
            time.sleep(0.2)
        else:
            pytest.fail(f"bsc serve did not start:\n{text}")
        link = re.search(r"sign-in link\): (\S+)", text)
        join = re.search(r"Join URL for phones: (\S+)", text)
        assert link, text
        assert join, text
        yield {"base": base, "login": link.group(1), "join": join.group(1)}
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"])
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("BSC_SCREENSHOTS", tmp_path / "shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def join(context: Any, url: str, team: str, name: str, role: str) -> Any:
    page = context.new_page()
    page.goto(url)
    page.get_by_label("A team not on the list").check()
    page.get_by_label("New team's name").fill(team)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your role on the team").select_option(role)
    page.get_by_role("button", name="Join the room").click()
    page.wait_for_url(re.compile(r"/room/"))
    page.get_by_text("Connected").wait_for()
    return page


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
