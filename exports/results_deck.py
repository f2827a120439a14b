"""The results deck: what a learning session's room said, as slides faculty can edit.

Every answered poll as a native bar chart (counts and percentages on the bars), a word cloud
as a picture, approved open answers and the top questions as text, each team's assessment
scale (first and last rating), commitments by team and the most-dotted storyboards as native
charts. With action-period data, a section per measure: the collaborative's combined run chart
(the teams pooled, its median and goal, the points the run-chart rules flag in coral and the
rules' findings as its title), then each team's own chart, six to a slide, all native line
charts. Built from the curriculum decks' template, layouts chosen by name (docs/decks.md).
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.util import Emu, Pt

from curriculum.model import BulletList, Paragraph, Run
from curriculum.worksheets import WORKSHEETS
from exports.decks import DEFAULT_TEMPLATE, fill_text, list_item, load_template, placeholder, remove_shape
from exports.runcharts import analyse

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CLOUD_SIZE = (1600, 900)
TEAL = "#12435A"
ANSWERS_PER_SLIDE = 8
TEAMS_PER_SLIDE = 6  # each team's chart, three by two
CORAL = RGBColor(0xC4, 0x55, 0x3A)  # type: ignore[no-untyped-call]


def _title_slide(prs: Any, title: str, lines: list[str], notes: str) -> None:
    slide = prs.slides.add_slide(_layout(prs, "Title"))
    slide.shapes.title.text = title
    fill_text(placeholder(slide, 1), [Paragraph((Run(x),)) for x in lines])
    slide.notes_slide.notes_text_frame.text = notes


def _layout(prs: Any, name: str) -> Any:
    return next(layout for layout in prs.slide_layouts if layout.name == name)


def _content(prs: Any, title: str, notes: str) -> tuple[Any, Any]:
    slide = prs.slides.add_slide(_layout(prs, "Title and Content"))
    slide.shapes.title.text = title
    slide.notes_slide.notes_text_frame.text = notes
    return slide, placeholder(slide, 1)


def _chart(
    prs: Any,
    title: str,
    notes: str,
    categories: list[str],
    series: dict[str, list[float | None]],
    shares: list[int | None] | None = None,
) -> Any:
    """A bar chart filling the content area; with `shares`, each bar says its count and share."""
    slide, holder = _content(prs, title, notes)
    left, top, width, height = holder.left, holder.top, holder.width, holder.height
    remove_shape(holder)
    data = CategoryChartData()  # type: ignore[no-untyped-call]
    data.categories = categories
    for name, values in series.items():
        data.add_series(name, values)  # type: ignore[no-untyped-call]
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, left, top, width, height, data)
    chart = frame.chart
    chart.has_title = False  # the slide's title says what it is
    chart.font.size = Pt(16)
    chart.category_axis.reverse_order = True  # the first option on top, as on the projector
    chart.category_axis.tick_labels.font.size = Pt(18)
    chart.value_axis.tick_labels.font.size = Pt(14)
    chart.value_axis.has_major_gridlines = False
    highest = max((v or 0 for values in series.values() for v in values), default=0)
    chart.value_axis.minimum_scale = 0
    chart.value_axis.major_unit = max(1, math.ceil(highest / 5))  # whole people, whole votes
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.font.size = Pt(14)
    if shares and all(s is not None for s in shares):
        values = next(iter(series.values()))
        for point, value, share in zip(plot.series[0].points, values, shares, strict=True):
            point.data_label.text_frame.text = f"{value or 0:g} ({share}%)"
    return chart


def _line_chart(
    slide: Any,
    box: tuple[int, int, int, int],
    months: list[str],
    values: list[float],
    target: float | None,
    title: str,
    size: int,
) -> Any:
    """A run chart as a native line chart: the values with markers, the median, the goal; the
    points the run-chart rules flag in coral, and `title` over it."""
    analysis = analyse(values)
    data = CategoryChartData()  # type: ignore[no-untyped-call]
    data.categories = months
    data.add_series("Value", values)  # type: ignore[no-untyped-call]
    if analysis.median is not None:
        data.add_series("Median", [analysis.median] * len(values))  # type: ignore[no-untyped-call]
    if target is not None:
        goal = WORKSHEETS["measures"].field("target").label
        data.add_series(goal, [target] * len(values))  # type: ignore[no-untyped-call]
    chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, *box, data).chart
    chart.font.size = Pt(size)
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(size + 2)
    chart.value_axis.has_major_gridlines = False
    chart.has_legend = len(data) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    lines = list(chart.plots[0].series)
    for extra in lines[1:]:
        extra.marker.style = XL_MARKER_STYLE.NONE
        extra.smooth = False
    flagged = {i for s in analysis.signals for i in s.points}
    for i in sorted(flagged):
        marker = lines[0].points[i].marker
        marker.style = XL_MARKER_STYLE.CIRCLE
        marker.format.fill.solid()
        marker.format.fill.fore_color.rgb = CORAL
    return chart


def _measure_slides(prs: Any, measure: Any) -> None:
    """A measure of the action period: the teams pooled, then each team's own chart."""
    analysis = analyse(list(measure.pooled))
    found = "; ".join(s.text for s in analysis.signals) or "No signals yet"
    slide, holder = _content(
        prs,
        f"{measure.name}: all teams together",
        f"Every team's numerators over their denominators, month by month. {found}.",
    )
    box = (holder.left, holder.top, holder.width, holder.height)
    remove_shape(holder)
    _line_chart(slide, box, list(measure.months), list(measure.pooled), measure.target, found, 14)
    for start in range(0, len(measure.teams), TEAMS_PER_SLIDE):
        page = measure.teams[start : start + TEAMS_PER_SLIDE]
        slide, holder = _content(prs, f"{measure.name}: each team", "Each team's own run chart.")
        left, top, width, height = holder.left, holder.top, holder.width, holder.height
        remove_shape(holder)
        cell_w, cell_h = width // 3, height // 2
        for n, (team, months, values) in enumerate(page):
            at = (left + (n % 3) * cell_w, top + (n // 3) * cell_h, cell_w, cell_h)
            _line_chart(slide, at, list(months), list(values), None, team, 10)


def _cloud_png(words: tuple[tuple[str, int], ...]) -> bytes:
    """The words, each sized by how often it was said, laid out line by line (most said first)."""
    width, height = CLOUD_SIZE
    image = Image.new("RGB", CLOUD_SIZE, "white")
    draw = ImageDraw.Draw(image)
    top = max((c for _, c in words), default=1)
    placed: list[tuple[str, ImageFont.FreeTypeFont, float, float]] = []
    x, y, line_h, margin = 40.0, 40.0, 0.0, 28.0
    for word, count in words:
        size = int(36 + 84 * (count / top))
        font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), size)
        box = draw.textbbox((0, 0), word, font=font)
        w, h = box[2] - box[0], box[3] - box[1]
        if x + w > width - 40:
            x, y, line_h = 40.0, y + line_h + margin, 0.0
        if y + h > height - 40:
            break
        placed.append((word, font, x, y))
        x, line_h = x + w + margin, max(line_h, h)
    # Centre the lines block on the canvas.
    shift_y = (height - (y + line_h + 40)) / 2 if placed else 0
    for word, font, wx, wy in placed:
        draw.text((wx, wy + max(shift_y, 0)), word, font=font, fill=TEAL)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def build_results_deck(results: Any, template: Path = DEFAULT_TEMPLATE) -> bytes:
    """The results of one learning session (live.results.SessionResults) as .pptx bytes."""
    prs = load_template(template)
    _title_slide(
        prs,
        results.collaborative,
        [f"Results: {results.session}", results.date],
        "What the room said today, from the polls, the question board, the ratings and the gallery walk.",
    )
    for poll in results.polls:
        notes = f"{poll.prompt} ({poll.count} answers)"
        if poll.bars:
            _chart(
                prs,
                poll.title,
                notes,
                [b[0] for b in poll.bars],
                {"Answers": [b[1] for b in poll.bars]},
                [b[2] for b in poll.bars],
            )
        if poll.words:
            slide, holder = _content(
                prs, poll.title, notes + ". " + ", ".join(f"{w} ({n})" for w, n in poll.words)
            )
            left, top, width, height = holder.left, holder.top, holder.width, holder.height
            remove_shape(holder)
            picture = slide.shapes.add_picture(io.BytesIO(_cloud_png(poll.words)), left, top)
            scale = min(width / picture.width, height / picture.height)
            picture.width = Emu(int(picture.width * scale))
            picture.height = Emu(int(picture.height * scale))
            picture.left = Emu(int(left + (width - picture.width) / 2))
            alt = "Word cloud: " + ", ".join(f"{w} ({n})" for w, n in poll.words)
            picture._element.xpath("./p:nvPicPr/p:cNvPr")[0].set("descr", alt)
        for start in range(0, len(poll.answers), ANSWERS_PER_SLIDE):
            page = poll.answers[start : start + ANSWERS_PER_SLIDE]
            _slide, holder = _content(prs, poll.title, notes)
            fill_text(
                holder,
                [Paragraph((Run(poll.prompt, bold=True),)), BulletList(tuple(list_item(a) for a in page))],
            )
    if results.questions:
        _slide, holder = _content(prs, "Your top questions", "The approved questions, most voted first.")
        fill_text(
            holder,
            [BulletList(tuple(list_item(f"{text} ({votes} votes)") for text, votes in results.questions))],
        )
    if results.ratings:
        teams = [team for team, _first, _last in results.ratings]
        series: dict[str, list[float | None]] = {"First rating": [r[1] for r in results.ratings]}
        if any(r[1] != r[2] for r in results.ratings):
            series["Last rating"] = [r[2] for r in results.ratings]
        chart = _chart(
            prs, "The IHI Assessment Scale: every team", "Each team's own rating, 0.5 to 5.0.", teams, series
        )
        chart.value_axis.maximum_scale, chart.value_axis.major_unit = 5, 0.5
    if results.commitments:
        _chart(
            prs,
            "Commitments by team",
            "How many commitments each team wrote for the first week home.",
            [t for t, _ in results.commitments],
            {"Commitments": [n for _, n in results.commitments]},
        )
    if results.dots:
        _chart(
            prs,
            "The most-dotted storyboards",
            "Dots placed on each team's storyboard during the gallery walk.",
            [t for t, _ in results.dots],
            {"Dots": [n for _, n in results.dots]},
        )
    for measure in getattr(results, "measures", ()):
        _measure_slides(prs, measure)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
