"""Table cards: a team's name and code, and the room's join QR code, on a card folded in two."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from weasyprint import HTML

from exports.fetcher import asset_url, package_url_fetcher
from exports.qr import qr_svg

TEMPLATES = Path(__file__).resolve().parent / "templates" / "cards"
PAPERS = {"letter": "letter", "a4": "A4"}

_env = Environment(
    loader=PackageLoader("exports", "templates/cards"), autoescape=True, undefined=StrictUndefined
)


def table_card_html(
    collaborative: str, team: str, organisation: str, code: str, join_url: str, paper: str = "letter"
) -> str:
    """The card as HTML (every text escaped)."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not '{paper}'")
    qr = Markup(qr_svg(join_url))  # noqa: S704  (our own SVG: squares only, no text of the URL)
    return _env.get_template("table-card.html").render(
        collaborative=collaborative,
        team=team,
        organisation=organisation,
        code=code,
        join_url=join_url.split("://", 1)[-1],
        qr=qr,
        paper=PAPERS[paper],
    )


def render_table_card(
    collaborative: str, team: str, organisation: str, code: str, join_url: str, paper: str = "letter"
) -> bytes:
    """A team's table card as PDF bytes."""
    html = table_card_html(collaborative, team, organisation, code, join_url, paper)
    document = HTML(string=html, base_url=asset_url(TEMPLATES), url_fetcher=package_url_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf
