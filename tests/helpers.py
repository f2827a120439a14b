"""Readers for generated files: QR codes, deck text, PDF text, LibreOffice rendering."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

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
            titles.extend(slide.title for slide in item.module.slides)
    return titles


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
