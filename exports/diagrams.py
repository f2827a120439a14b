"""Drawings for printed pages, as SVG text: the driver diagram and a blank run-chart grid."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from curriculum.model import DriverDiagram, PrimaryDriver
from curriculum.translate import N_
from curriculum.worksheets import WORKSHEETS

DEFAULT_WIDTH = 940.0  # SVG user units (CSS px): a landscape Letter page's text width
FONT = "DejaVu Sans"
TEAL, TEAL_LIGHT, CORAL = "#12435A", "#E3EDF1", "#E07A5F"
INK, LINE, PAPER = "#23313A", "#8CA3AE", "#F5F6F4"
CHAR_EM = 0.55  # DejaVu Sans: average advance width of running text, in em
BOLD_EM = 0.61
PAD, GAP, ROW_GAP, GROUP_GAP, HEAD = 7.0, 30.0, 7.0, 16.0, 26.0
HEADERS = (
    WORKSHEETS["aim"].gallery_label,
    N_("Primary drivers"),
    N_("Secondary drivers"),
    N_("Change ideas"),
)
TIME_AXIS = N_("Time (weeks or months)")
COLUMNS = (0.16, 0.2, 0.22)  # aim, primary, secondary; change ideas take the rest
MIN_BOX = 38.0  # a box with no text still leaves room to write in it
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def wrap(text: str, width: float, size: float, em: float = CHAR_EM) -> list[str]:
    """`text` broken into lines that fit `width` at font `size`, by estimated character width."""
    per_line = max(1, int(width / (size * em)))
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > per_line:  # a word longer than a line: cut it
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= per_line:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


@dataclass(frozen=True)
class _Style:
    size: float
    bold: bool = False

    @property
    def leading(self) -> float:
        return self.size * 1.3

    def lines(self, text: str, width: float) -> list[str]:
        return wrap(text, width - 2 * PAD, self.size, BOLD_EM if self.bold else CHAR_EM)

    def height(self, lines: int) -> float:
        return max(MIN_BOX, 2 * PAD + lines * self.leading)


AIM, PRIMARY, SECONDARY, CHANGE = _Style(12.5, True), _Style(11.5, True), _Style(11), _Style(10.5)
BULLET = 11.0  # indent of a change idea's text after its bullet


@dataclass(frozen=True)
class _Columns:
    x: tuple[float, float, float, float]
    w: tuple[float, float, float, float]


def _columns(width: float) -> _Columns:
    usable = width - 3 * GAP - 2  # 1 unit of margin each side keeps strokes inside the picture
    widths = [usable * f for f in COLUMNS]
    widths.append(usable - sum(widths))
    xs = [1.0]
    for w in widths[:-1]:
        xs.append(xs[-1] + w + GAP)
    return _Columns((xs[0], xs[1], xs[2], xs[3]), (widths[0], widths[1], widths[2], widths[3]))


def _change_lines(changes: tuple[str, ...], width: float) -> list[list[str]]:
    return [wrap(c, width - 2 * PAD - BULLET, CHANGE.size) or [""] for c in changes]


def _row_heights(primary: PrimaryDriver, cols: _Columns) -> list[float]:
    heights = []
    for s in primary.secondary:
        ideas = _change_lines(s.changes, cols.w[3])
        ideas_h = max(MIN_BOX, 2 * PAD + sum(len(i) for i in ideas) * CHANGE.leading + (len(ideas) - 1) * 3)
        heights.append(max(SECONDARY.height(len(SECONDARY.lines(s.text, cols.w[2]))), ideas_h))
    return heights or [MIN_BOX]


def _group_height(primary: PrimaryDriver, cols: _Columns) -> float:
    rows = _row_heights(primary, cols)
    own = PRIMARY.height(len(PRIMARY.lines(primary.text, cols.w[1])))
    return max(own, sum(rows) + ROW_GAP * (len(rows) - 1))


def driver_diagram_height(diagram: DriverDiagram, width: float = DEFAULT_WIDTH) -> float:
    """The height, in SVG units, that driver_diagram_svg(diagram, width) draws."""
    cols = _columns(width)
    groups = [_group_height(p, cols) for p in diagram.primary]
    body = sum(groups) + GROUP_GAP * max(0, len(groups) - 1)
    aim = AIM.height(len(AIM.lines(diagram.aim, cols.w[0])))
    return HEAD + max(body, aim) + 2


def split_driver_diagram(
    diagram: DriverDiagram, max_height: float, width: float = DEFAULT_WIDTH
) -> tuple[DriverDiagram, ...]:
    """The diagram cut between primary drivers into parts that each fit `max_height` (one per page)."""
    parts: list[DriverDiagram] = []
    group: list[PrimaryDriver] = []
    for primary in diagram.primary:
        trial = DriverDiagram(diagram.aim, (*group, primary))
        if group and driver_diagram_height(trial, width) > max_height:
            parts.append(DriverDiagram(diagram.aim, tuple(group)))
            group = [primary]
        else:
            group.append(primary)
    parts.append(DriverDiagram(diagram.aim, tuple(group)))
    return tuple(parts)


def _box(out: list[str], x: float, y: float, w: float, h: float, fill: str, stroke: str) -> None:
    out.append(
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="4" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1"/>'
    )


def _lines(
    out: list[str], lines: list[str], x: float, top: float, style: _Style, colour: str, anchor: str = "start"
) -> None:
    weight = ' font-weight="bold"' if style.bold else ""
    for n, line in enumerate(lines):
        baseline = top + n * style.leading + (style.leading - style.size) / 2 + 0.8 * style.size
        out.append(
            f'<text x="{x:.1f}" y="{baseline:.1f}" font-size="{style.size}"{weight} '
            f'fill="{colour}" text-anchor="{anchor}">{_text(line)}</text>'
        )


def _labelled_box(
    out: list[str], text: str, style: _Style, x: float, y: float, w: float, h: float, fill: str, colour: str
) -> None:
    lines = style.lines(text, w)
    _box(out, x, y, w, h, fill, TEAL)
    _lines(out, lines, x + PAD, y + (h - len(lines) * style.leading) / 2, style, colour)


def _elbow(out: list[str], x1: float, y1: float, x2: float, y2: float) -> None:
    mid = (x1 + x2) / 2
    out.append(
        f'<path d="M{x1:.1f},{y1:.1f} H{mid:.1f} V{y2:.1f} H{x2:.1f}" fill="none" '
        f'stroke="{LINE}" stroke-width="1.2"/>'
    )


def _changes(out: list[str], changes: tuple[str, ...], x: float, y: float, w: float, h: float) -> None:
    _box(out, x, y, w, h, PAPER, "#C9D1D5")
    ideas = _change_lines(changes, w)
    used = sum(len(i) for i in ideas) * CHANGE.leading + (len(ideas) - 1) * 3
    top = y + (h - used) / 2
    for lines in ideas:
        if lines != [""]:
            out.append(
                f'<circle cx="{x + PAD + 3:.1f}" cy="{top + CHANGE.leading / 2 + 0.5:.1f}" '
                f'r="2" fill="{CORAL}"/>'
            )
        _lines(out, lines, x + PAD + BULLET, top, CHANGE, INK)
        top += len(lines) * CHANGE.leading + 3


def driver_diagram_svg(
    diagram: DriverDiagram, width: float = DEFAULT_WIDTH, words: Callable[[str], str] = str
) -> str:
    """The driver diagram as SVG: aim, primary and secondary drivers, change ideas, joined by lines."""
    cols = _columns(width)
    height = driver_diagram_height(diagram, width)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="driver-diagram" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}">'
    ]
    for x, w, title in zip(cols.x, cols.w, [words(h) for h in HEADERS], strict=True):
        out.append(
            f'<text x="{x:.1f}" y="14" font-size="11" font-weight="bold" fill="{TEAL}">'
            f"{_text(title.upper())}</text>"
        )
        out.append(f'<rect x="{x:.1f}" y="18" width="{w:.1f}" height="1.5" fill="{CORAL}"/>')
    body_top, body = HEAD, height - HEAD - 2
    aim_lines = AIM.lines(diagram.aim, cols.w[0])
    aim_h = AIM.height(len(aim_lines))
    aim_y = body_top + (body - aim_h) / 2
    _box(out, cols.x[0], aim_y, cols.w[0], aim_h, TEAL, TEAL)
    _lines(
        out,
        aim_lines,
        cols.x[0] + cols.w[0] / 2,
        aim_y + (aim_h - len(aim_lines) * AIM.leading) / 2,
        AIM,
        "#FFFFFF",
        anchor="middle",
    )
    groups_h = sum(_group_height(p, cols) for p in diagram.primary)
    groups_h += GROUP_GAP * max(0, len(diagram.primary) - 1)
    y = body_top + (body - groups_h) / 2
    for primary in diagram.primary:
        group_h = _group_height(primary, cols)
        rows = _row_heights(primary, cols)
        own_h = PRIMARY.height(len(PRIMARY.lines(primary.text, cols.w[1])))
        own_y = y + (group_h - own_h) / 2
        _elbow(out, cols.x[0] + cols.w[0], aim_y + aim_h / 2, cols.x[1], own_y + own_h / 2)
        _labelled_box(out, primary.text, PRIMARY, cols.x[1], own_y, cols.w[1], own_h, TEAL_LIGHT, TEAL)
        row_y = y + (group_h - sum(rows) - ROW_GAP * (len(rows) - 1)) / 2
        for secondary, row_h in zip(primary.secondary, rows, strict=False):
            mid = row_y + row_h / 2
            _elbow(out, cols.x[1] + cols.w[1], own_y + own_h / 2, cols.x[2], mid)
            _labelled_box(out, secondary.text, SECONDARY, cols.x[2], row_y, cols.w[2], row_h, "#FFFFFF", INK)
            out.append(
                f'<path d="M{cols.x[2] + cols.w[2]:.1f},{mid:.1f} H{cols.x[3]:.1f}" '
                f'stroke="{LINE}" stroke-width="1.2"/>'
            )
            _changes(out, secondary.changes, cols.x[3], row_y, cols.w[3], row_h)
            row_y += row_h + ROW_GAP
        y += group_h + GROUP_GAP
    out.append("</svg>")
    return "\n".join(out)


def run_chart_grid_svg(
    width: float = 320.0, height: float = 170.0, points: int = 20, words: Callable[[str], str] = str
) -> str:
    """A blank run chart to draw on: a grid, a labelled baseline (dashed) and a labelled target line."""
    left, bottom, top, right = 30.0, 24.0, 8.0, 44.0
    plot_w, plot_h = width - left - right, height - top - bottom
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="run-chart" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}">'
    ]
    step = plot_w / (points - 1)
    grid = [f"M{left + n * step:.1f},{top:.1f} V{top + plot_h:.1f}" for n in range(points)]
    grid += [f"M{left:.1f},{top + n * plot_h / 6:.1f} H{left + plot_w:.1f}" for n in range(7)]
    out.append(f'<path d="{" ".join(grid)}" stroke="#D9DEE1" stroke-width="0.6" fill="none"/>')
    out.append(
        f'<path d="M{left:.1f},{top:.1f} V{top + plot_h:.1f} H{left + plot_w:.1f}" '
        f'stroke="{INK}" stroke-width="1" fill="none"/>'
    )
    base_y, target_y = top + plot_h * 0.68, top + plot_h * 0.22
    out.append(
        f'<path d="M{left:.1f},{base_y:.1f} H{left + plot_w:.1f}" stroke="{TEAL}" '
        f'stroke-width="1.4" stroke-dasharray="5 3"/>'
    )
    out.append(
        f'<path d="M{left:.1f},{target_y:.1f} H{left + plot_w:.1f}" stroke="{CORAL}" stroke-width="1.6"/>'
    )
    measure = WORKSHEETS["measures"]
    for y, label, colour in (
        (base_y, _text(words(measure.field("baseline").label)), TEAL),
        (target_y, _text(words(measure.field("target").label)), CORAL),
    ):
        out.append(
            f'<text x="{left + plot_w + 4:.1f}" y="{y + 3:.1f}" font-size="8.5" '
            f'fill="{colour}">{label}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6:.1f}" font-size="8.5" fill="{INK}" '
        f'text-anchor="middle">{_text(words(TIME_AXIS))}</text>'
    )
    out.append(
        f'<text x="12" y="{top + plot_h / 2:.1f}" font-size="8.5" fill="{INK}" '
        f'text-anchor="middle" transform="rotate(-90 12 {top + plot_h / 2:.1f})">'
        f"{_text(words(measure.field('name').label))}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)
