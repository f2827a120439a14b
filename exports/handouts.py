"""Handouts: one printable PDF per learning session (agenda, objectives, worksheets), via WeasyPrint."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
from weasyprint import HTML

from curriculum.assessment import ASSESSMENT_TITLE
from curriculum.i18n import gettext_for, localized_definitions
from curriculum.model import (
    Activity,
    AgendaItem,
    Curriculum,
    DriverDiagram,
    LearningSession,
    Measure,
    Module,
    PrimaryDriver,
    SecondaryDriver,
    clock,
    session_label,
)
from curriculum.polls import AssessmentPoll, ScalePoll
from curriculum.translate import N_
from curriculum.worksheets import ROLES, WORKSHEETS, Choice, Worksheet
from exports.diagrams import (
    driver_diagram_height,
    driver_diagram_svg,
    run_chart_grid_svg,
    split_driver_diagram,
)
from exports.fetcher import asset_url, package_url_fetcher
from exports.i18n import environment
from exports.qr import qr_svg
from exports.runcharts import SHIFT, TREND, runs_limits

TEMPLATES = Path(__file__).resolve().parent / "templates" / "handout"
PT_PER_IN, PX_PER_PT = 72.0, 4 / 3


@dataclass(frozen=True)
class Paper:
    """A paper size: its CSS name and its portrait size in points."""

    css: str
    width: float
    height: float


PAPERS = {"letter": Paper("letter", 612.0, 792.0), "a4": Paper("A4", 595.28, 841.89)}
# Page margins in inches (top, sides, bottom); the bottom one holds the running footer.
PORTRAIT_MARGINS = (0.6, 0.7, 0.8)
WIDE_MARGINS = (0.5, 0.6, 0.75)
WIDE_HEADING = 64.0  # points a landscape page's heading takes above a drawing
WRITING_AREA = 190.0  # points the "drivers our team will work on" table needs under a diagram
QUIET_KINDS = ("break", "meal")


@dataclass(frozen=True)
class AgendaRow:
    """One agenda line as printed."""

    time: str
    title: str
    presenter: str
    quiet: bool


@dataclass(frozen=True)
class ModuleBlock:
    """One module's learning objectives, with who presents it and for how long."""

    title: str
    time: str
    minutes: int
    presenter: str
    objectives: tuple[str, ...]


@dataclass(frozen=True)
class MeasureRow:
    """A reference measure from the topic pack, as printed."""

    family: str
    name: str
    definition: str
    numerator: str
    denominator: str
    direction: str
    target: str


def _margins(m: tuple[float, float, float]) -> str:
    return f"{m[0]}in {m[1]}in {m[2]}in"


def _paper(paper: str) -> Paper:
    try:
        return PAPERS[paper.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"paper must be 'letter' or 'a4', not {paper!r}") from None


def _short_title(label: str, title: str) -> str:
    """The session title without a leading 'Learning Session 1:' that the label already says."""
    if title.lower().startswith(label.lower()):
        rest = title[len(label) :].lstrip(" :-–—")
        return rest or title
    return title


def _agenda(item: AgendaItem) -> AgendaRow:
    title = item.module.title if item.module is not None else item.title
    presenter = item.module.presenter if item.module is not None else ""
    return AgendaRow(f"{clock(item.start)}–{clock(item.end)}", title, presenter, item.kind in QUIET_KINDS)


def _modules(session: LearningSession) -> list[ModuleBlock]:
    return [
        ModuleBlock(
            i.module.title,
            f"{clock(i.start)}–{clock(i.end)}",
            i.module.duration,
            i.module.presenter,
            i.module.objectives,
        )
        for i in session.agenda
        if i.module is not None
    ]


def _measure(m: Measure, families: tuple[Choice, ...], directions: tuple[Choice, ...]) -> MeasureRow:
    family = next((c.label for c in families if c.value == m.family), m.family.capitalize())
    direction = next((c.label for c in directions if c.value == m.direction), m.direction)
    return MeasureRow(family, m.name, m.definition, m.numerator, m.denominator, direction, m.target)


def _blank_diagram() -> DriverDiagram:
    """An empty scaffold (3 primary drivers of 2 secondaries) for teams without a topic pack."""
    secondary = (SecondaryDriver("", "", ("",)),) * 2
    return DriverDiagram("", tuple(PrimaryDriver("", "", secondary) for _ in range(3)))


def _diagram_parts(
    diagram: DriverDiagram, paper: Paper, words: Callable[[str], str] = str
) -> tuple[list[Markup], bool]:
    """The driver diagram as one SVG per landscape page, drawn at the page's text width, and
    whether the team's writing area still fits under the last part."""
    top, side, bottom = (m * PT_PER_IN for m in WIDE_MARGINS)
    width = (paper.height - 2 * side) * PX_PER_PT
    max_height = (paper.width - top - bottom - WIDE_HEADING) * PX_PER_PT
    parts = split_driver_diagram(diagram, max_height, width)
    svgs = []
    for part in parts:
        # A part still too tall (one primary driver with very long texts) is drawn wider and
        # printed at the page's width: smaller type, but whole and on one page.
        scale = next(
            (
                k
                for k in (1.0, 1.25, 1.5, 2.0, 3.0)
                if driver_diagram_height(part, width * k) / k <= max_height
            ),
            4.0,
        )
        # Our own SVG builder escapes every text, so the markup is safe to place as it is.
        svgs.append(Markup(driver_diagram_svg(part, width * scale, words)))  # noqa: S704
    room = max_height - driver_diagram_height(parts[-1], width)
    return svgs, room >= WRITING_AREA * PX_PER_PT


EXTRA_TITLES = {
    "run-chart-rules": N_("Run chart rules card"),
    "pdsa-log": N_("PDSA log"),
    "gallery-card": N_("Gallery-walk feedback cards"),
    "evaluation": N_("Session evaluation"),
    "prework-packet": N_("Prework packet"),
    "senior-leaders": N_("Senior leaders' page"),
    "monthly-report": N_("Monthly report template"),
}
RUNS_TABLE = (10, 12, 14, 16, 20, 24)  # the rows the run-charts module teaches


def _extras(session: LearningSession, words: Callable[[str], str] = str) -> list[tuple[str, dict[str, Any]]]:
    """The pages the session's modules add to its handout, each once, in order of first use."""
    names: dict[str, list[Module]] = {}
    for module in session.modules:
        for name in module.prints:
            names.setdefault(name, []).append(module)
    extras = []
    for name, modules in names.items():
        data: dict[str, Any] = {}
        if name == "run-chart-rules":
            data = {
                "shift": SHIFT,
                "trend": TREND,
                "runs": [(n, *runs_limits(n // 2, n - n // 2)) for n in RUNS_TABLE],
                "grid": Markup(run_chart_grid_svg(words=words)),  # noqa: S704 (no outside text)
            }
        elif name == "prework-packet":
            data = {"roles": [words(r) for r in ROLES]}
        elif name == "evaluation":
            data = {"questions": [_question(a) for m in modules for a in m.activities if a.kind == "poll"]}
        extras.append((name, data))
    return extras


def _question(activity: Activity) -> dict[str, Any]:
    """A poll as a printed question: boxes to tick, or lines to write on."""
    spec = activity.spec
    if activity.poll_type == ScalePoll.name:
        low, high = spec.get("min", 1), spec.get("max", 5)
        ends = f"{low} = {spec.get('min_label', '')}, {high} = {spec.get('max_label', '')}"
        return {"prompt": activity.prompt, "choices": [str(n) for n in range(low, high + 1)], "ends": ends}
    if "options" in spec:
        return {"prompt": activity.prompt, "choices": list(spec["options"]), "ends": ""}
    return {"prompt": activity.prompt, "choices": [], "ends": "", "lines": 3}


def _contents(
    session: LearningSession,
    worksheets: list[str],
    storyboard: bool,
    assessment: bool,
    sheets: Mapping[str, Worksheet],
    _: Callable[[str], str],
) -> list[tuple[str, str]]:
    entries = [("agenda", _("Agenda"))]
    if session.modules:
        entries.append(("objectives", _("Learning objectives")))
    entries += [(f"ws-{w}", sheets[w].title) for w in worksheets]
    if storyboard:
        entries.append(("storyboard", _("%(sheet)s template") % {"sheet": sheets["storyboard"].title}))
    if assessment:
        entries.append(("assessment", _(ASSESSMENT_TITLE)))
    entries += [(f"extra-{name}", _(EXTRA_TITLES[name])) for name, _data in _extras(session)]
    return entries


def session_label_in(session: str, _: Callable[[str], str]) -> str:
    """How a session's key reads in a language: 'Learning Session 2', 'Sesión de aprendizaje 2'."""
    if session == "prework":
        return _("Prework")
    if session.isdigit():
        return _("Learning Session %(n)s") % {"n": session}
    if session == "congress":
        return _("Closing congress")
    if session.startswith("ap"):
        return _("Action-period call %(n)s") % {"n": session[2:]}
    return session_label(session)


def handout_html(
    curriculum: Curriculum,
    session: LearningSession,
    paper: str = "letter",
    join_url: str | None = None,
    lang: str = "en",
) -> str:
    """The handout as HTML (what render_handout prints), for checks and previews; `lang` is
    its language (the curriculum is given already in it: curriculum.loader.load(lang=))."""
    size = _paper(paper)
    _ = gettext_for(lang)
    sheets, _carried, families, directions, _act, scale = localized_definitions(lang)
    label = session_label_in(session.session, _)
    short = _short_title(label, session.title)
    # The validator refuses unknown worksheet names; a handout prints the ones it knows.
    # The storyboard template is printed last, whether team time or a storyboard activity asks.
    worksheets = [w for w in session.worksheets if w in WORKSHEETS and w != "storyboard"]
    storyboard = "storyboard" in session.worksheets or any(
        a.kind in ("storyboard", "gallery-walk") for a in session.activities
    )
    assessment = "commitments" in worksheets or any(
        a.kind == "poll" and a.poll_type == AssessmentPoll.name for a in session.activities
    )
    pack = curriculum.topic_pack
    diagram = pack.driver_diagram if pack is not None else _blank_diagram()
    # qr_svg draws only squares from the URL's bits; no text of the URL is in it.
    qr = Markup(qr_svg(join_url)) if join_url else None  # noqa: S704
    diagrams, drivers_fit = _diagram_parts(diagram, size, _) if "driver-diagram" in worksheets else ([], True)
    template = environment("templates/handout", lang).get_template("handout.html")
    return template.render(
        paper=size,
        lang=lang,
        portrait_margins=_margins(PORTRAIT_MARGINS),
        wide_margins=_margins(WIDE_MARGINS),
        collaborative=curriculum.title,
        topic=curriculum.topic,
        aim=curriculum.aim,
        label=label,
        short_title=short,
        full_title=f"{label}: {short}" if short != label else label,
        date=session.day_in(lang),
        venue=session.venue,
        hours=f"{clock(session.start)}–{clock(session.end)}",
        join_url=join_url or "",
        qr=qr,
        agenda=[_agenda(i) for i in session.agenda],
        modules=_modules(session),
        worksheets=worksheets,
        sheets=sheets,
        contents=_contents(session, worksheets, storyboard, assessment, sheets, _),
        pack=pack,
        measures=[_measure(m, families, directions) for m in pack.measures] if pack is not None else [],
        families=families,
        diagrams=diagrams,
        drivers_fit=drivers_fit,
        storyboard=storyboard,
        run_chart=Markup(run_chart_grid_svg(words=_)) if storyboard else None,  # noqa: S704 (no outside text)
        assessment=assessment,
        scale=scale,
        assessment_title=_(ASSESSMENT_TITLE),
        extras=_extras(session, _),
    )


def render_handout(
    curriculum: Curriculum,
    session: LearningSession,
    paper: str = "letter",
    join_url: str | None = None,
    lang: str = "en",
) -> bytes:
    """The printable handout of one learning session, as PDF bytes (paper: 'letter' or 'a4')."""
    html = handout_html(curriculum, session, paper, join_url, lang)
    document = HTML(string=html, base_url=asset_url(TEMPLATES), url_fetcher=package_url_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf
