"""The take-home plan: one team's PDF of everything it made in the room (Jinja + WeasyPrint)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from weasyprint import HTML

from curriculum.model import MEASURE_FAMILIES
from exports.fetcher import asset_url, package_url_fetcher
from exports.plans import TeamPlan
from exports.qr import qr_svg
from exports.runcharts import run_chart_svg

TEMPLATES = Path(__file__).resolve().parent / "templates" / "takehome"
PAPERS = {"letter": "letter", "a4": "A4"}
DIRECTIONS = {"up": "Higher is better", "down": "Lower is better"}

_env = Environment(loader=PackageLoader("exports", "templates/takehome"), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _measures(plan: TeamPlan) -> list[dict[str, Any]]:
    groups = []
    for family in MEASURE_FAMILIES:
        rows = []
        for measure in (m for m in plan.measures if m.family == family):
            chart = run_chart_svg([p.value for p in measure.points], [p.label for p in measure.points],
                                  title=measure.name, target=measure.target, width=500, height=210)
            rows.append({"measure": measure, "direction": DIRECTIONS.get(measure.direction, ""),
                         "chart": Markup(chart)})  # noqa: S704  (built by run_chart_svg, text escaped)
        if rows:
            groups.append({"family": family.capitalize(), "rows": rows})
    return groups


def takehome_html(plan: TeamPlan, paper: str = "letter") -> str:
    """The HTML the PDF is printed from (participants' text escaped by Jinja)."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not '{paper}'")
    qr = Markup(qr_svg(plan.workspace_url)) if plan.workspace_url else None  # noqa: S704  (ours)
    return _env.get_template("plan.html").render(
        plan=plan, paper=PAPERS[paper], measures=_measures(plan), qr=qr,
        statuses=any(c.status for c in plan.commitments),
        status_words={"done": "Done", "partly": "Partly", "not-done": "Not done"})


def render_takehome(plan: TeamPlan, paper: str = "letter") -> bytes:
    """One team's take-home plan as PDF bytes (paper: 'letter' or 'a4')."""
    html = takehome_html(plan, paper)
    document = HTML(string=html, base_url=asset_url(TEMPLATES), url_fetcher=package_url_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf
