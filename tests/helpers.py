"""Readers for generated files: QR codes, deck text, PDF text, LibreOffice rendering."""

from __future__ import annotations

import gzip
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pptx.enum.shapes import MSO_SHAPE_TYPE

from curriculum.loader import load
from curriculum.model import Curriculum, LearningSession
from exports.decks import AGENDA_ROWS_PER_SLIDE

FIXTURES = Path(__file__).parent / "fixtures"
JOIN = "http://192.168.1.20:5000/j/K7Q2"
GOOD_FRONT = """---
id: good-module
title: A good module
session: 1
duration: 30
objectives:
  - Learn a thing
---
"""
POSTGRES = os.environ.get("BSC_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def mini_curriculum(path: Path) -> Curriculum:
    """The one curriculum of a folder, which must load without problems."""
    loaded = load(path)
    assert loaded.ok, loaded.problems
    return loaded.curricula[0]


def decode_qr(image: bytes) -> str:
    """The text of the one QR code in a PNG, decoded by zbarimg."""
    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        handle.write(image)
        handle.flush()
        done = subprocess.run(
            ["zbarimg", "--quiet", "--raw", handle.name],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    return done.stdout.strip()


def pictures(slide: Any) -> list[Any]:
    """The pictures on a slide, in placeholders or not."""
    return [
        s
        for s in slide.shapes
        if s.shape_type == MSO_SHAPE_TYPE.PICTURE
        or (s.shape_type == MSO_SHAPE_TYPE.PLACEHOLDER and hasattr(s, "image"))
    ]


def slide_text(slide: Any) -> str:
    """All the text on a slide, tables included."""
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if getattr(shape, "has_table", False):
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


def expected_titles(curriculum: Curriculum, session: LearningSession, join: bool) -> list[str]:
    """The slide titles a session's deck should have, from its curriculum."""
    titles = [curriculum.title]
    if join:
        titles.append("Join the room")
    pages = -(-len(session.agenda) // AGENDA_ROWS_PER_SLIDE)
    titles += ["Agenda"] if pages == 1 else [f"Agenda ({n} of {pages})" for n in range(1, pages + 1)]
    for item in session.agenda:
        if item.module is None:
            titles.append(item.title)
        else:
            titles.append(item.module.title)
            for slide in item.module.slides:
                titles.extend(_slide_titles(curriculum, slide))
    return titles


def _slide_titles(curriculum: Curriculum, slide: Any) -> list[str]:
    """A change package's slide becomes one slide per secondary driver of its primary driver."""
    from curriculum.model import TopicBlock

    block = next((b for b in slide.blocks if isinstance(b, TopicBlock)), None)
    pack = curriculum.topic_pack
    if block is None or block.part != "change-package" or pack is None:
        return [slide.title]
    primary = next(p for p in pack.driver_diagram.primary if p.id == block.arg)
    count = len(primary.secondary)
    return [slide.title] if count == 1 else [f"{slide.title} ({n} of {count})" for n in range(1, count + 1)]


def render_pdf(source: Path, outdir: Path) -> Path:
    """Render a deck to PDF with LibreOffice, in a profile of its own."""
    profile = outdir / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        timeout=300,
        check=True,
    )
    return outdir / (source.stem + ".pdf")


def pdf_pages(path: Path) -> int:
    """The page count of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


# -- the room over Socket.IO -------------------------------------------------------------------
def connect(app: Any, web: Any, code: str, kind: str = "participant") -> Any:
    """A Socket.IO client carrying the cookies of a web test client."""
    from live.sockets import socketio

    client = socketio.test_client(app, flask_test_client=web, auth={"kind": kind, "code": code})
    assert client.is_connected(), f"{kind} could not connect"
    return client


def last(client: Any, name: str) -> Any:
    """The newest message of one event a client received (and drop the rest)."""
    got = [m["args"][0] for m in client.get_received() if m["name"] == name]
    assert got, f"no {name} received"
    return got[-1]


def received(client: Any) -> dict[str, list[Any]]:
    """Every message a client received since last asked, by event."""
    out: dict[str, list[Any]] = {}
    for message in client.get_received():
        out.setdefault(message["name"], []).append(message["args"][0])
    return out


def vote(phone: Any, activity: int, value: Any, client_id: str) -> dict[str, Any]:
    """Cast a vote from a phone; the acknowledgement."""
    from live import protocol

    reply: dict[str, Any] = phone.emit(
        protocol.CAST_VOTE, {"client_id": client_id, "activity_id": activity, "value": value}, callback=True
    )
    return reply


def edit(phone: Any, name: str, value: Any, base: int, client_id: str, item_id: Any = None) -> dict[str, Any]:
    """Save a workspace field from a phone; the acknowledgement."""
    from live import protocol

    reply: dict[str, Any] = phone.emit(
        protocol.EDIT_FIELD,
        {"client_id": client_id, "item_id": item_id, "name": name, "value": value, "base_version": base},
        callback=True,
    )
    return reply


def flush(app: Any) -> None:
    """Send every batched broadcast now, as the background loop would."""
    from live.sockets import broadcast

    with app.app_context():
        broadcast.flush()


# -- the room in a real browser (tests/test_browser.py, tests/test_projector_fit.py) ----------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def shots_folder(default: Path) -> Path:
    """Where screenshots go: $BSC_SCREENSHOTS, else `default`."""
    folder = Path(os.environ.get("BSC_SCREENSHOTS", default))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, through Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def serve_command(port: int, curriculum: Path, data: Path) -> list[str]:
    """`bsc serve` on 127.0.0.1:`port`, as faculty type it."""
    return [
        sys.executable,
        "-m",
        "facilitator",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--public-url",
        f"http://127.0.0.1:{port}",
        "--curriculum",
        str(curriculum),
        "--data-dir",
        str(data),
    ]


class Server:
    """`bsc serve` in its own process, as faculty start it, on a fixture curriculum."""

    def __init__(
        self,
        folder: Path,
        curriculum: Path = FIXTURES / "mini",
        public_url: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.folder = folder
        self.curriculum = curriculum
        self.data = folder / "data"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.public_url = public_url  # the address phones use, where it is not the server's own
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.info: dict[str, str] = {}

    def start(self) -> dict[str, str]:
        self.starts += 1
        log = self.folder / f"serve-{self.starts}.log"
        with log.open("w") as out:
            command = serve_command(self.port, self.curriculum, self.data)
            if self.public_url:
                command[command.index("--public-url") + 1] = self.public_url
            self.process = subprocess.Popen(
                command,
                env={**os.environ, **self.env} if self.env else None,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 30
        text = ""
        while time.monotonic() < deadline:
            text = log.read_text()
            if "Listening on" in text:
                break
            assert self.process.poll() is None, text
            time.sleep(0.2)
        else:
            pytest.fail(f"bsc serve did not start:\n{text}")
        link = re.search(r"sign-in link\): (\S+)", text)
        join = re.search(r"Join URL for phones: (\S+)", text)
        assert link, text
        assert join, text
        self.info = {"base": self.base, "login": link.group(1), "join": join.group(1)}
        return self.info

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def join(context: Any, url: str, team: str, name: str, role: str, page: Any = None) -> Any:
    """Join the room from a new phone page (or `page`), as a new team; the page once connected."""
    page = page or context.new_page()
    page.goto(url)
    page.get_by_label("A team not on the list").check()
    page.get_by_label("New team's name").fill(team)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your role on the team").select_option(role)
    page.get_by_role("button", name="Join the room").click()
    page.wait_for_url(re.compile(r"/room/"))
    page.get_by_text("Connected").wait_for()
    return page


def join_team(context: Any, url: str, team: str, name: str, code: str) -> Any:
    """A phone joins an existing team with its team code; the page once connected."""
    page = context.new_page()
    page.goto(url)
    page.get_by_label(team).check()
    page.get_by_label("Your team's code").fill(code)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join the room").click()
    page.wait_for_url(re.compile(r"/room/"))
    page.get_by_text("Connected").wait_for()
    return page


def code_of(phone: Any) -> str:
    """The team code a phone shows its member."""
    return str(phone.locator("#team-code").inner_text())


def open_console(browser: Any, server: dict[str, str], screen: tuple[int, int]) -> tuple[Any, Any]:
    """Faculty sign in with the printed link, open the session's console, then its projector."""
    console = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    console.goto(server["login"])
    console.get_by_role("link", name="Getting started").click()
    console.get_by_text("Connected").wait_for()
    with console.expect_popup() as opened:
        console.get_by_role("link", name="Open the projector").click()
    projector = opened.value
    projector.set_viewport_size({"width": screen[0], "height": screen[1]})
    return console, projector


def finish_job(faculty: Any, started: Any, timeout: float = 120) -> tuple[dict[str, Any], bytes]:
    """Follow a job the console started (the 303 to its page) to its end: its last state and,
    once finished, its file."""
    assert started.status_code == 303, started.get_data(as_text=True)[:300]
    found = re.search(r"/console/jobs/([^/?#]+)", started.headers["Location"])
    assert found, started.headers["Location"]
    state: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = faculty.get(f"/console/jobs/{found[1]}.json").get_json()
        if state["state"] in ("finished", "failed"):
            break
        time.sleep(0.3)
    if state.get("state") != "finished":
        return state, b""
    reply = faculty.get(f"/console/jobs/{found[1]}/file")
    assert reply.status_code == 200
    return state, bytes(reply.data)


class Downloads:
    """What a phone's browser downloads, page by page: each page and the scripts and styles it
    names (gzipped, as sent; each fetched once, then kept), in bytes of body."""

    GZIP: ClassVar[dict[str, str]] = {"Accept-Encoding": "gzip, deflate"}

    def __init__(self) -> None:
        self.fetched: dict[str, int] = {}
        self.total = 0

    def load(self, client: Any, url: str) -> str:
        page = client.get(url, headers=self.GZIP)
        assert page.status_code == 200, url
        assert page.headers["Content-Encoding"] == "gzip", url
        self.total += len(page.get_data())
        html = gzip.decompress(page.get_data()).decode()
        pages = set(re.findall(r'<a [^>]*href="(/[^"]+)"', html))  # links to follow, not downloads
        for asset in re.findall(r'(?:src|href)="(/[^"]+)"', html):
            if asset in self.fetched or asset.endswith(".ico") or asset in pages:
                continue  # the browser has it already, or it is a page a person may open
            reply = client.get(asset, headers=self.GZIP)
            assert reply.status_code == 200, asset
            assert "immutable" in reply.headers["Cache-Control"], asset
            assert re.search(r"\?v=[0-9a-f]{12}$", asset), f"{asset} has no version in its URL"
            self.fetched[asset] = len(reply.get_data())
            self.total += self.fetched[asset]
            reply.close()
        assert not re.search(r'(?:src|href)="https?://', html), "nothing from outside the server"
        return html
