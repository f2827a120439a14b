"""Make the pictures the core method modules show: the PDSA cycle, the PDSA ramp, a run chart.

Writes four 1600x1000 PNGs to curriculum/library/core/images/. Pillow only; each picture is
drawn at twice the size and scaled down, which smooths the edges of circles and lines.
Run it again after changing a picture:

    .venv/bin/python tools/make_images.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "curriculum" / "library" / "core" / "images"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

WIDTH, HEIGHT = 1600, 1000
S = 2  # supersampling factor

TEAL = (0x12, 0x43, 0x5A)
TEAL_MID = (0x2F, 0x6E, 0x87)
TEAL_LIGHT = (0xD6, 0xE6, 0xEC)
CORAL = (0xE0, 0x7A, 0x5F)
CORAL_DARK = (0xB8, 0x55, 0x3C)
CORAL_LIGHT = (0xF9, 0xE1, 0xD9)
INK = (0x22, 0x2B, 0x33)
GREY = (0x6B, 0x75, 0x7D)
GRID = (0xE4, 0xE8, 0xEB)
BACKGROUND = (0xFF, 0xFF, 0xFF)
WHITE = (0xFF, 0xFF, 0xFF)

Colour = tuple[int, int, int]


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size * S)


def canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH * S, HEIGHT * S), BACKGROUND)
    return image, ImageDraw.Draw(image)


def save(image: Image.Image, name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).save(path, optimize=True)
    return path


def p(x: float, y: float) -> tuple[float, float]:
    """A point in picture coordinates (1600x1000) on the supersampled canvas."""
    return (x * S, y * S)


def text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    value: str,
    size: int,
    fill: Colour = INK,
    bold: bool = False,
    anchor: str = "la",
) -> None:
    draw.text(p(*xy), value, font=font(size, bold), fill=fill, anchor=anchor)


def lines(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    values: list[str],
    size: int,
    fill: Colour = INK,
    bold: bool = False,
    anchor: str = "la",
    spacing: float = 1.3,
) -> None:
    """Several lines, one under the other, each anchored like the first."""
    x, y = xy
    for value in values:
        text(draw, (x, y), value, size, fill, bold, anchor)
        y += size * spacing


def arrowhead(
    draw: ImageDraw.ImageDraw,
    tip: tuple[float, float],
    angle: float,
    length: float,
    width: float,
    fill: Colour,
) -> None:
    """A filled triangle pointing along `angle` (radians) with its tip at `tip`."""
    tx, ty = tip
    back_x, back_y = tx - length * math.cos(angle), ty - length * math.sin(angle)
    nx, ny = -math.sin(angle), math.cos(angle)
    points = [
        tip,
        (back_x + nx * width / 2, back_y + ny * width / 2),
        (back_x - nx * width / 2, back_y - ny * width / 2),
    ]
    draw.polygon([p(x, y) for x, y in points], fill=fill)


def pdsa_wheel(
    draw: ImageDraw.ImageDraw,
    centre: tuple[float, float],
    radius: float,
    size: int,
    colours: dict[str, Colour],
    gap: float = 4,
) -> None:
    """A PDSA circle: Act top left, Plan top right, Do bottom right, Study bottom left."""
    cx, cy = centre
    box = [p(cx - radius, cy - radius), p(cx + radius, cy + radius)]
    # Pillow angles run clockwise from 3 o'clock.
    quadrants = {"Plan": (270, 360), "Do": (0, 90), "Study": (90, 180), "Act": (180, 270)}
    for name, (start, end) in quadrants.items():
        draw.pieslice(box, start, end, fill=colours[name])
    draw.line([p(cx - radius, cy), p(cx + radius, cy)], fill=WHITE, width=int(gap * S))
    draw.line([p(cx, cy - radius), p(cx, cy + radius)], fill=WHITE, width=int(gap * S))
    offset = radius * 0.45
    label_at = {
        "Plan": (cx + offset, cy - offset),
        "Do": (cx + offset, cy + offset),
        "Study": (cx - offset, cy + offset),
        "Act": (cx - offset, cy - offset),
    }
    for name, xy in label_at.items():
        text(draw, xy, name, size, WHITE, bold=True, anchor="mm")


def make_pdsa_cycle() -> Path:
    image, draw = canvas()
    cx, cy, r = 800, 535, 330
    colours = {"Plan": TEAL, "Do": CORAL, "Study": TEAL_MID, "Act": CORAL_DARK}

    text(draw, (800, 62), "The PDSA cycle", 52, TEAL, bold=True, anchor="mm")

    # The direction of travel: a clockwise arc outside the wheel, with arrowheads.
    ring = r + 38
    ring_box = [p(cx - ring, cy - ring), p(cx + ring, cy + ring)]
    for start in (285, 15, 105, 195):
        draw.arc(ring_box, start, start + 60, fill=GREY, width=7 * S)
        end = math.radians(start + 60)
        tip = (cx + ring * math.cos(end), cy + ring * math.sin(end))
        arrowhead(draw, tip, end + math.pi / 2, 30, 30, GREY)

    pdsa_wheel(draw, (cx, cy), r, 64, colours, gap=8)

    notes = {
        "Act": ((60, 240), [["Adopt, adapt", "or abandon"], ["Plan the", "next cycle"]]),
        "Study": ((60, 640), [["Compare results", "with the prediction"], ["Sum up what", "you learned"]]),
        "Plan": (
            (1230, 240),
            [["Objective and", "prediction"], ["Who, what,", "when, where"], ["Plan for data"]],
        ),
        "Do": (
            (1230, 640),
            [["Run the test"], ["Note problems", "and surprises"], ["Start the", "analysis"]],
        ),
    }
    for name, ((x, top), items) in notes.items():
        text(draw, (x, top - 56), name, 36, colours[name], bold=True)
        draw.line([p(x, top - 8), p(x + 90, top - 8)], fill=colours[name], width=5 * S)
        y: float = top + 14
        for item in items:
            draw.ellipse([p(x + 2, y + 13), p(x + 14, y + 25)], fill=colours[name])
            lines(draw, (x + 28, y), item, 30, INK, spacing=1.22)
            y += 30 * 1.22 * len(item) + 12

    text(
        draw,
        (800, 960),
        "Small, fast tests: each cycle starts from what the last one taught",
        26,
        GREY,
        anchor="mm",
    )
    return save(image, "pdsa-cycle.png")


def make_pdsa_ramp() -> Path:
    image, draw = canvas()
    text(draw, (800, 62), "A ramp of PDSA cycles", 52, TEAL, bold=True, anchor="mm")

    # The ramp: a wedge from bottom left to top right.
    x0, y0 = 110, 820  # foot of the ramp
    x1, y1 = 1300, 390  # top of the ramp
    draw.polygon([p(x0, y0), p(x1, y1), p(x1, y0)], fill=TEAL_LIGHT)
    draw.line([p(x0, y0), p(x1, y1)], fill=TEAL, width=6 * S)
    draw.line([p(x0 - 30, y0), p(x1 + 40, y0)], fill=TEAL, width=4 * S)

    slope = math.atan2(y1 - y0, x1 - x0)
    nx, ny = math.sin(slope), -math.cos(slope)  # unit normal, up and to the left of the ramp
    colours = {"P": TEAL, "D": CORAL, "S": TEAL_MID, "A": CORAL_DARK}
    cycles = [
        (0.13, 50, "Very small test", "one person, one day"),
        (0.37, 62, "Follow-up tests", "three people, one week"),
        (0.61, 76, "Wider tests", "all shifts, more sites"),
        (0.85, 92, "Implementation", "the new standard"),
    ]
    for share, radius, label, sub in cycles:
        bx, by = x0 + share * (x1 - x0), y0 + share * (y1 - y0)
        cx, cy = bx + nx * (radius + 6), by + ny * (radius + 6)
        box = [p(cx - radius, cy - radius), p(cx + radius, cy + radius)]
        for name, (start, end) in {"P": (270, 360), "D": (0, 90), "S": (90, 180), "A": (180, 270)}.items():
            draw.pieslice(box, start, end, fill=colours[name])
        draw.line([p(cx - radius, cy), p(cx + radius, cy)], fill=WHITE, width=4 * S)
        draw.line([p(cx, cy - radius), p(cx, cy + radius)], fill=WHITE, width=4 * S)
        off = radius * 0.45
        size = int(radius * 0.5)
        for name, (dx, dy) in {"P": (1, -1), "D": (1, 1), "S": (-1, 1), "A": (-1, -1)}.items():
            text(draw, (cx + dx * off, cy + dy * off), name, size, WHITE, bold=True, anchor="mm")
        # A white rule from the ramp down to the floor, and the caption under the floor.
        draw.line([p(bx, by + 10), p(bx, y0 - 2)], fill=WHITE, width=3 * S)
        text(draw, (bx, y0 + 22), label, 25, TEAL, bold=True, anchor="ma")
        text(draw, (bx, y0 + 58), sub, 22, INK, anchor="ma")

    # Where the ramp starts and where it leads.
    lines(draw, (40, 580), ["Hunches,", "theories", "and ideas"], 28, CORAL_DARK, bold=True, spacing=1.2)
    draw.line([p(70, 695), p(100, 795)], fill=CORAL_DARK, width=4 * S)
    arrowhead(draw, (104, 810), math.atan2(115, 34), 22, 20, CORAL_DARK)
    lines(
        draw,
        (1335, 250),
        ["Changes that", "result in", "improvement"],
        30,
        CORAL_DARK,
        bold=True,
        spacing=1.2,
    )

    # Learning from data climbs with the cycles, parallel to the ramp.
    ax0, ay0 = 300, 470
    length = 470
    ax1, ay1 = ax0 + length * math.cos(slope), ay0 + length * math.sin(slope)
    draw.line([p(ax0, ay0), p(ax1, ay1)], fill=CORAL, width=8 * S)
    arrowhead(draw, (ax1 + 30 * math.cos(slope), ay1 + 30 * math.sin(slope)), slope, 44, 40, CORAL)
    banner = Image.new("RGBA", (640 * S, 50 * S), (0, 0, 0, 0))
    ImageDraw.Draw(banner).text(
        (320 * S, 25 * S),
        "Learning from data, cycle by cycle",
        font=font(28, True),
        fill=CORAL_DARK,
        anchor="mm",
    )
    banner = banner.rotate(math.degrees(-slope), expand=True, resample=Image.Resampling.BICUBIC)
    mx, my = (ax0 + ax1) / 2 + nx * 42, (ay0 + ay1) / 2 + ny * 42
    image.paste(banner, (int(mx * S - banner.width / 2), int(my * S - banner.height / 2)), banner)
    return save(image, "pdsa-ramp.png")


# The example run chart in each field's words: (title, vertical axis, the change tested).
FIELDS = {
    "clinic": (
        "% of eligible visits with the screen completed, by month",
        "% of visits, screen completed",
        "screen in visit template",
    ),
    "school": (
        "% of unexplained absences with a call home the same day, by month",
        "% of absences, same-day call",
        "same-day call script",
    ),
}


def make_run_chart(field: str = "clinic", show_shift: bool = True) -> Path:
    """The example run chart; without `show_shift`, the same data left for the room to read."""
    title, axis_label, change = FIELDS[field]
    name = f"run-chart-{field}.png" if show_shift else f"run-chart-{field}-to-read.png"
    image, draw = canvas()
    baseline = [38, 45, 41, 36, 47, 43, 40, 44, 39, 46, 42, 37]
    after = [44, 40, 48, 52, 55, 51, 58, 62, 60, 66]
    values = baseline + after
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    labels = [months[i % 12] for i in range(len(values))]
    ordered = sorted(baseline)
    median = (ordered[5] + ordered[6]) / 2  # 41.5
    goal = 70

    text(
        draw,
        (800, 48),
        title,
        38,
        TEAL,
        bold=True,
        anchor="mm",
    )
    text(
        draw,
        (800, 96),
        "Illustrative data: one team of an earlier collaborative, over two years",
        26,
        GREY,
        anchor="mm",
    )

    left, right, top, bottom = 180, 1530, 150, 790
    y_min, y_max = 20, 90

    def y_of(value: float) -> float:
        return bottom - (value - y_min) / (y_max - y_min) * (bottom - top)

    step = (right - left - 40) / (len(values) - 1)

    def x_of(index: float) -> float:
        return left + 20 + index * step

    for tick in range(y_min, y_max + 1, 10):
        y = y_of(tick)
        draw.line([p(left, y), p(right, y)], fill=GRID, width=2 * S)
        text(draw, (left - 14, y), f"{tick}%", 28, GREY, anchor="rm")
    draw.line([p(left, top), p(left, bottom)], fill=INK, width=3 * S)
    draw.line([p(left, bottom), p(right, bottom)], fill=INK, width=3 * S)

    for index, label in enumerate(labels):
        x = x_of(index)
        draw.line([p(x, bottom), p(x, bottom + 10)], fill=INK, width=2 * S)
        text(draw, (x, bottom + 16), label, 24, INK, anchor="ma")
    year_split = (x_of(11) + x_of(12)) / 2
    text(draw, (x_of(0) - 18, bottom + 54), "Year 1", 26, GREY, bold=True, anchor="la")
    text(draw, (year_split + 12, bottom + 54), "Year 2", 26, GREY, bold=True, anchor="la")
    draw.line([p(year_split, bottom + 10), p(year_split, bottom + 84)], fill=GRID, width=2 * S)
    text(draw, ((left + right) / 2, 930), "Month", 30, INK, bold=True, anchor="mm")

    axis = Image.new("RGBA", (560 * S, 50 * S), (0, 0, 0, 0))
    ImageDraw.Draw(axis).text((280 * S, 25 * S), axis_label, font=font(30, True), fill=INK, anchor="mm")
    axis = axis.rotate(90, expand=True, resample=Image.Resampling.BICUBIC)
    image.paste(axis, (int(22 * S), int(((top + bottom) / 2 - 280) * S)), axis)

    # Goal and median.
    y_goal = y_of(goal)
    for x in range(left, right, 28):
        draw.line([p(x, y_goal), p(min(x + 16, right), y_goal)], fill=TEAL_MID, width=3 * S)
    text(draw, (left + 14, y_goal - 8), f"Goal {goal}%", 28, TEAL_MID, bold=True, anchor="lb")

    y_med = y_of(median)
    draw.line([p(left, y_med), p(year_split, y_med)], fill=CORAL_DARK, width=4 * S)
    for x in range(int(year_split), right, 26):
        draw.line([p(x, y_med), p(min(x + 14, right), y_med)], fill=CORAL_DARK, width=4 * S)
    lines(
        draw,
        (right - 6, y_med + 12),
        [f"Baseline median {median:g}%", "(extended)"],
        28,
        CORAL_DARK,
        bold=True,
        anchor="ra",
        spacing=1.15,
    )

    # The shift: the last 8 points are all above the median.
    shift = list(range(14, len(values))) if show_shift else []
    if shift:
        sx0, sx1 = x_of(shift[0]) - 26, min(x_of(shift[-1]) + 26, right + 4)
        sy0 = y_of(max(values[i] for i in shift)) - 24
        draw.rounded_rectangle(
            [p(sx0, sy0), p(sx1, y_med - 12)], radius=18 * S, fill=CORAL_LIGHT, outline=CORAL, width=3 * S
        )
        lines(
            draw,
            ((sx0 + sx1) / 2, y_of(85)),
            ["Shift: 8 points in a row", "above the median"],
            32,
            CORAL_DARK,
            bold=True,
            anchor="ma",
            spacing=1.15,
        )

    # The change tested, marked where it began.
    x = x_of(12)
    draw.line([p(x, top + 66), p(x, y_of(values[12]) - 18)], fill=GREY, width=2 * S)
    lines(
        draw,
        (x - 10, top + 6),
        ["Test begins:", change],
        24,
        GREY,
        anchor="ra",
        spacing=1.2,
    )
    text(draw, (x_of(5.5), y_of(57)), "Baseline: 12 months", 30, GREY, bold=True, anchor="mm")

    points = [p(x_of(i), y_of(v)) for i, v in enumerate(values)]
    draw.line(points, fill=TEAL, width=4 * S, joint="curve")
    for i, (x, y) in enumerate(points):
        colour = CORAL if i in shift else TEAL
        draw.ellipse(
            [x - 12 * S, y - 12 * S, x + 12 * S, y + 12 * S], fill=colour, outline=WHITE, width=3 * S
        )
    return save(image, name)


def main() -> None:
    print(make_pdsa_cycle())
    print(make_pdsa_ramp())
    for field in FIELDS:
        print(make_run_chart(field))
        print(make_run_chart(field, show_shift=False))


if __name__ == "__main__":
    main()
