"""Slide decks: one .pptx per learning session, filled into a template's named layouts."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.opc.packuri import PackURI
from pptx.oxml.ns import qn
from pptx.slide import Slide as PptxSlide
from pptx.util import Emu, Pt

from curriculum.model import (
    Activity,
    AgendaItem,
    Block,
    BulletList,
    Curriculum,
    Image,
    Inline,
    LearningSession,
    ListItem,
    Module,
    Paragraph,
    Run,
    Slide,
    Table,
    TopicBlock,
    TopicPack,
    clock,
    plain,
    session_heading,
)
from curriculum.polls import POLL_KINDS
from curriculum.worksheets import WORKSHEETS
from exports.qr import qr_png
from exports.topic_slides import (
    MEASURE_WIDTHS,
    SCALE_WIDTHS,
    Box,
    aim_paragraph,
    change_tables,
    draw_driver_diagram,
    measures_table,
    scale_table,
    stand_in,
)

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "deck.pptx"
LAYOUTS = ("Title", "Section", "Title and Content", "Two Content", "Activity", "Join")
AGENDA_ROWS_PER_SLIDE = 9
WHITE = RGBColor(0xFF, 0xFF, 0xFF)  # type: ignore[no-untyped-call]
# Placeholder idx of each role in the Activity and Join layouts (docs/decks.md).
KIND, PROMPT, QR, JOIN_TEXT = 15, 1, 13, 14


@dataclass(frozen=True)
class _Numbered:
    """A list shown with letters or numbers (poll options)."""

    items: tuple[ListItem, ...]
    style: str


class TemplateError(ValueError):
    """The deck template cannot be used (not a .pptx, or missing named layouts)."""


@dataclass(frozen=True)
class DeckOptions:
    """How to build a deck: the template file and the room's join link, if any."""

    template: Path = DEFAULT_TEMPLATE
    join_url: str | None = None


def load_template(template: Path) -> Any:
    """Open a template deck and check it has every named layout."""
    try:
        prs = Presentation(str(template))
    except Exception as error:  # python-pptx raises several kinds for a bad package
        raise TemplateError(f"{template} is not a PowerPoint .pptx file ({error})") from error
    names = {layout.name for layout in prs.slide_layouts}
    missing = [name for name in LAYOUTS if name not in names]
    if missing:
        raise TemplateError(
            f"{template} lacks the slide layout{'s' if len(missing) > 1 else ''} "
            + ", ".join(f"'{m}'" for m in missing)
            + " (add layouts with these names to its slide master; see docs/decks.md)"
        )
    for slide_id in list(prs.slides._sldIdLst):  # a template may carry sample slides
        prs.part.drop_rel(slide_id.rId)
        prs.slides._sldIdLst.remove(slide_id)
    _remember_partnames(prs.part.package)  # every deck: the curriculum's and the results
    return prs


def _remember_partnames(package: Any) -> None:
    """Name new parts without walking the whole package each time.

    python-pptx finds a free part name (slide7.xml, notesSlide7.xml) by walking every part of
    the package, twice per slide: a 100-slide deck spent half its build there, and a results
    deck of 214 charts (each with its workbook) 5 of its 11 s. This keeps the names already
    used and picks the same name python-pptx would.
    """
    used: dict[str, set[str]] = {}

    def next_partname(tmpl: str) -> PackURI:
        prefix = tmpl[: (tmpl % 42).find("42")]
        if prefix not in used:
            used[prefix] = {str(p.partname) for p in package.iter_parts() if p.partname.startswith(prefix)}
        names = used[prefix]
        for n in range(len(names) + 1, 0, -1):
            if tmpl % n not in names:
                names.add(tmpl % n)
                return PackURI(tmpl % n)
        raise ValueError(f"no free part name for {tmpl}")  # pragma: no cover

    package.next_partname = next_partname


def short_url(url: str) -> str:
    """A join URL as people type it: without the scheme or a trailing slash."""
    return url.split("://", 1)[-1].rstrip("/")


def build_deck(curriculum: Curriculum, session: LearningSession, options: DeckOptions) -> bytes:
    """The deck of one learning session as .pptx bytes."""
    prs = load_template(options.template)
    deck = _Deck(prs, options.join_url, curriculum.topic_pack)
    deck.title_slide(curriculum, session)
    if options.join_url:
        deck.join_slide(options.join_url)
    deck.agenda_slides(session)
    for item in session.agenda:
        if item.module is None:
            deck.plain_item(item)
            continue
        deck.section_slide(item, item.module)
        for slide in item.module.slides:
            if slide.activity is not None:
                deck.activity_slide(slide, slide.activity)
            else:
                deck.content_slide(slide)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


class _Deck:
    def __init__(self, prs: Any, join_url: str | None, pack: TopicPack | None = None) -> None:
        self.prs = prs
        self.join_url = join_url
        self.pack = pack
        self.layouts = {layout.name: layout for layout in prs.slide_layouts}
        self._qr: bytes | None = None

    def qr(self) -> bytes:
        if self._qr is None and self.join_url:
            self._qr = qr_png(self.join_url)
        return self._qr or b""

    def new(self, layout: str, title: str, notes: str) -> PptxSlide:
        slide: PptxSlide = self.prs.slides.add_slide(self.layouts[layout])
        if slide.shapes.title is not None:
            slide.shapes.title.text = title
        frame = slide.notes_slide.notes_text_frame
        if frame is not None:
            frame.text = notes
        return slide

    # -- generated slides -------------------------------------------------------------------
    def title_slide(self, curriculum: Curriculum, session: LearningSession) -> None:
        when = " · ".join(x for x in (session.day, session.venue) if x)
        notes = (
            f"{session_heading(session.session, session.title)}. The day runs "
            f"{clock(session.start)} to {clock(session.end)}. Welcome the teams, name the "
            f"collaborative's aim: {curriculum.aim}"
        )
        slide = self.new("Title", curriculum.title, notes)
        lines = [session_heading(session.session, session.title)]
        if when:
            lines.append(when)
        fill_text(placeholder(slide, 1), [Paragraph((Run(x),)) for x in lines])

    def join_slide(self, url: str) -> None:
        notes = (
            "Leave this up while people arrive. Each team member scans the code with the "
            "phone's camera (or types the address), picks their team and enters a name. "
            "No account or app is needed."
        )
        slide = self.new("Join", "Join the room", notes)
        self.put_qr(slide, QR)
        fill_text(
            placeholder(slide, JOIN_TEXT),
            [
                Paragraph((Run(short_url(url), bold=True),)),
                BulletList(
                    (
                        list_item("Scan the code with your phone's camera"),
                        list_item("Pick your team and type your name"),
                        list_item("Keep the page open all day"),
                    )
                ),
            ],
        )

    def agenda_slides(self, session: LearningSession) -> None:
        rows = session.agenda
        pages = [rows[i : i + AGENDA_ROWS_PER_SLIDE] for i in range(0, len(rows), AGENDA_ROWS_PER_SLIDE)]
        for number, page in enumerate(pages, 1):
            title = "Agenda" if len(pages) == 1 else f"Agenda ({number} of {len(pages)})"
            notes = "Walk the room through the day. " + " ".join(f"{clock(i.start)} {i.title}." for i in page)
            slide = self.new("Title and Content", title, notes)
            table = Table(
                header=((Run("Time"),), (Run("Item"),), (Run("Presenter"),)),
                rows=tuple(
                    (
                        (Run(f"{clock(i.start)}–{clock(i.end)}"),),
                        (Run(i.title),),
                        (Run(i.module.presenter if i.module else ""),),
                    )
                    for i in page
                ),
            )
            _table(slide, placeholder(slide, 1), table, widths=(0.2, 0.55, 0.25))

    def section_slide(self, item: AgendaItem, module: Module) -> None:
        notes = (
            f"{clock(item.start)}–{clock(item.end)} ({module.duration} min). By the end, "
            "participants can: " + "; ".join(module.objectives) + "."
        )
        slide = self.new("Section", module.title, notes)
        meta = " · ".join(x for x in (module.presenter, f"{clock(item.start)}–{clock(item.end)}") if x)
        fill_text(
            placeholder(slide, 1),
            [
                Paragraph((Run(meta),)),
                BulletList(tuple(list_item(o, level=1) for o in module.objectives)),
            ],
        )

    def plain_item(self, item: AgendaItem) -> None:
        notes = f"{item.title}: {clock(item.start)} to {clock(item.end)}."
        if item.kind in ("break", "meal"):
            notes += f" Tell the room when to be back: {clock(item.end)}."
            slide = self.new("Section", item.title, notes)
            fill_text(
                placeholder(slide, 1),
                [
                    Paragraph((Run(f"Back at {clock(item.end)}", bold=True),)),
                    Paragraph((Run(f"{clock(item.start)}–{clock(item.end)} · {item.minutes} min"),)),
                ],
            )
            return
        slide = self.new("Title and Content", item.title, " ".join(x for x in (item.notes, notes) if x))
        fill_text(
            placeholder(slide, 1),
            [
                Paragraph((Run(f"{clock(item.start)}–{clock(item.end)} · {item.minutes} min", bold=True),)),
                BulletList(tuple(list_item(p) for p in item.points)),
            ],
        )

    # -- module slides ----------------------------------------------------------------------
    def content_slide(self, source: Slide) -> None:
        text = [b for b in source.blocks if isinstance(b, (Paragraph, BulletList))]
        topic = next((b for b in source.blocks if isinstance(b, TopicBlock)), None)
        if topic is not None and topic.part == "assessment-scale":
            slide = self.new("Title and Content", source.title, source.notes)
            _table(slide, placeholder(slide, 1), scale_table(topic.arg), widths=SCALE_WIDTHS)
            return
        if topic is not None and self.pack is None:
            text.append(stand_in(topic))
        elif topic is not None and self.pack is not None:
            if topic.part == "aim":
                text.append(aim_paragraph(self.pack))
            elif topic.part == "driver-diagram":
                self.diagram_slide(source, self.pack)
                return
            elif topic.part == "change-package":
                self.change_slides(source, self.pack, topic.arg)
                return
            elif topic.part == "measures" and not text:
                slide = self.new("Title and Content", source.title, source.notes)
                table = measures_table(self.pack, topic.arg)
                _table(slide, placeholder(slide, 1), table, widths=MEASURE_WIDTHS)
                return
        visual = next((b for b in source.blocks if isinstance(b, (Image, Table))), None)
        if topic is not None and topic.part == "measures" and self.pack is not None:
            visual = measures_table(self.pack, topic.arg)
        if visual is not None and text:
            slide = self.new("Two Content", source.title, source.notes)
            fill_text(placeholder(slide, 1), text)
            _visual(slide, placeholder(slide, 2), visual)
        else:
            slide = self.new("Title and Content", source.title, source.notes)
            body = placeholder(slide, 1)
            if visual is not None:
                _visual(slide, body, visual)
            else:
                fill_text(body, text)

    def diagram_slide(self, source: Slide, pack: TopicPack) -> None:
        slide = self.new("Title and Content", source.title, source.notes)
        holder = placeholder(slide, 1)
        area = Box(int(holder.left), int(holder.top), int(holder.width), int(holder.height))
        remove_shape(holder)
        draw_driver_diagram(slide, pack.driver_diagram, area)

    def change_slides(self, source: Slide, pack: TopicPack, primary_id: str) -> None:
        """One slide per secondary driver: its change ideas, what to try, who, and a tool."""
        primary = next(p for p in pack.driver_diagram.primary if p.id == primary_id)
        tables = change_tables(pack, primary_id)
        for number, (secondary, table) in enumerate(tables, 1):
            title = source.title if len(tables) == 1 else f"{source.title} ({number} of {len(tables)})"
            slide = self.new("Title and Content", title, source.notes)
            holder = placeholder(slide, 1)
            left, top, width, height = holder.left, holder.top, holder.width, holder.height
            band = Emu(int(height * 0.16))
            heading = slide.shapes.add_textbox(left, top, width, band)
            fill_text(
                heading,
                [
                    Paragraph((Run(primary.text, bold=True),)),
                    Paragraph((Run(f"Driver: {secondary.text}"),)),
                ],
            )
            # Set all four: a placeholder that inherits its place reads 0 for any not set.
            holder.left, holder.width = left, width
            holder.top, holder.height = Emu(int(top + band)), Emu(int(height - band))
            if table.rows:
                _table(slide, holder, table, widths=(0.27, 0.33, 0.15, 0.25))
            else:
                fill_text(holder, [BulletList(tuple(list_item(c) for c in secondary.changes))])

    def activity_slide(self, source: Slide, activity: Activity) -> None:
        notes = "\n\n".join(x for x in (source.notes, _run_of_show(activity)) if x)
        slide = self.new("Activity", source.title, notes)
        label = activity.kind.replace("-", " ").upper()
        if activity.poll_type in POLL_KINDS:
            label = f"POLL · {POLL_KINDS[activity.poll_type].title.upper()}"
        fill_text(placeholder(slide, KIND), [Paragraph((Run(f"{label} · {activity.minutes} MIN"),))])
        extra = [b for b in source.blocks if isinstance(b, (Paragraph, BulletList))]
        fill_text(placeholder(slide, PROMPT), [*_activity_blocks(activity), *extra])
        if self.join_url and activity.live:
            self.put_qr(slide, QR)
            fill_text(placeholder(slide, JOIN_TEXT), [Paragraph((Run(short_url(self.join_url)),))])
        else:
            remove_shape(placeholder(slide, QR))
            remove_shape(placeholder(slide, JOIN_TEXT))

    def put_qr(self, slide: PptxSlide, idx: int) -> None:
        holder = placeholder(slide, idx)
        if holder is not None and hasattr(holder, "insert_picture"):
            holder.insert_picture(io.BytesIO(self.qr()))
            return
        # A faculty template without a picture placeholder: put the code top right.
        size = Emu(int(self.prs.slide_height * 0.42))
        left = Emu(self.prs.slide_width - size - Emu(457200))
        slide.shapes.add_picture(io.BytesIO(self.qr()), left, Emu(914400), size, size)


def _activity_blocks(activity: Activity) -> list[Block | _Numbered]:
    blocks: list[Block | _Numbered] = []
    if activity.prompt:
        blocks.append(Paragraph((Run(activity.prompt, bold=True),)))
    if activity.kind == "poll" and activity.poll_type in POLL_KINDS:
        kind = POLL_KINDS[activity.poll_type]
        showing = kind.showing(activity.spec)
        if showing.items:
            # Lettered, so the room can say "B" out loud; a ranking's starting order is numbered.
            numbering = "arabicPeriod" if showing.numbering == "numbers" else "alphaUcPeriod"
            blocks.append(_Numbered(tuple(list_item(o) for o in showing.items), numbering))
        if showing.line:
            blocks.append(Paragraph((Run(showing.line),)))
        blocks.append(Paragraph((Run(kind.instruction, italic=True),)))
    elif activity.kind == "team-time" and activity.worksheet:
        blocks.append(
            Paragraph(
                (
                    Run(
                        f"Worksheet: {WORKSHEETS[activity.worksheet].title} "
                        "(in your handout and on your phones)",
                        italic=True,
                    ),
                )
            )
        )
    elif activity.kind == "gallery-walk" and activity.dots:
        blocks.append(
            Paragraph(
                (
                    Run(
                        f"Each of you has {activity.dots} dots to place on other teams' storyboards",
                        italic=True,
                    ),
                )
            )
        )
    elif activity.kind == "question-board":
        line = "Post your questions on your phone; upvote the ones you most want answered"
        blocks.append(Paragraph((Run(line, italic=True),)))
    return blocks


def _run_of_show(activity: Activity) -> str:
    """What the facilitator does with this activity, appended to the slide's notes."""
    if activity.kind == "break":
        return f"Run of show: break for {activity.minutes} minutes; start the timer from the console."
    steps = {
        "poll": "open the poll from the console, give the room time, close it, then reveal results",
        "team-time": "open team time from the console; teams work on their phones and handouts",
        "storyboard": "open storyboards from the console; teams fill theirs on their phones",
        "gallery-walk": "reveal the storyboards from the console; the projector shows the dots live",
        "question-board": "open the question board from the console; approve questions for the projector, "
        "pin the one being answered and mark it answered",
    }[activity.kind]
    text = f"Run of show ({activity.minutes} min): {steps}."
    if activity.poll_type in POLL_KINDS:
        text = " ".join(x for x in (text, POLL_KINDS[activity.poll_type].notes(activity.spec)) if x)
    return text


def list_item(text: str, level: int = 0, ordered: bool = False) -> ListItem:
    """A bullet (or numbered) line of plain text, for fill_text."""
    return ListItem((Run(text),), level, ordered)


def placeholder(slide: PptxSlide, idx: int) -> Any:
    """The slide's placeholder of layout index `idx`, or None."""
    for shape in slide.placeholders:
        if shape.placeholder_format.idx == idx:
            return shape
    return None


def remove_shape(shape: Any) -> None:
    """Take a shape (an unused placeholder) off its slide; None does nothing."""
    if shape is not None:
        element = shape._element
        element.getparent().remove(element)


def _fit_size(blocks: Iterable[Block | _Numbered], width_emu: int, height_emu: int, base: int) -> int:
    """The largest font size (pt, at most `base`) at which the text should fit the box."""
    lines_text: list[tuple[str, int]] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            lines_text.append((plain(block.runs), 0))
        elif isinstance(block, (BulletList, _Numbered)):
            lines_text.extend((plain(i.runs), i.level) for i in block.items)
    width_pt = width_emu / 12700
    height_pt = height_emu / 12700
    size = base
    while size > 12:
        chars_per_line = max(8, int((width_pt - 30) / (size * 0.5)))
        lines = sum(max(1, -(-len(text) // (chars_per_line - level * 3))) for text, level in lines_text)
        needed = lines * size * 1.2 + len(lines_text) * size * 0.35
        if needed <= height_pt:
            return size
        size -= 2
    return size


def fill_text(holder: Any, blocks: Sequence[Block | _Numbered]) -> None:
    """Write blocks into a text placeholder, shrinking the type if they would overflow."""
    if holder is None:
        return
    if not blocks:
        remove_shape(holder)
        return
    frame = holder.text_frame
    frame.clear()
    frame.word_wrap = True
    first = True
    size = _fit_size(blocks, int(holder.width), int(holder.height), _base_size(holder))

    def paragraph() -> Any:
        nonlocal first
        para = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        return para

    for block in blocks:
        if isinstance(block, Paragraph):
            para = paragraph()
            _no_bullet(para)
            _runs(para, block.runs, size)
        elif isinstance(block, (BulletList, _Numbered)):
            style = block.style if isinstance(block, _Numbered) else "arabicPeriod"
            for item in block.items:
                para = paragraph()
                para.level = item.level
                if item.ordered or isinstance(block, _Numbered):
                    _numbered(para, style)
                _runs(para, item.runs, size - 4 * item.level)


def _base_size(holder: Any) -> int:
    """The placeholder's own first-level size from its layout, or 24 pt."""
    try:
        layout_ph = holder._base_placeholder
        size = layout_ph._element.find(".//" + qn("a:lvl1pPr") + "/" + qn("a:defRPr")).get("sz")
        return int(size) // 100
    except (AttributeError, TypeError, ValueError):
        return 24


def _runs(para: Any, runs: tuple[Run, ...], size: int) -> None:
    for source in runs:
        run = para.add_run()
        run.text = source.text
        run.font.size = Pt(size)
        if source.bold:
            run.font.bold = True
        if source.italic:
            run.font.italic = True
        if source.code:
            run.font.name = "DejaVu Sans Mono"


def _no_bullet(para: Any) -> None:
    pPr = para._p.get_or_add_pPr()
    pPr.set("marL", "0")
    pPr.set("indent", "0")
    for old in pPr.findall(qn("a:buNone")):
        pPr.remove(old)
    pPr.insert(0, pPr.makeelement(qn("a:buNone"), {}))


def _numbered(para: Any, style: str) -> None:
    pPr = para._p.get_or_add_pPr()
    pPr.set("marL", str(Emu(457200)))
    pPr.set("indent", str(-Emu(457200)))
    pPr.insert(0, pPr.makeelement(qn("a:buAutoNum"), {"type": style}))


def _visual(slide: PptxSlide, holder: Any, block: Image | Table) -> None:
    if isinstance(block, Image):
        _picture(slide, holder, block)
    else:
        _table(slide, holder, block)


def _picture(slide: PptxSlide, holder: Any, image: Image) -> None:
    left, top, width, height = holder.left, holder.top, holder.width, holder.height
    remove_shape(holder)
    picture = slide.shapes.add_picture(str(image.path), left, top)
    scale = min(width / picture.width, height / picture.height)
    picture.width = Emu(int(picture.width * scale))
    picture.height = Emu(int(picture.height * scale))
    picture.left = Emu(int(left + (width - picture.width) / 2))
    picture.top = Emu(int(top + (height - picture.height) / 2))
    if image.alt:
        picture._element.xpath("./p:nvPicPr/p:cNvPr")[0].set("descr", image.alt)


def _table_size(rows: list[tuple[Inline, ...]], widths_emu: list[int], height_emu: int, largest: int) -> int:
    """The largest size (pt, at least 12) at which every row's longest cell fits the height."""
    size = largest
    while size > 12:
        total = 0.0
        for row in rows:
            lines = 1
            for cell, width in zip(row, widths_emu, strict=False):
                per_line = max(4, int((width / 12700 - 14) / (size * 0.52)))
                lines = max(lines, -(-len(plain(cell)) // per_line))
            total += lines * size * 1.2 + 10  # the cell's margins
        if total <= height_emu / 12700:
            return size
        size -= 1
    return size


def _table(slide: PptxSlide, holder: Any, table: Table, widths: tuple[float, ...] | None = None) -> None:
    left, top, width, height = holder.left, holder.top, holder.width, holder.height
    remove_shape(holder)
    columns = max(len(table.header), *(len(r) for r in table.rows)) if table.rows else len(table.header)
    rows = [table.header, *table.rows] if table.header else list(table.rows)
    size = 24 if len(rows) <= 6 else 20 if len(rows) <= 10 else 16
    if columns >= 4:
        size = min(size, 18)
    shares = widths or tuple(1 / columns for _ in range(columns))
    size = _table_size(rows, [int(width * s) for s in shares], int(height), size)
    row_height = Emu(int(Pt(size) * 2.1))
    shape = slide.shapes.add_table(
        len(rows), columns, left, top, width, Emu(min(int(height), int(row_height) * len(rows)))
    )
    grid = shape.table
    for index, share in enumerate(shares):
        grid.columns[index].width = Emu(int(width * share))
    for r, row in enumerate(rows):
        grid.rows[r].height = row_height
        for c in range(columns):
            cell = grid.cell(r, c)
            cell.text_frame.clear()  # type: ignore[no-untyped-call]
            cell.text_frame.word_wrap = True
            runs = row[c] if c < len(row) else ()
            para = cell.text_frame.paragraphs[0]
            _runs(para, runs, size)
            if r == 0 and table.header:
                for run in para.runs:
                    run.font.bold = True
                    run.font.color.rgb = WHITE
