"""QR codes for join links: PNG for decks, SVG for pages and PDFs."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _code(data: str) -> qrcode.QRCode:
    # Medium error correction survives a projector's glare and a creased handout.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, box_size=20)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str) -> bytes:
    """A black-on-white PNG QR code of `data`."""
    image = _code(data).make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_svg(data: str) -> str:
    """An SVG QR code of `data` (one path, scalable), as text without an XML declaration."""
    image = _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    text: str = image.to_string(encoding="unicode")
    return text[text.index("<svg") :]
