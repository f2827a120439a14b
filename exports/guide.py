"""The facilitator guide: one PDF per learning session for the faculty who run it.

The run of show minute by minute, who speaks, the room set-up and materials the day's
activities need, each module's slides with their speaker notes, and what to do when an
activity runs long. Everything comes from the manifest and the modules, so the guide, the
deck and the handout describe the same day.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined
from weasyprint import HTML

from curriculum.model import Activity, AgendaItem, Curriculum, LearningSession, Module, clock, session_heading
from curriculum.polls import POLL_KINDS
from exports.fetcher import asset_url, package_url_fetcher
from exports.handouts import TEMPLATES as HANDOUT_TEMPLATES
from exports.handouts import _paper

GUIDE_TEMPLATES = HANDOUT_TEMPLATES.parent / "guide"

# What the room needs for each kind of activity, and what to do when one runs long.
SET_UP = {
    "poll": "Phones charged and on the venue Wi-Fi; the join QR code on the projector at the start.",
    "question-board": "A facilitator on the console to approve questions; a roving microphone for answers.",
    "storyboard": "Each team's storyboard open on a phone or laptop; printed copies for the wall if any.",
    "gallery-walk": "Wall space or easels for storyboards, room to walk; the projector shows the gallery.",
    "team-time": "Tables grouped by team, with the worksheet printed from the handout as a paper backup.",
    "break": "Refreshments ready before the break starts.",
}
RUNS_LONG = {
    "poll": "Close the poll when most answers are in; reveal and move on. Late phones can answer after.",
    "question-board": "Answer the top three questions; the rest go to the next call (download the board).",
    "storyboard": "Let teams finish at the break; the storyboard stays open on their phones.",
    "gallery-walk": "Show the most-dotted storyboards on the projector; one team speaks for a minute.",
    "team-time": "Give a two-minute warning, then lock; drafts are kept, and teams finish at home.",
    "break": "Start the next item on time; latecomers catch up from the handout.",
}
DEFAULT_SET_UP = (
    "A laptop running `bsc serve`, the projector showing the room, and the venue Wi-Fi name and "
    "password on every table; each team's table card with its team code.",
    "The handout printed for every participant, and two spare copies of each worksheet per table.",
)


@dataclass(frozen=True)
class Step:
    """One line of the run of show: when, what, who, and how long."""

    start: int
    minutes: int
    what: str
    kind: str
    who: str = ""
    runs_long: str = ""

    @property
    def when(self) -> str:
        return f"{clock(self.start)}–{clock(self.start + self.minutes)}"


def _activity_label(activity: Activity) -> str:
    if activity.poll_type in POLL_KINDS:
        return f"Poll ({POLL_KINDS[activity.poll_type].title})"
    return activity.kind.replace("-", " ").capitalize()


def run_of_show(item: AgendaItem) -> list[Step]:
    """An agenda item minute by minute: a module's slides share the minutes its activities leave."""
    module = item.module
    if module is None:
        return [Step(item.start, item.minutes, item.title, item.kind)]
    activities = [s.activity for s in module.slides if s.activity is not None]
    talk_slides = [s for s in module.slides if s.activity is None]
    spare = max(item.minutes - sum(a.minutes for a in activities), 0)
    steps, at = [], item.start
    pending: list[str] = []
    per_slide = spare / len(talk_slides) if talk_slides else 0.0
    owed = 0.0
    for slide in module.slides:
        if slide.activity is None:
            pending.append(slide.title)
            owed += per_slide
            continue
        if pending:
            minutes = round(owed)
            steps.append(Step(at, minutes, "Slides: " + "; ".join(pending), "talk", module.presenter))
            at, pending, owed = at + minutes, [], owed - minutes
        activity = slide.activity
        steps.append(
            Step(
                at,
                activity.minutes,
                f"{_activity_label(activity)}: {activity.prompt or slide.title}",
                activity.kind,
                module.presenter,
                RUNS_LONG.get(activity.kind, ""),
            )
        )
        at += activity.minutes
    if pending:
        steps.append(
            Step(
                at, item.start + item.minutes - at, "Slides: " + "; ".join(pending), "talk", module.presenter
            )
        )
    return steps


def _set_up(session: LearningSession) -> list[str]:
    kinds = {a.kind for a in session.activities}
    return [*DEFAULT_SET_UP, *(SET_UP[k] for k in SET_UP if k in kinds)]


_env = Environment(
    loader=PackageLoader("exports", "templates/guide"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["clock"] = clock


def guide_html(curriculum: Curriculum, session: LearningSession, paper: str = "letter") -> str:
    modules: list[Module] = list(session.modules)
    return _env.get_template("guide.html").render(
        paper=_paper(paper),
        collaborative=curriculum.title,
        heading=session_heading(session.session, session.title),
        date=session.day,
        venue=session.venue,
        hours=f"{clock(session.start)}–{clock(session.end)}",
        agenda=[(item, run_of_show(item)) for item in session.agenda],
        set_up=_set_up(session),
        modules=modules,
    )


def render_guide(curriculum: Curriculum, session: LearningSession, paper: str = "letter") -> bytes:
    """The facilitator guide of one learning session, as PDF bytes."""
    html = guide_html(curriculum, session, paper)
    document = HTML(string=html, base_url=asset_url(GUIDE_TEMPLATES), url_fetcher=package_url_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf
