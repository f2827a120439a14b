"""The collaborative's own content on slides: its driver diagram drawn in native shapes (editable
in PowerPoint, Keynote, LibreOffice), its change package and its measures as tables.

A module asks for them with a ```topic block (curriculum.model.TopicBlock); each collaborative's
deck then shows its own topic pack where the shared module stands.
"""

from __future__ import annotations

from dataclasses import dataclass

from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR
from pptx.slide import Slide as PptxSlide
from pptx.util import Emu, Pt

from curriculum.assessment import ASSESSMENT_SCALE
from curriculum.model import (
    DriverDiagram,
    Measure,
    Paragraph,
    PrimaryDriver,
    Run,
    SecondaryDriver,
    Table,
    TopicBlock,
    TopicPack,
)
from curriculum.worksheets import WORKSHEETS

TEAL = RGBColor(0x12, 0x43, 0x5A)  # type: ignore[no-untyped-call]
TEAL_LIGHT = RGBColor(0xE3, 0xED, 0xF1)  # type: ignore[no-untyped-call]
CORAL_LIGHT = RGBColor(0xFB, 0xE3, 0xDC)  # type: ignore[no-untyped-call]
INK = RGBColor(0x23, 0x31, 0x3A)  # type: ignore[no-untyped-call]
LINE = RGBColor(0x8C, 0xA3, 0xAE)  # type: ignore[no-untyped-call]
WHITE = RGBColor(0xFF, 0xFF, 0xFF)  # type: ignore[no-untyped-call]
MIN_PT = 12  # nothing on a projected slide is smaller
# The measures worksheet's own labels: a measure reads the same on the slide and the phone.
_MEASURE = WORKSHEETS["measures"]
MEASURE_HEADER = (
    _MEASURE.field("name").label,
    _MEASURE.field("definition").label,
    _MEASURE.field("target").label,
)
MEASURE_WIDTHS = (0.22, 0.6, 0.18)
CHANGE_HEADER = (
    "Change idea",
    "What to try first",
    WORKSHEETS["action-plan"].field("who").label,
    "A tool for tomorrow",
)


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int


def text_size(text: str, width_emu: int, height_emu: int, largest: int = 20) -> int:
    """The largest size (pt, at least MIN_PT) at which `text` should fit the box, estimated."""
    width_pt, height_pt = width_emu / 12700 - 10, height_emu / 12700 - 2
    size = largest
    while size > MIN_PT:
        per_line = max(6, int(width_pt / (size * 0.52)))
        lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
        if lines * size * 1.15 <= height_pt:
            return size
        size -= 1
    return MIN_PT


def _box(
    slide: PptxSlide, box: Box, text: str, fill: RGBColor, colour: RGBColor, bold: bool, largest: int
) -> None:
    shape = slide.shapes.add_shape(
        MSO_SHAPE.ROUNDED_RECTANGLE, Emu(box.left), Emu(box.top), Emu(box.width), Emu(box.height)
    )
    shape.adjustments[0] = 0.08
    shape.fill.solid()
    shape.fill.fore_color.rgb = fill
    shape.line.color.rgb = LINE
    shape.line.width = Pt(1)
    shape.shadow.inherit = False
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    for side in ("margin_left", "margin_right"):
        setattr(frame, side, Emu(60000))
    for side in ("margin_top", "margin_bottom"):
        setattr(frame, side, Emu(30000))
    size = text_size(text, box.width - 120000, box.height - 60000, largest)
    para = frame.paragraphs[0]
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = colour


def _connect(slide: PptxSlide, start: tuple[int, int], end: tuple[int, int]) -> None:
    line = slide.shapes.add_connector(
        MSO_CONNECTOR.ELBOW, Emu(start[0]), Emu(start[1]), Emu(end[0]), Emu(end[1])
    )
    line.line.color.rgb = LINE
    line.line.width = Pt(1.5)


def draw_driver_diagram(slide: PptxSlide, diagram: DriverDiagram, area: Box) -> None:
    """Aim, primary and secondary drivers as boxes joined by connectors, filling `area`.

    Change ideas are too many for one readable slide: the change package shows them, one
    slide per secondary driver.
    """
    rows: list[tuple[PrimaryDriver, SecondaryDriver]] = [(p, s) for p in diagram.primary for s in p.secondary]
    if not rows:
        return
    gap = int(area.width * 0.03)
    widths = (int(area.width * 0.2), int(area.width * 0.28))
    aim_left = area.left
    primary_left = aim_left + widths[0] + gap
    secondary_left = primary_left + widths[1] + gap
    secondary_width = area.left + area.width - secondary_left
    row_gap = int(area.height * 0.02)
    group_gap = int(area.height * 0.03)
    groups = len(diagram.primary)
    row_height = (area.height - (len(rows) - groups) * row_gap - (groups - 1) * group_gap) // len(rows)
    # One size for every box of a column keeps the diagram calm to read.
    secondary_size = min(text_size(s.text, secondary_width - 120000, row_height - 60000) for _, s in rows)
    top = area.top
    primary_boxes: list[Box] = []
    for primary in diagram.primary:
        count = len(primary.secondary)
        height = count * row_height + (count - 1) * row_gap
        primary_boxes.append(Box(primary_left, top, widths[1], height))
        for n, secondary in enumerate(primary.secondary):
            row = Box(secondary_left, top + n * (row_height + row_gap), secondary_width, row_height)
            _box(slide, row, secondary.text, WHITE, INK, False, secondary_size)
            _connect(
                slide,
                (primary_left + widths[1], top + height // 2),
                (secondary_left, row.top + row_height // 2),
            )
        top += height + group_gap
    primary_size = min(
        text_size(p.text, b.width - 120000, b.height - 60000)
        for p, b in zip(diagram.primary, primary_boxes, strict=True)
    )
    for primary, box in zip(diagram.primary, primary_boxes, strict=True):
        _box(slide, box, primary.text, TEAL_LIGHT, TEAL, True, primary_size)
    aim_box = Box(aim_left, area.top, widths[0], area.height)
    _box(slide, aim_box, diagram.aim, TEAL, WHITE, True, 20)
    for box in primary_boxes:
        _connect(
            slide,
            (aim_left + widths[0], area.top + area.height // 2),
            (primary_left, box.top + box.height // 2),
        )


def measures_table(pack: TopicPack, family: str) -> Table:
    """The measures of one family (or all), each with its operational definition and goal."""
    chosen = [m for m in pack.measures if family in ("all", m.family)]
    return Table(
        header=tuple((Run(h),) for h in MEASURE_HEADER),
        rows=tuple(_measure_row(m, family == "all") for m in chosen),
    )


def _measure_row(measure: Measure, with_family: bool) -> tuple[tuple[Run, ...], ...]:
    name = f"{measure.name} ({measure.family})" if with_family else measure.name
    definition = measure.definition
    if measure.numerator and measure.denominator:
        definition += f". Numerator: {measure.numerator}. Denominator: {measure.denominator}."
    goal = measure.target or ("higher" if measure.direction == "up" else "lower")
    return ((Run(name, bold=True),), (Run(definition),), (Run(goal),))


def change_tables(pack: TopicPack, primary_id: str) -> list[tuple[SecondaryDriver, Table]]:
    """One table per secondary driver of `primary_id`: each change idea, what to try, who, a tool."""
    primary = next(p for p in pack.driver_diagram.primary if p.id == primary_id)
    out = []
    for secondary in primary.secondary:
        ideas = secondary.ideas or ()
        rows = tuple(
            ((Run(i.idea, bold=True),), (Run(i.try_),), (Run(i.who),), (Run(i.tool),)) for i in ideas
        )
        out.append((secondary, Table(header=tuple((Run(h),) for h in CHANGE_HEADER), rows=rows)))
    return out


SCALE_WIDTHS = (0.1, 0.28, 0.62)


def scale_table(scores: str) -> Table:
    """The IHI Assessment Scale from one score to another ("0.5-2.5"), from its one definition."""
    low, high = (float(x) for x in scores.split("-"))
    return Table(
        header=((Run("Score"),), (Run("Level"),), (Run("What it means"),)),
        rows=tuple(
            ((Run(p.score, bold=True),), (Run(p.name, bold=True),), (Run(p.description),))
            for p in ASSESSMENT_SCALE
            if low <= p.value <= high
        ),
    )


def aim_paragraph(pack: TopicPack) -> Paragraph:
    return Paragraph((Run(pack.aim),))


def stand_in(block: TopicBlock) -> Paragraph:
    """What a module previewed without a curriculum shows where its topic pack would be."""
    what = {
        "aim": "the collaborative's aim",
        "driver-diagram": "the collaborative's driver diagram",
        "change-package": f"the change ideas of primary driver {block.arg}",
        "measures": f"the collaborative's {block.arg} measures",
        "assessment-scale": "the IHI Assessment Scale",
    }[block.part]
    return Paragraph((Run(f"({what} appears here in each collaborative's deck)", italic=True),))
