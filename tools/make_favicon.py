"""Make the room's icon: a teal tile with a coral PDSA ring, as icon.svg (what the pages link
to: a few hundred bytes) and favicon.ico (16, 32, 48 px, for browsers that ask at the root).

.venv/bin/python tools/make_favicon.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent / "live" / "static" / "live"
OUT = STATIC / "favicon.ico"
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


def svg() -> str:
    """The same tile drawn as SVG: two dashed circles make the four quarters."""
    radius, width = 68, 28
    around = 2 * math.pi * radius
    arc, rest = around * 82 / 360, around * 98 / 360

    def ring(colour: tuple[int, int, int], turn: int) -> str:
        return (
            f'<circle cx="128" cy="128" r="{radius}" fill="none" stroke="#{bytes(colour).hex()}" '
            f'stroke-width="{width}" stroke-dasharray="{arc:.1f} {rest:.1f}" '
            f'transform="rotate({turn} 128 128)"/>'
        )

    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256">'
        f'<rect width="256" height="256" rx="51" fill="#{bytes(TEAL).hex()}"/>'
        f"{ring(CORAL, 4)}{ring(WHITE, 94)}</svg>\n"
    )


if __name__ == "__main__":
    tile().save(OUT, sizes=[(16, 16), (32, 32), (48, 48)])
    (STATIC / "icon.svg").write_text(svg())
    print(OUT, STATIC / "icon.svg")
