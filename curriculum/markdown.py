"""Slide bodies: Markdown into plain blocks (paragraphs, two-level lists, images, tables)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from curriculum.model import (
    TOPIC_PARTS,
    Block,
    BulletList,
    Image,
    Inline,
    ListItem,
    Paragraph,
    Run,
    Table,
    TopicBlock,
    plain,
)
from curriculum.problems import Problems

# Raw HTML stays text: a slide that says <b> shows "<b>", on every surface.
_md = MarkdownIt("commonmark", {"html": False}).enable("table")

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")


@dataclass
class Body:
    """A slide body: its title (if it has one) and its blocks."""

    title: str
    title_line: int
    blocks: list[Block]


def runs_of(children: list[Any] | None) -> Inline:
    """Inline tokens as styled runs (links keep their text; images are dropped)."""
    runs: list[Run] = []
    bold = italic = 0
    for token in children or []:
        kind = token.type
        if kind == "text":
            runs.append(Run(token.content, bold > 0, italic > 0))
        elif kind == "code_inline":
            runs.append(Run(token.content, bold > 0, italic > 0, code=True))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bold > 0, italic > 0))
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
    merged: list[Run] = []
    for run in runs:
        last = merged[-1] if merged else None
        if last and (last.bold, last.italic, last.code) == (run.bold, run.italic, run.code):
            merged[-1] = Run(last.text + run.text, run.bold, run.italic, run.code)
        else:
            merged.append(run)
    return tuple(merged)


def parse_body(lines: list[str], first_line: int, base: Path, file: Path, problems: Problems) -> Body:
    """Parse a slide's Markdown; `first_line` is the file line of `lines[0]`."""
    tokens = _md.parse("\n".join(lines))
    body = Body(title="", title_line=first_line, blocks=[])
    list_stack: list[bool] = []  # True for an ordered list
    items: list[ListItem] = []
    table: dict[str, Any] | None = None
    in_heading = False
    deep_reported = False

    def line_of(token: Any) -> int:
        return first_line + (token.map[0] if token.map else 0)

    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "heading_open":
            in_heading = True
            if token.tag in ("h1", "h2") and not body.title:
                body.title_line = line_of(token)
        elif kind == "heading_close":
            in_heading = False
        elif kind in ("bullet_list_open", "ordered_list_open"):
            list_stack.append(kind == "ordered_list_open")
            if len(list_stack) > 2 and not deep_reported:
                deep_reported = True
                problems.add(
                    file,
                    line_of(token),
                    "bullets nest deeper than two levels",
                    "keep to a bullet and one level of sub-bullets",
                )
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
            if not list_stack and items:
                body.blocks.append(BulletList(tuple(items)))
                items = []
        elif kind == "table_open":
            table = {"header": [], "rows": [], "row": None, "in_head": False}
        elif kind == "thead_open" and table is not None:
            table["in_head"] = True
        elif kind == "thead_close" and table is not None:
            table["in_head"] = False
        elif kind == "tr_open" and table is not None:
            table["row"] = []
        elif kind == "tr_close" and table is not None:
            (table["header"] if table["in_head"] else table["rows"]).append(tuple(table["row"]))
        elif kind == "table_close" and table is not None:
            header = table["header"][0] if table["header"] else ()
            body.blocks.append(Table(header, tuple(table["rows"])))
            table = None
        elif kind == "inline":
            if in_heading:
                parent = tokens[index - 1]
                text = plain(runs_of(token.children)).strip()
                if parent.tag in ("h1", "h2") and not body.title:
                    body.title = text
                elif parent.tag in ("h1", "h2"):
                    problems.add(
                        file,
                        line_of(parent),
                        f"a second title '{text}' on one slide",
                        "start a new slide with a line '---' before it",
                    )
                else:
                    body.blocks.append(Paragraph((Run(text, bold=True),)))
            elif table is not None:
                table["row"].append(runs_of(token.children))
            else:
                _inline_block(token, list_stack, items, body, base, file, line_of(token), problems)
        elif kind == "fence" and token.info.strip() == "topic":
            block = _topic_block(token.content, line_of(token), file, problems)
            if block is not None:
                body.blocks.append(block)
        elif kind in ("fence", "code_block"):
            body.blocks.append(Paragraph((Run(token.content.rstrip("\n"), code=True),)))
    return body


def _topic_block(content: str, line: int, file: Path, problems: Problems) -> TopicBlock | None:
    """A ```topic block: one line naming the topic pack's part, and for some parts which one."""
    words = content.split()
    hint = (
        "write one of: aim; driver-diagram; change-package and a primary driver's id (P1); "
        "measures and outcome, process, balancing or all; assessment-scale and scores (0.5-2.5)"
    )
    if not words or words[0] not in TOPIC_PARTS:
        problems.add(file, line, f"'{content.strip()}' is not a part of the topic pack", hint)
        return None
    part, arg = words[0], " ".join(words[1:])
    if part == "change-package" and not arg:
        problems.add(file, line, "which primary driver's change ideas?", "write change-package P1")
        return None
    if part == "measures" and arg not in ("outcome", "process", "balancing", "all"):
        problems.add(file, line, f"measures '{arg}'?", "write measures outcome, process, balancing or all")
        return None
    if part == "assessment-scale" and not re.fullmatch(r"\d\.\d-\d\.\d", arg):
        problems.add(file, line, f"assessment-scale '{arg}'?", "write the scores it shows, such as 0.5-2.5")
        return None
    if part in ("aim", "driver-diagram") and arg:
        problems.add(file, line, f"'{part}' takes nothing after it", hint)
        return None
    return TopicBlock(part, arg, line)


def _inline_block(
    token: Any,
    list_stack: list[bool],
    items: list[ListItem],
    body: Body,
    base: Path,
    file: Path,
    line: int,
    problems: Problems,
) -> None:
    """A paragraph or list item's inline content, pulling out its images."""
    children = token.children or []
    for child in children:
        if child.type == "image":
            alt = plain(runs_of(child.children)).strip()
            image = _image(str(child.attrs.get("src", "")), alt, base, file, line, problems)
            if image is not None:
                body.blocks.append(image)
    runs = runs_of([c for c in children if c.type != "image"])
    if not plain(runs).strip():
        return
    if list_stack:
        level = min(len(list_stack) - 1, 1)
        items.append(ListItem(runs, level, ordered=list_stack[-1]))
    else:
        body.blocks.append(Paragraph(runs))


@functools.cache
def pictures_root(folder: Path) -> Path:
    """The folder a module's pictures must lie in: its curriculum's (a folder with a
    curriculum.yaml) or its library's (a folder of curricula), found within two levels up; a
    module on its own keeps to its own folder."""
    for candidate in (folder, folder.parent, folder.parent.parent):
        if (candidate / "curriculum.yaml").is_file() or any(candidate.glob("*/curriculum.yaml")):
            return candidate
    return folder


def _image(src: str, alt: str, base: Path, file: Path, line: int, problems: Problems) -> Image | None:
    if "://" in src or src.startswith("data:"):
        problems.add(
            file,
            line,
            f"image '{src}' is not a file beside the module",
            "save the picture next to the module and link its path; the room may be offline",
        )
        return None
    path = (base / src).resolve()
    if Path(src).is_absolute() or not path.is_relative_to(pictures_root(base.resolve())):
        problems.add(
            file,
            line,
            f"image '{src}' is outside the curriculum's folder",
            "keep pictures in the curriculum's folder, such as in images/ beside the modules",
        )
        return None
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        problems.add(
            file,
            line,
            f"image '{src}' is not PNG, JPEG or GIF",
            "export it as PNG: slide decks cannot hold other formats",
        )
        return None
    if not path.is_file():
        problems.add(
            file,
            line,
            f"image '{src}' not found (looked for {path})",
            "check the file name; the path is relative to the module file",
        )
        return None
    return Image(path, alt, line)


def to_text(markdown: str) -> str:
    """Markdown (speaker notes) as plain text: paragraphs, and list items with bullets."""
    out: list[str] = []
    depth = 0
    for token in _md.parse(markdown):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "inline":
            text = plain(runs_of(token.children)).strip()
            out.append(("  " * (depth - 1) + "• " + text) if depth else text)
        elif token.type in ("fence", "code_block"):
            out.append(token.content.rstrip("\n"))
    return "\n".join(out)
