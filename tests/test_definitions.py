"""Each poll kind, worksheet and the assessment scale is defined once, and every surface reads it.

These tests read the source of the four packages: a label, a list of kinds or a list of a
worksheet's fields written out a second time (the browser's code included) fails them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from curriculum.assessment import ASSESSMENT_SCALE, ASSESSMENT_TITLE
from curriculum.polls import POLL_KINDS
from curriculum.worksheets import CARRIED, WORKSHEETS

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("curriculum", "exports", "live", "facilitator")
DEFINITIONS = {ROOT / "curriculum" / name for name in ("polls.py", "worksheets.py", "assessment.py")}


def sources(*suffixes: str) -> list[Path]:
    """The code and templates of the four packages, but for the definitions themselves."""
    found = [
        p
        for package in PACKAGES
        for p in (ROOT / package).rglob("*")
        if p.suffix in suffixes and "vendor" not in p.parts and p not in DEFINITIONS
    ]
    assert found
    return found


def labels() -> set[str]:
    """Every word people read that a definition holds."""
    words = (
        {ASSESSMENT_TITLE} | {p.name for p in ASSESSMENT_SCALE} | {p.description for p in ASSESSMENT_SCALE}
    )
    for kind in POLL_KINDS.values():
        words |= {kind.title, kind.instruction} | {s.label for s in kind.settings}
    for sheet in WORKSHEETS.values():
        words |= {sheet.title, sheet.tab, sheet.gallery_label}
        for field in sheet.all_fields:
            words |= (
                {field.label, field.hint} | {c.label for c in field.choices} | {c.hint for c in field.choices}
            )
        if sheet.rows is not None:
            words.add(sheet.rows.noun)
    words |= {c.label for c in CARRIED}
    return {w for w in words if w}


def literals(path: Path) -> list[tuple[int, str]]:
    """The string literals of a Python or JavaScript file, and the text of a template, by line."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return [
            (node.lineno, node.value)
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        ]
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if path.suffix == ".js":
            found += [(number, m.group(2)) for m in re.finditer(r"([\"'`])((?:\\.|(?!\1).)*)\1", line)]
        else:  # a template: the text between tags
            found += [(number, m.group(1).strip()) for m in re.finditer(r">([^<>{}]+)<", line)]
    return found


def test_no_label_of_a_definition_is_written_anywhere_else() -> None:
    wanted = labels()
    copies = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for path in sources(".py", ".js", ".html")
        for line, value in literals(path)
        if value in wanted
    ]
    assert not copies, "read these from their definition instead:\n" + "\n".join(copies)


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(set(POLL_KINDS), id="poll kinds"),
        pytest.param(set(WORKSHEETS), id="worksheets"),
        *(
            pytest.param({f.name for f in sheet.all_fields}, id=f"fields of {name}")
            for name, sheet in WORKSHEETS.items()
        ),
    ],
)
def test_no_list_of_names_is_written_out_again(names: set[str]) -> None:
    """A line naming three or more kinds, worksheets or fields of one worksheet is a second list."""
    lists = []
    for path in sources(".py", ".js", ".html"):
        by_line: dict[int, set[str]] = {}
        for line, value in literals(path):
            if value in names:
                by_line.setdefault(line, set()).add(value)
        lists += [
            f"{path.relative_to(ROOT)}:{line}: {sorted(found)}"
            for line, found in by_line.items()
            if len(found) >= 3
        ]
    assert not lists, "iterate over the definitions instead:\n" + "\n".join(lists)


def test_every_poll_kind_has_a_renderer_in_the_browser_and_no_other_does() -> None:
    script = (ROOT / "live" / "static" / "live" / "polls.js").read_text()
    table = script[script.index("const kinds = {") : script.index("\n  };", script.index("const kinds = {"))]
    drawn = set(re.findall(r"^ {4}\"?([a-z][a-z-]*)\"?: \{", table, flags=re.MULTILINE))
    assert drawn == set(POLL_KINDS)


def test_the_scale_runs_from_half_a_point_to_five_in_half_points() -> None:
    assert [p.value for p in ASSESSMENT_SCALE] == [n / 2 for n in range(1, 11)]
    assert all(p.description.endswith(".") and len(p.description) > 40 for p in ASSESSMENT_SCALE)
    assert len({p.name for p in ASSESSMENT_SCALE}) == len(ASSESSMENT_SCALE)


def test_field_names_are_unique_where_they_are_stored_together() -> None:
    """Team-wide fields of every worksheet share one scope; a row's fields share its row."""
    team_wide = [f.name for sheet in WORKSHEETS.values() for f in sheet.fields]
    assert len(team_wide) == len(set(team_wide))
    kinds = [sheet.rows.kind for sheet in WORKSHEETS.values() if sheet.rows is not None]
    assert len(kinds) == len(set(kinds))
    for sheet in WORKSHEETS.values():
        if sheet.rows is not None:
            names = [f.name for f in sheet.rows.fields]
            assert len(names) == len(set(names)), sheet.name
        for name in (*sheet.summary, sheet.headline):
            if name:
                sheet.field(name)  # names a field it has
        for other in sheet.recap:
            assert other in WORKSHEETS


def test_the_documents_name_every_poll_kind_and_worksheet() -> None:
    formats = (ROOT / "docs" / "curriculum-format.md").read_text()
    protocol = (ROOT / "docs" / "protocol.md").read_text()
    for name in POLL_KINDS:
        assert f"`{name}`" in formats, name
        assert f"`{name}`" in protocol, name
    for name in WORKSHEETS:
        assert f"`{name}`" in formats, name
