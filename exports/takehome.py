"""The take-home plan: one team's PDF of everything it made in the room (Jinja + WeasyPrint).

The plan prints every worksheet in the order curriculum.worksheets defines them, each in the
layout its definition names (`Worksheet.takehome`), with the labels written there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from weasyprint import HTML

from curriculum.assessment import ASSESSMENT_TITLE, scale_point
from curriculum.worksheets import CARRIED, FAMILIES, WORKSHEETS, number
from exports.fetcher import asset_url, package_url_fetcher
from exports.plans import FilledSheet, TeamPlan, measure_chart
from exports.qr import qr_svg

TEMPLATES = Path(__file__).resolve().parent / "templates" / "takehome"
PAPERS = {"letter": "letter", "a4": "A4"}

_env = Environment(
    loader=PackageLoader("exports", "templates/takehome"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _measures(filled: FilledSheet) -> list[dict[str, Any]]:
    direction = filled.sheet.field("direction")
    groups = []
    for family in FAMILIES:
        rows = [
            {
                "row": row,
                "direction": direction.choice_label(row.get("direction") or "up"),
                "target": number(row.get("target")),
                "chart": Markup(measure_chart(row, 500, 210)),  # noqa: S704  (run_chart_svg escapes)
            }
            for row in filled.rows
            if (row.get("family") or "outcome") == family.value
        ]
        if rows:
            groups.append({"family": family.label, "rows": rows})
    return groups


def _recap(plan: TeamPlan, names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [
        (WORKSHEETS[n].gallery_label or WORKSHEETS[n].title, "; ".join(plan.sheet(n).summary()))
        for n in names
    ]


def takehome_html(plan: TeamPlan, paper: str = "letter") -> str:
    """The HTML the PDF is printed from (participants' text escaped by Jinja)."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not '{paper}'")
    qr = Markup(qr_svg(plan.workspace_url)) if plan.workspace_url else None  # noqa: S704  (ours)
    sections = []
    for sheet in WORKSHEETS.values():
        filled = plan.sheet(sheet.name)
        sections.append(
            {
                "sheet": sheet,
                "filled": filled,
                "recap": _recap(plan, sheet.recap),
                "measures": _measures(filled) if sheet.takehome == "measures" else [],
                "statuses": any(r.status for r in filled.rows),
            }
        )
    return _env.get_template("plan.html").render(
        plan=plan,
        paper=PAPERS[paper],
        qr=qr,
        sections=sections,
        status_words={c.value: c.label for c in CARRIED},
        ratings=[(r.asked, scale_point(r.value)) for r in plan.ratings],
        assessment_title=ASSESSMENT_TITLE,
    )


def render_takehome(plan: TeamPlan, paper: str = "letter") -> bytes:
    """One team's take-home plan as PDF bytes (paper: 'letter' or 'a4')."""
    html = takehome_html(plan, paper)
    document = HTML(string=html, base_url=asset_url(TEMPLATES), url_fetcher=package_url_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf
