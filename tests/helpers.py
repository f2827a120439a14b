"""Readers for generated files: QR codes, deck text, PDF text, LibreOffice rendering."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pptx.enum.shapes import MSO_SHAPE_TYPE

from curriculum.model import Curriculum, LearningSession
from exports.decks import AGENDA_ROWS_PER_SLIDE


def decode_qr(image: bytes) -> str:
    """The text of the one QR code in a PNG, decoded by zbarimg."""
    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        handle.write(image)
        handle.flush()
        done = subprocess.run(["zbarimg", "--quiet", "--raw", handle.name],
                              capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def pictures(slide: Any) -> list[Any]:
    """The pictures on a slide, in placeholders or not."""
    return [s for s in slide.shapes
            if s.shape_type == MSO_SHAPE_TYPE.PICTURE
            or (s.shape_type == MSO_SHAPE_TYPE.PLACEHOLDER and hasattr(s, "image"))]


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
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(outdir), str(source)],
        capture_output=True, timeout=300, check=True)
    return outdir / (source.stem + ".pdf")


def pdf_pages(path: Path) -> int:
    """The page count of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)
