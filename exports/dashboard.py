"""The action period at a glance, as plain data: every team's monthly report, measures and
self-ratings, and the collaborative's measures pooled across teams.

The live room builds a `Dashboard` from its database (live/dashboard.py); the console page
and the PDFs (a team's monthly report, the whole dashboard) are drawn from it here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from markupsafe import Markup
from weasyprint import HTML

from curriculum.i18n import localized_definitions
from curriculum.measures import Point, parse_data
from curriculum.problems import Invalid
from curriculum.worksheets import Worksheet, number
from exports.fetcher import asset_url, package_url_fetcher
from exports.i18n import environment
from exports.runcharts import run_chart_svg

TEMPLATES = Path(__file__).resolve().parent / "templates" / "dashboard"


@dataclass(frozen=True)
class Report:
    """One team's monthly report, as written (fields by name) and whether it was sent."""

    item_id: int
    team: str
    values: Mapping[str, str] = field(default_factory=dict, hash=False)
    submitted: bool = False
    submitted_by: str = ""

    def get(self, name: str) -> str:
        """A field's text ('' when empty)."""
        return self.values.get(name, "")

    @property
    def month(self) -> str:
        """The month it reports on (YYYY-MM), '' if not said yet."""
        return self.get("month")

    def lines(self, sheet: Worksheet) -> list[tuple[str, str]]:
        """What its card shows, (label, text) in the worksheet's order: the team's written
        fields but its month (the card's title says it) and the faculty's (shown apart), a
        choice by its label. The console's card and the report's PDF both draw these."""
        if sheet.rows is None:
            return []
        return [
            (f.label, f.choice_label(self.get(f.name)) if f.choices else self.get(f.name))
            for f in sheet.rows.fields
            if not f.faculty and f.input != "month" and self.get(f.name)
        ]


@dataclass(frozen=True)
class TeamMeasure:
    """One of a team's measures, with its data read."""

    name: str
    kind: str
    target: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class TeamView:
    """A team in the dashboard."""

    team_id: int
    name: str
    organisation: str = ""
    measures: tuple[TeamMeasure, ...] = ()
    reports: tuple[Report, ...] = ()

    def report_for(self, month: str) -> Report | None:
        """Its report for a month: the submitted one, else its draft."""
        found = [r for r in self.reports if r.month == month]
        return next((r for r in found if r.submitted), found[0] if found else None)

    def measure(self, key: str) -> TeamMeasure | None:
        """Its measure of that name (compared without case)."""
        return next((m for m in self.measures if m.name.strip().lower() == key), None)


def measure_points(data: str, kind: str) -> tuple[Point, ...]:
    """A measure's data lines as points (none where they no longer read)."""
    try:
        return tuple(parse_data(data, kind))
    except Invalid:
        return ()


@dataclass(frozen=True)
class Dashboard:
    """The collaborative's action period for one month."""

    collaborative: str
    aim: str
    month: str  # YYYY-MM
    teams: tuple[TeamView, ...]
    measure_names: tuple[str, ...]  # the topic pack's first, then the teams' own
    targets: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def months(self) -> list[str]:
        """The months with a report or a data point, in order, up to the dashboard's month."""
        seen = {r.month for t in self.teams for r in t.reports if r.month}
        seen |= {
            p.period.key
            for t in self.teams
            for m in t.measures
            for p in m.points
            if p.period and not p.period.week
        }
        return sorted(m for m in seen if m <= self.month)

    def reported(self) -> list[TeamView]:
        """The teams that have submitted this month's report."""
        return [t for t in self.teams if (r := t.report_for(self.month)) is not None and r.submitted]

    def ratings(self) -> list[tuple[TeamView, list[str]]]:
        """Each team's self-rating on the assessment scale, month by month ('' where none)."""
        months = self.months
        rows = []
        for team in self.teams:
            by_month = {r.month: r.get("rating") for r in team.reports if r.submitted}
            rows.append((team, [by_month.get(m, "") for m in months]))
        return rows

    def pooled(self, name: str) -> tuple[list[str], list[float]]:
        """The collaborative's combined measure: per month, the teams' numerators over their
        denominators (a percentage or a rate), or the sum of their counts, or the mean of their
        values; (period labels, values) in order."""
        key = name.strip().lower()
        by_period: dict[Any, list[Point]] = {}
        kinds = set()
        for team in self.teams:
            found = team.measure(key)
            if found is None:
                continue
            kinds.add(found.kind)
            for p in found.points:
                if p.period is not None and p.period.key <= self.month:
                    by_period.setdefault(p.period, []).append(p)
        kind = kinds.pop() if len(kinds) == 1 else ""
        labels, values = [], []
        for period in sorted(by_period):
            points = by_period[period]
            if all(p.denominator for p in points) and kind in ("proportion", "rate", ""):
                top = sum(p.numerator or 0.0 for p in points)
                bottom = sum(p.denominator or 0.0 for p in points)
                values.append(top / bottom * (1 if kind == "rate" else 100))
            elif kind == "count":
                values.append(sum(p.value for p in points))
            else:
                values.append(sum(p.value for p in points) / len(points))
            labels.append(period.label)
        return labels, values


def chart(
    labels: Sequence[str], values: Sequence[float], title: str, target: str, width: int, height: int
) -> Markup:
    """A run chart for the dashboard (run_chart_svg escapes every text)."""
    return Markup(run_chart_svg(values, labels, title, number(target), None, width, height))  # noqa: S704


def team_chart(measure: TeamMeasure | None, month: str, width: int = 230, height: int = 120) -> Markup:
    """A team's measure as a small run chart, up to the dashboard's month."""
    if measure is None or not measure.points:
        return Markup("")
    shown = [p for p in measure.points if p.period is None or p.period.key <= month]
    labels = [p.period.label if p.period else p.label for p in shown]
    return chart(labels, [p.value for p in shown], "", measure.target, width, height)


def previous_month(today: date) -> str:
    """The month a report is due for on `today`: the one before it."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def report_sheet(lang: str) -> Worksheet:
    """The monthly report's worksheet, its labels in `lang`."""
    sheet: Worksheet = localized_definitions(lang)[0]["monthly-report"]
    return sheet


def _render(template: str, lang: str, **context: Any) -> bytes:
    html = (
        environment("templates/dashboard", lang)
        .get_template(template)
        .render(lang=lang, sheet=report_sheet(lang), chart=chart, team_chart=team_chart, **context)
    )
    pdf: bytes = HTML(
        string=html, base_url=asset_url(TEMPLATES), url_fetcher=package_url_fetcher()
    ).write_pdf()
    return pdf


def render_report_pdf(report: Report, team: TeamView, dashboard: Dashboard, lang: str = "en") -> bytes:
    """One team's monthly report as a PDF: its words, its measures up to that month, feedback."""
    return _render("report.html", lang, report=report, team=team, board=dashboard)


def render_dashboard_pdf(dashboard: Dashboard, lang: str = "en") -> bytes:
    """The whole dashboard as a PDF: who reported, the pooled measures, ratings, every report."""
    return _render("dashboard.html", lang, board=dashboard)
