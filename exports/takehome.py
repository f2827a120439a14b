"""The take-home plan: one team's PDF of everything it made in the room (Jinja + WeasyPrint).

The plan prints every worksheet in the order curriculum.worksheets defines them, each in the
layout its definition names (`Worksheet.takehome`), with the labels written there.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup
from weasyprint import HTML

from curriculum.assessment import ASSESSMENT_TITLE, scale_point
from curriculum.calendar import as_date, long_date
from curriculum.i18n import gettext_for, localized_definitions
from curriculum.worksheets import SHORT, Choice, Field, Worksheet, number
from exports.fetcher import asset_url, package_url_fetcher
from exports.i18n import environment
from exports.plans import FilledSheet, TeamPlan, cycle_names, measure_chart
from exports.qr import qr_svg

TEMPLATES = Path(__file__).resolve().parent / "templates" / "takehome"
PAPERS = {"letter": "letter", "a4": "A4"}


def _measures(
    filled: FilledSheet, sheet: Worksheet, families: tuple[Choice, ...], cycles: dict[int, str]
) -> list[dict[str, Any]]:
    direction = sheet.field("direction")
    groups = []
    for family in families:
        rows = [
            {
                "row": row,
                "direction": direction.choice_label(row.get("direction") or "up"),
                "target": number(row.get("target")),
                "chart": Markup(measure_chart(row, 500, 210, cycles)),  # noqa: S704  (chart_svg escapes)
            }
            for row in filled.rows
            if (row.get("family") or "outcome") == family.value
        ]
        if rows:
            groups.append({"family": family.label, "rows": rows})
    return groups


def _widths(fields: tuple[Field, ...], statuses: bool) -> list[str]:
    """Column widths of a worksheet's table, from what its fields hold (a long answer gets
    room, a date does not). The tables are laid out fixed: WeasyPrint measuring every cell's
    text for an automatic layout took a fifth to a quarter of a plan's time."""
    weights = [
        0.7 if f.input in ("date", "month", "choice") else 1.0 if f.limit == SHORT else 2.0 for f in fields
    ]
    if statuses:
        weights += [0.8, 1.5]
    total = sum(weights)
    return [f"{100 * w / total:.1f}%" for w in weights]


def _recap(plan: TeamPlan, names: tuple[str, ...], sheets: Mapping[str, Worksheet]) -> list[tuple[str, str]]:
    return [(sheets[n].gallery_label or sheets[n].title, "; ".join(plan.sheet(n).summary())) for n in names]


def takehome_html(plan: TeamPlan, paper: str = "letter", lang: str = "en") -> str:
    """The HTML the PDF is printed from (participants' text escaped by Jinja), in `lang`: the
    plan's own words (labels, choices, the scale) are translated, what the team typed is not."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not '{paper}'")
    sheets, carried, families, _directions, _act, scale = localized_definitions(lang)
    qr = Markup(qr_svg(plan.workspace_url)) if plan.workspace_url else None  # noqa: S704  (ours)
    sections = []
    cycles = cycle_names(plan.sheet("pdsa"))
    for name, sheet in sheets.items():
        filled = plan.sheet(name)
        if sheet.optional and filled.empty:
            continue  # a sustain or spread plan only once the team has written one
        sections.append(
            {
                "sheet": sheet,
                "filled": filled,
                "recap": _recap(plan, sheet.recap, sheets),
                "measures": _measures(filled, sheet, families, cycles)
                if sheet.takehome == "measures"
                else [],
                "statuses": any(r.status for r in filled.rows),
                "widths": _widths(sheet.rows.fields, any(r.status for r in filled.rows))
                if sheet.rows is not None
                else [],
            }
        )
    points = {p.value: p for p in scale}
    return (
        environment("templates/takehome", lang)
        .get_template("plan.html")
        .render(
            plan=plan,
            lang=lang,
            date=_date(plan.date, lang),
            paper=PAPERS[paper],
            qr=qr,
            sections=sections,
            status_words={c.value: c.label for c in carried},
            ratings=[(r.asked, points[scale_point(r.value).value]) for r in plan.ratings],
            assessment_title=gettext_for(lang)(ASSESSMENT_TITLE),
        )
    )


def _date(value: str, lang: str) -> str:
    day = as_date(value) if value else None
    return long_date(day, lang) if day else value


def render_takehome(plan: TeamPlan, paper: str = "letter", lang: str = "en") -> bytes:
    """One team's take-home plan as PDF bytes (paper: 'letter' or 'a4'), in `lang`."""
    html = takehome_html(plan, paper, lang)
    document = HTML(string=html, base_url=asset_url(TEMPLATES), url_fetcher=package_url_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf
