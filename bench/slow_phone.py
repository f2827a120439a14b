"""A phone on a slow venue network: how long until it is usable, and how much it downloads.

    .venv/bin/python bench/slow_phone.py [--curriculum PATH] [--runs 3]

Starts `bsc serve` (SQLite, a temporary folder) on the bundled library's first session, opens
a poll from the console, then drives Chromium as a phone (360x640) throttled through the
DevTools protocol to "Slow 3G" (400 ms latency, 50 KB/s each way) with the CPU slowed 4x:

  first visit   the join link opened with an empty cache: until the form can be filled in
  join          the form sent: until the open poll's choices show on the phone page
  return        the join link opened again (cookie and cache kept): until the poll shows

Bytes are what crossed the network (compressed, headers included), from the DevTools
protocol's `encodedDataLength`, the WebSocket's handshake response and the payloads of the
frames it received.
Target (issue 9): usable within 3 s, at most 50 KB.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.room_load import start  # noqa: E402
from tests.helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

VERBOSE = "--each" in sys.argv
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50 * 1024, "uploadThroughput": 50 * 1024}


class Meter:
    """Bytes a page received over the network, per navigation."""

    def __init__(self, page: Any) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        self.bytes = 0
        self.requests = 0
        self.urls: dict[str, str] = {}
        self.each: list[tuple[str, int]] = []
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.webSocketFrameReceived", self._frame)
        self.cdp.on("Network.webSocketHandshakeResponseReceived", self._handshake)

    def _sent(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event: dict[str, Any]) -> None:
        size = int(event.get("encodedDataLength", 0))
        self.bytes += size
        self.requests += 1
        self.each.append((self.urls.get(event["requestId"], "?"), size))

    def _frame(self, event: dict[str, Any]) -> None:
        # A WebSocket frame: its payload (a few bytes of framing not counted).
        size = len(event["response"]["payloadData"].encode())
        self.bytes += size
        self.each.append(("(websocket frame)", size))

    def _handshake(self, event: dict[str, Any]) -> None:
        # The WebSocket's "101 Switching Protocols": its status line and headers (no
        # loadingFinished comes for it).
        response = event["response"]
        headers = response.get("headersText") or "".join(
            f"{name}: {value}\r\n" for name, value in response.get("headers", {}).items()
        )
        size = len(
            f"HTTP/1.1 {response.get('status', 101)} {response.get('statusText', '')}\r\n{headers}\r\n"
        )
        self.bytes += size
        self.requests += 1
        self.each.append(("(websocket handshake)", size))

    def reset(self) -> None:
        if VERBOSE:
            for url, size in self.each:
                print(f"  {size:7d}  {url.split('/', 3)[-1][:90]}")
            print(f"  {self.bytes:7d}  in all")
        self.each = []
        self.bytes = 0
        self.requests = 0


def one_run(browser: Any, join_url: str, lang: str = "en") -> dict[str, float]:
    from curriculum.i18n import gettext_for

    say = gettext_for(lang)  # the page's words in the language the phone picks
    join_url = f"{join_url}?lang={lang}" if lang != "en" else join_url
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    page = context.new_page()
    meter = Meter(page)
    figures: dict[str, float] = {}

    begun = time.perf_counter()
    page.goto(join_url, wait_until="commit")
    page.get_by_role("button", name=say("Join the room")).wait_for()
    page.wait_for_load_state("load")
    figures["first_s"] = time.perf_counter() - begun
    figures["first_kb"] = meter.bytes / 1024

    meter.reset()
    page.get_by_label(say("A team not on the list")).check()
    page.get_by_label(say("New team's name")).fill(f"Team {time.monotonic_ns()}")
    page.get_by_label(say("Your name")).fill("Ana")
    begun = time.perf_counter()
    page.get_by_role("button", name=say("Join the room")).click()
    page.locator("#activity :is(input, textarea)").first.wait_for()
    figures["join_s"] = time.perf_counter() - begun
    page.get_by_text(say("Connected"), exact=True).wait_for(timeout=30000)
    page.wait_for_load_state("load")
    figures["join_kb"] = meter.bytes / 1024
    figures["join_requests"] = meter.requests

    meter.reset()
    begun = time.perf_counter()
    page.goto(join_url, wait_until="commit")
    page.locator("#activity :is(input, textarea)").first.wait_for()
    figures["return_s"] = time.perf_counter() - begun
    page.get_by_text(say("Connected"), exact=True).wait_for(timeout=30000)
    figures["return_kb"] = meter.bytes / 1024
    figures["return_requests"] = meter.requests
    meter.reset()
    context.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=5830)
    parser.add_argument("--session", default="safe-starts:ls1")
    parser.add_argument("--each", action="store_true", help="list every request and its bytes")
    parser.add_argument("--lang", default="en", help="the language the phone picks on the join page (en, es)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        tmp = Path(folder)
        base = f"http://127.0.0.1:{args.port}"
        command = [sys.executable, "-m", "facilitator", "serve", "--host", "127.0.0.1", "--port"]
        command += [str(args.port), "--public-url", base, "--data-dir", str(tmp / "data")]
        command += ["--session", args.session]
        process, text = start(command, tmp / "serve.log")
        try:
            login = re.search(r"sign-in link\): (\S+)", text)
            join = re.search(r"Join URL for phones: (\S+)", text)
            assert login, text
            assert join, text
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            console = browser.new_page(viewport={"width": 1280, "height": 800})
            console.goto(login.group(1))
            console.locator("td a").first.click()  # the session's console
            console.get_by_text("Connected").first.wait_for()
            opener = console.get_by_role("button", name="Open poll").first
            for _ in range(20):  # along the agenda to the first item with a poll
                if opener.is_visible():
                    break
                console.get_by_role("button", name="Next ▶").click()
                console.wait_for_timeout(300)
            opener.click()
            runs = [one_run(browser, join.group(1), args.lang) for _ in range(args.runs)]
            browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(
        f"Slow 3G (400 ms, 50 KB/s), CPU 4x slower; median of {len(runs)} runs; the phone reads {args.lang}"
    )
    print(f"first visit: join form usable   {median('first_s'):5.2f} s  {median('first_kb'):5.1f} KB")
    print(
        f"join sent: poll on the phone     {median('join_s'):5.2f} s  {median('join_kb'):5.1f} KB "
        f"({median('join_requests'):.0f} requests)"
    )
    print(
        f"return visit: poll on the phone  {median('return_s'):5.2f} s  {median('return_kb'):5.1f} KB "
        f"({median('return_requests'):.0f} requests)"
    )
    print(f"first visit to the poll, in all: {median('first_kb') + median('join_kb'):5.1f} KB")


if __name__ == "__main__":
    main()
