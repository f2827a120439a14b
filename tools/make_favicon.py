"""Make the room's icon: a teal tile with a coral PDSA ring, as favicon.ico (16, 32, 48 px).

.venv/bin/python tools/make_favicon.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "live" / "static" / "live" / "favicon.ico"
TEAL, CORAL, WHITE = (0x12, 0x43, 0x5A), (0xE0, 0x7A, 0x5F), (0xFF, 0xFF, 0xFF)


def tile(size: int = 256) -> Image.Image:
    """The icon at 256 px: a rounded teal square, a ring of four coral quarters (P, D, S, A)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=TEAL)
    box = (size * 0.18, size * 0.18, size * 0.82, size * 0.82)
    for quarter in range(4):
        start = quarter * 90 + 4
        draw.arc(box, start, start + 82, fill=CORAL if quarter % 2 == 0 else WHITE, width=size // 9)
    return image


if __name__ == "__main__":
    tile().save(OUT, sizes=[(16, 16), (32, 32), (48, 48)])
    print(OUT)
