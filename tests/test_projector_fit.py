"""The projector fits the venue's screen: every activity at its largest content, at 1280x720,
1024x768 and 1920x1080, shows whole: nothing leaves the screen, nothing is cut, text stays
readable.

One `bsc serve` for the module, on tests/fixtures/projector (a 30-item agenda and a poll of
each kind at its largest); teams, answers and storyboards are written into its database with
the room's own services, and the projector is reloaded to draw each case (a reload gets the
room's whole state, as a projector that lost its connection does). Each case is measured at
the three sizes by resizing one page. Boxes and text come from Chromium's layout snapshot
(CDP DOMSnapshot), which reads sizes without running script in the page (its CSP forbids eval).

Screenshots go to $BSC_SCREENSHOTS (default: a temporary folder) to be looked at.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .helpers import FIXTURES, Server, launch_chromium, shots_folder

pytestmark = pytest.mark.slow

SIZES = ((1280, 720), (1024, 768), (1920, 1080))
TEAMS = 40
# The least font size, in pixels per pixel of the screen's height, for the activity's main text
# (titles, prompts, options, bars, answers, storyboards) and for any of its text at all (the
# small print: who answered, page numbers, the rarest words of a cloud).
MAIN_TEXT = 0.02
ANY_TEXT = 0.016

_PLACES = (
    "Riverside, Hilltop, Northgate, Lakeside, Old Mill, Harbour View, Cedar Grove, Westfield, "
    "St Anne's, Brookfield, Ashford, Kingsway, Meadowbank, Elm Street, Parkside, Fairview, "
    "Southbridge, Millbrook, Oakwood, Stonebridge, Bayside, Greenhill, Highfield, Eastbrook, "
    "Clearwater, Springvale, Thornbury, Woodlands, Marston, Foxhollow, Kelso Road, Pinecrest, "
    "Silverdale, Bramley, Canal Street, Holloway, Redcliffe, Sunnyside, Windmill Lane, Yarrow"
)
PLACES = tuple(_PLACES.split(", "))
KINDS = ("Family Practice", "Children's Clinic", "Community Health Centre", "Paediatrics", "Medical Group")
_CLOUD_WORDS = (
    "trust families listening safety screening belonging routine kindness partnership early "
    "support relationships home predictable respect time play learning nutrition sleep "
    "consistency warmth community referral follow-up resilience attachment development "
    "language interpreters confidentiality welcome stability housing parents grandparents "
    "hope dignity reading vaccines curiosity patience teamwork continuity calm connection joy "
    "protection advocacy equity accessibility humility encouragement healing nurturing "
    "celebration collaboration transparency empowerment interprofessional"
)
CLOUD_WORDS = tuple(_CLOUD_WORDS.split())
LESSONS = (
    "We tested the screen with two families on Tuesday: both finished it in under four minutes, "
    "but the second family asked what a positive result would mean, so we are adding a short "
    "script for the nurse.",
    "Families said yes far more often when the nurse, not the front desk, offered the screen and "
    "explained why we ask every family the same questions.",
    "Our prediction was wrong: the screen took eleven minutes, not five, because the form was only "
    "in English. Next cycle: the Spanish version, with an interpreter booked ahead for the visit.",
    "A small test really is small: one nurse, two families, one morning. We learned more in a week "
    "than in the two months we spent planning the whole roll-out last year.",
    "The warm hand-off worked when the care coordinator was in the building; on Thursdays she is "
    "not, so we will test a video call to the coordinator from the exam room instead.",
    "Reminder texts two days before the follow-up visit: eight of ten families came, against four "
    "of ten before. We will adopt it and test the same text for the 18-month visit.",
)
STORY = (
    "Five PDSA cycles since March: the screen in the 9-month template, a two-question stress "
    "screen at the front desk, warm hand-offs to the coordinator, and a reminder text for follow-up."
)


@dataclass
class Room:
    """The server, an application on its database, and what the cases need of the session."""

    server: Server
    app: Any
    session_id: int
    code: str
    activities: dict[str, int] = field(default_factory=dict)
    module_item: int = 0


def _team_name(n: int) -> str:
    return f"{PLACES[n]} {KINDS[n % len(KINDS)]}"


def _fill(room: Room) -> None:
    """Forty teams, an answer from each to every poll (thirty to the open question, all approved),
    a storyboard per team, dots."""
    from sqlalchemy import select

    from live.context import transaction
    from live.models import LearningSession, Response
    from live.polls.service import approve_answer, cast_vote
    from live.protocol import CastVote
    from live.room.runofshow import set_state
    from live.room.sessions import join
    from live.workspaces.gallery import place_dot
    from live.workspaces.service import add_item, edit_field
    from live.writes import Author, apply_once, author_of

    with room.app.app_context(), transaction() as db:
        session = db.scalar(select(LearningSession).order_by(LearningSession.id.desc()))
        assert session is not None
        room.session_id, room.code = session.id, session.join_code
        polls = {a.key: a for a in session.activities}
        room.activities = {key: a.id for key, a in polls.items()}
        room.module_item = polls["fit-choice"].item_id or 0
        people: list[Author] = []
        for n in range(TEAMS):
            # Each team's first member names it on the join page.
            person, _ = join(
                db,
                session,
                team_id=None,
                new_team=_team_name(n),
                organisation=f"{PLACES[n]} Health Partnership",
                display_name=f"Person {n}",
                role="Data lead",
            )
            people.append(author_of(db, person.id))
        for activity in polls.values():
            if activity.kind == "poll":
                set_state(db, activity, "open")

        def vote(who: Author, key: str, value: Any) -> None:
            request: CastVote = {
                "client_id": f"fit-{key}-{who.id}",
                "activity_id": polls[key].id,
                "value": value,
            }
            apply_once(db, who, request["client_id"], lambda: (cast_vote(db, who, request)[0], None), None)

        cloud_counts = [max(1, round(30 * 0.92**i)) for i in range(len(CLOUD_WORDS))]
        answers: list[list[str]] = [[] for _ in people]
        cursor = 0
        for word, count in zip(CLOUD_WORDS, cloud_counts, strict=True):
            for _ in range(count):
                while len(answers[cursor % len(people)]) >= 10:
                    cursor += 1
                answers[cursor % len(people)].append(word)
                cursor += 1
        for i, who in enumerate(people):
            pick = random.Random(i)
            vote(who, "fit-choice", pick.choices(range(10), weights=(9, 7, 3, 6, 8, 2, 5, 4, 6, 3))[0])
            vote(who, "fit-multi", sorted(pick.sample(range(10), pick.randint(1, 4))))
            vote(who, "fit-quiz", 1 if pick.random() < 0.6 else pick.randrange(10))
            vote(who, "fit-ranking", pick.sample(range(8), 8))
            vote(who, "fit-scale", pick.choices(range(11), weights=(1, 1, 2, 3, 5, 7, 9, 8, 6, 3, 2))[0])
            vote(who, "fit-assessment", pick.choice((1.0, 1.5, 2.0, 2.0, 2.5, 2.5, 3.0, 3.5, 4.0)))
            vote(who, "fit-cloud", " ".join(answers[i]))
            if i < 30:
                vote(who, "fit-open", f"{LESSONS[i % len(LESSONS)]} ({i + 1})")
        for response in db.scalars(select(Response).where(Response.activity_id == polls["fit-open"].id)):
            approve_answer(db, polls["fit-open"], response.id, True)

        for n, who in enumerate(people):

            def edit(name: str, value: str, item: int | None = None, who: Author = who) -> None:
                edit_field(db, who, {"item_id": item, "name": name, "value": value, "base_version": 0})

            edit(
                "aim_statement",
                f"By June 2028, {80 + n % 15}% of children aged 0-5 seen at {PLACES[n]} will be screened "
                "at their 9-, 18- and 30-month visits, and every family with a positive screen will be "
                "called within seven days.",
            )
            measure = add_item(db, who, {"kind": "measure"})["item"]["id"]
            edit("name", "Children screened at the 9-month visit (%)", measure)
            edit("family", "outcome", measure)
            edit("direction", "up", measure)
            months = ("Oct 2026", "Nov 2026", "Dec 2026", "Jan 2027", "Feb 2027", "Mar 2027")
            edit("data", "\n".join(f"{m}: {30 + (n + 7 * i) % 40}" for i, m in enumerate(months)), measure)
            cycle = add_item(db, who, {"kind": "pdsa"})["item"]["id"]
            edit("test", "One nurse offers the screen to the next two families at Tuesday's clinic.", cycle)
            edit("story_changes", STORY)
            edit("story_results", "Screens rose from 38% in October to 71% in March; the median shifted up.")
            edit("story_lessons", "Families welcome the screen when the nurse explains why we ask.")
            edit("story_next", "Spread to the 18-month visit in April; Dr Osei and the front desk own it.")
        session.storyboards_revealed = True
        db.flush()
        for i, who in enumerate(people):
            for k in range(1 + i % 3):
                target = (who.team_id + 1 + k * 7 + i) % TEAMS
                team_id = people[target].team_id
                if team_id != who.team_id:
                    place_dot(db, who, {"team_id": team_id})
        session.storyboards_revealed = False


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """`bsc serve` on the projector fixture, its database filled with the largest content."""
    from facilitator.app import create_app

    folder = tmp_path_factory.mktemp("projector-fit")
    server = Server(folder, FIXTURES / "projector")
    server.start()
    try:
        app = create_app(
            {
                "TESTING": True,
                "DATA_DIR": str(server.data),
                "CURRICULUM": str(FIXTURES / "projector"),
                "LOAD_CURRICULUM": True,
                "ASYNC_MODE": "threading",
                "FLUSH_IN_BACKGROUND": False,
                "PUBLIC_URL": server.base,
            }
        )
        made = Room(server, app, 0, "")
        _fill(made)
        yield made
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One Chromium for the module."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def faculty(room: Room, chromium: Any) -> Iterator[Any]:
    """A browser context signed in as faculty (the server's one-time link)."""
    context = chromium.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    page = context.new_page()
    page.goto(room.server.info["login"])
    page.close()
    yield context
    context.close()


@pytest.fixture(scope="module")
def projector(room: Room, faculty: Any) -> Any:
    """The projector page; each case reloads it and resizes it."""
    page = faculty.new_page()
    page.goto(f"{room.server.base}/projector/{room.code}")
    page.get_by_text("Connected").wait_for()
    return page


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """$BSC_SCREENSHOTS, else a temporary folder."""
    return shots_folder(tmp_path_factory.mktemp("shots"))


# -- driving the room ----------------------------------------------------------------------------
def set_room(
    room: Room,
    *,
    activity: str | None = None,
    state: str = "closed",
    results: bool = False,
    join_shown: bool = True,
    gallery: bool = False,
    item: int | None = None,
    timer: int | None = None,
) -> None:
    """Put the room in a state, as the console would: the activity shown, open or closed, its
    results revealed or not, the join panel, the gallery, the agenda item, the timer."""
    from live.context import transaction
    from live.models import Activity, AgendaItem, LearningSession
    from live.room.runofshow import clear_timer, start_timer

    with room.app.app_context(), transaction() as db:
        session = db.get(LearningSession, room.session_id)
        assert session is not None
        session.join_shown = join_shown
        session.storyboards_revealed = gallery
        session.current_activity_id = None
        session.current_item_id = item if item is not None else room.module_item
        if activity is not None:
            shown = db.get(Activity, room.activities[activity])
            assert shown is not None
            shown.state, shown.results_visible = state, results
            session.current_activity_id = shown.id
            session.current_item_id = shown.item_id
        if gallery:
            session.current_activity_id = room.activities["fit-gallery"]
        if item is not None:
            assert db.get(AgendaItem, item) is not None
        clear_timer(db, session)
        if timer is not None:
            start_timer(db, session, timer)


def fitted(page: Any, size: tuple[int, int]) -> None:
    """Resize the page and wait until the projector has fitted its drawing to that size."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.locator(f'#room[data-fitted="{size[0]}x{size[1]}"]').wait_for(state="attached")


# -- reading the layout --------------------------------------------------------------------------
STYLES = ("overflow-x", "overflow-y", "visibility", "font-size", "animation-name")


@dataclass
class Box:
    """One laid-out node: element, text or pseudo-element."""

    index: int
    name: str
    parent: int
    bounds: tuple[float, float, float, float]
    style: dict[str, str]
    text: str = ""
    classes: str = ""
    id: str = ""
    client: tuple[float, float, float, float] | None = None
    scroll: tuple[float, float, float, float] | None = None
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)

    def label(self) -> str:
        """tag#id.class, as in CSS, for messages."""
        named = f"#{self.id}" if self.id else ""
        classes = "".join(f".{c}" for c in self.classes.split())
        return f"{self.name.lower()}{named}{classes}"

    @property
    def visible(self) -> bool:
        """Drawn: not hidden, and not empty."""
        return self.style.get("visibility") == "visible" and self.bounds[2] > 0 and self.bounds[3] > 0

    @property
    def clips(self) -> bool:
        """Whether it cuts what overflows it (overflow other than visible)."""
        return (
            self.style.get("overflow-x", "visible") != "visible"
            or self.style.get("overflow-y", "visible") != "visible"
        )


class Layout:
    """Chromium's layout of the page: every box, with the text lines in it."""

    def __init__(self, page: Any) -> None:
        cdp = page.context.new_cdp_session(page)
        snap = cdp.send(
            "DOMSnapshot.captureSnapshot", {"computedStyles": list(STYLES), "includeDOMRects": True}
        )
        cdp.detach()
        strings = snap["strings"]
        document = snap["documents"][0]
        nodes, layout, boxes = document["nodes"], document["layout"], document["textBoxes"]
        attributes: dict[int, dict[str, str]] = {}
        for index, pairs in enumerate(nodes["attributes"]):
            attributes[index] = {strings[pairs[i]]: strings[pairs[i + 1]] for i in range(0, len(pairs), 2)}
        self.parent: list[int] = nodes["parentIndex"]
        self.nodes: dict[int, Box] = {}
        self.boxes: list[Box] = []
        for at, node in enumerate(layout["nodeIndex"]):
            text_index = layout["text"][at]
            attrs = attributes.get(node, {})
            box = Box(
                index=node,
                name=strings[nodes["nodeName"][node]],
                parent=self.parent[node],
                bounds=tuple(layout["bounds"][at]),
                style=dict(zip(STYLES, (strings[v] for v in layout["styles"][at]), strict=False)),
                text=strings[text_index] if text_index >= 0 else "",
                classes=attrs.get("class", ""),
                id=attrs.get("id", ""),
                client=tuple(layout["clientRects"][at]) if layout["clientRects"][at] else None,
                scroll=tuple(layout["scrollRects"][at]) if layout["scrollRects"][at] else None,
            )
            self.boxes.append(box)
            self.nodes.setdefault(node, box)
        for at, owner in enumerate(boxes["layoutIndex"]):
            self.boxes[owner].lines.append(tuple(boxes["bounds"][at]))

    def ancestors(self, node: int) -> Iterator[Box]:
        """The laid-out ancestors of a node, nearest first."""
        at = self.parent[node]
        while at >= 0:
            if at in self.nodes:
                yield self.nodes[at]
            at = self.parent[at]

    def inside(self, box: Box, name: str) -> bool:
        """Whether the box is inside an element of this class or id."""
        return any(name in a.classes.split() or a.id == name for a in self.ancestors(box.index))


def _outside(inner: tuple[float, ...], outer: tuple[float, ...], slack: float = 1.0) -> bool:
    """Whether a box (x, y, width, height) reaches more than `slack` outside another."""
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x < ox - slack or y < oy - slack or x + w > ox + ow + slack or y + h > oy + oh + slack


def problems(layout: Layout, size: tuple[int, int]) -> list[str]:
    """Every way the page fails to show whole on a screen of this size."""
    screen = (0.0, 0.0, float(size[0]), float(size[1]))
    found: list[str] = []
    for box in layout.boxes:
        if box.name.startswith("#document") or not box.visible:
            continue
        if box.name != "#text" and _outside(box.bounds, screen):
            found.append(f"{box.label()} leaves the screen: {box.bounds}")
        if (
            box.clips
            and box.client
            and box.scroll
            and (box.scroll[2] > box.client[2] + 1 or box.scroll[3] > box.client[3] + 1)
        ):
            found.append(
                f"{box.label()} cuts its content: {box.scroll[2]}x{box.scroll[3]} in "
                f"{box.client[2]}x{box.client[3]}"
            )
        if not box.lines or not box.text.strip():
            continue
        clips = [
            a for a in layout.ancestors(box.index) if a.clips and a.client and a.name not in ("HTML", "BODY")
        ]
        owner = next(layout.ancestors(box.index), None)
        for line in box.lines:
            where = f"'{box.text.strip()[:50]}' in {owner.label() if owner else '?'}"
            if _outside(line, screen):
                found.append(f"text leaves the screen: {where} at {line}")
            for clip in clips:
                assert clip.client is not None
                x, y, _, _ = clip.bounds
                area = (x + clip.client[0], y + clip.client[1], clip.client[2], clip.client[3])
                if _outside(line, area):
                    found.append(f"text cut by {clip.label()}: {where} at {line}, box {area}")
    found += overlaps(layout)
    return found


def _meet(a: tuple[float, ...], b: tuple[float, ...], slack: float = 1.0) -> bool:
    """Whether two boxes (x, y, width, height) overlap by more than `slack`."""
    return (
        a[0] + slack < b[0] + b[2]
        and b[0] + slack < a[0] + a[2]
        and a[1] + slack < b[1] + b[3]
        and b[1] + slack < a[1] + a[3]
    )


def overlaps(layout: Layout) -> list[str]:
    """Text drawn over other text or over a picture."""
    texts = [(box, line) for box in layout.boxes if box.visible and box.text.strip() for line in box.lines]
    pictures = [b for b in layout.boxes if b.visible and b.name in ("IMG", "svg")]
    found = []
    for i, (box, line) in enumerate(texts):
        for other, other_line in texts[i + 1 :]:
            if other is not box and _meet(line, other_line):
                found.append(f"'{box.text.strip()[:30]}' overlaps '{other.text.strip()[:30]}'")
        for picture in pictures:
            if _meet(line, picture.bounds):
                found.append(f"'{box.text.strip()[:30]}' overlaps {picture.label()} at {picture.bounds}")
    return found


# The activity's small print: the collaborative's name, the count of answers, page numbers,
# a storyboard's organisation, a cloud's words (the rarest are small by design), bar figures.
SMALL_PRINT = {"eyebrow", "answered", "page-note", "organisation", "cloud", "share", "count", "dots"}


def font_sizes(layout: Layout, within: str) -> list[tuple[float, str, str, bool]]:
    """(font size in px, text, its element, whether small print) of every visible text inside
    the element with id `within`."""
    sizes = []
    for box in layout.boxes:
        if box.lines and box.text.strip() and box.visible and layout.inside(box, within):
            chain = list(layout.ancestors(box.index))
            small = any(SMALL_PRINT & set(a.classes.split()) for a in chain)
            size = float(box.style["font-size"].removesuffix("px"))
            sizes.append((size, box.text.strip()[:40], chain[0].label(), small))
    return sizes


def check(page: Any, size: tuple[int, int], shots: Path, name: str) -> Layout:
    """Screenshot the page, then fail on anything cut, off the screen or too small to read."""
    page.screenshot(path=str(shots / f"projector-fit-{name}-{size[0]}x{size[1]}.png"))
    layout = Layout(page)
    found = problems(layout, size)
    assert not found, f"{name} at {size[0]}x{size[1]}:\n" + "\n".join(found[:25])
    sizes = font_sizes(layout, "activity")
    assert sizes, f"{name}: no text on the screen"
    least = min(sizes)
    assert least[0] >= ANY_TEXT * size[1], f"{name} at {size}: text too small to read: {least}"
    main = [s for s in sizes if not s[3]]
    if main:
        smallest = min(main)
        assert smallest[0] >= MAIN_TEXT * size[1], f"{name} at {size}: main text too small: {smallest}"
    return layout


def show(page: Any, ready: str) -> None:
    """Reload the projector (it draws the room's whole state) and wait for `ready` to be drawn."""
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    page.reload()
    page.get_by_text("Connected").wait_for()
    page.locator(ready).first.wait_for()
    page.locator(f'#room[data-fitted="{SIZES[0][0]}x{SIZES[0][1]}"]').wait_for(state="attached")


# -- the cases -------------------------------------------------------------------------------------
CASES: list[tuple[str, dict[str, Any], str, int]] = [
    # name, room state, what shows once drawn, how many rows it has
    ("choice-waiting", {"activity": "fit-choice", "state": "open"}, ".options-list li", 10),
    ("choice-results", {"activity": "fit-choice", "results": True}, "#results .bars li", 10),
    ("multi-waiting", {"activity": "fit-multi", "state": "open"}, ".options-list li", 10),
    ("multi-results", {"activity": "fit-multi", "results": True}, "#results .bars li", 10),
    ("quiz-waiting", {"activity": "fit-quiz", "state": "open"}, ".options-list li", 10),
    ("quiz-results", {"activity": "fit-quiz", "results": True}, "#results .bars li.correct", 1),
    ("ranking-waiting", {"activity": "fit-ranking", "state": "open"}, ".options-list li", 8),
    ("ranking-results", {"activity": "fit-ranking", "results": True}, "#results .bars li", 8),
    ("scale-waiting", {"activity": "fit-scale", "state": "open"}, "#answer-count", 1),
    ("scale-results", {"activity": "fit-scale", "results": True}, "#results .bars li", 11),
    ("assessment-results", {"activity": "fit-assessment", "results": True}, "#results .bars li", 10),
    ("cloud-results", {"activity": "fit-cloud", "results": True}, "#results .cloud span", 60),
    ("open-results", {"activity": "fit-open", "results": True}, "#results .wall li", 0),
    ("agenda", {}, "#agenda-now li.current", 1),
]


@pytest.mark.parametrize("join_shown", [True, False], ids=["joining", "under-way"])
@pytest.mark.parametrize(("name", "state", "ready", "rows"), CASES, ids=[c[0] for c in CASES])
def test_every_activity_fits_every_projector(
    room: Room,
    projector: Any,
    shots: Path,
    join_shown: bool,
    name: str,
    state: dict[str, Any],
    ready: str,
    rows: int,
) -> None:
    """At its largest, each activity shows whole at 1280x720, 1024x768 and 1920x1080."""
    from playwright.sync_api import expect

    set_room(room, join_shown=join_shown, **state)
    show(projector, ready)
    expect(projector.locator("#room")).to_have_class(re.compile("joining" if join_shown else "under-way"))
    for size in SIZES:
        fitted(projector, size)
        check(projector, size, shots, f"{name}-{'joining' if join_shown else 'under-way'}")
        if rows:
            expect(projector.locator(ready)).to_have_count(rows)
        elif name == "open-results":
            # Thirty answers of 200 characters do not fit readably: a page at a time.
            shown = projector.locator(ready).count()
            assert 0 < shown < 30
            expect(projector.locator("#answer-count")).to_contain_text(f"page 1 of {-(-30 // shown)}")


def test_the_agenda_shows_the_items_around_the_current_one_with_their_numbers(
    room: Room, projector: Any, shots: Path
) -> None:
    """Thirty items: with no activity the screen shows the current one and its neighbours,
    numbered and whole; beside an activity, the join column or the strip does."""
    from live.context import transaction
    from live.models import LearningSession

    with room.app.app_context(), transaction() as db:
        session = db.get(LearningSession, room.session_id)
        assert session is not None
        items = [i.id for i in session.items]
    assert len(items) == 30
    module = items.index(room.module_item) + 1
    cases: list[tuple[str, dict[str, Any], str, int, int]] = [
        (f"agenda-item-{at + 1}", {"item": items[at]}, "#agenda-now", at + 1, 5) for at in (0, 11, 29)
    ]
    for join_shown in (True, False):
        mode = "joining" if join_shown else "under-way"
        beside: dict[str, Any] = {"activity": "fit-choice", "state": "open", "join_shown": join_shown}
        cases.append((f"agenda-beside-{mode}", beside, "#agenda", module, 2))
    for name, state, where, current, least in cases:
        set_room(room, **state)
        show(projector, f"{where} li.current")
        for size in SIZES:
            fitted(projector, size)
            check(projector, size, shots, name)
            numbers = [int(n) for n in projector.locator(f"{where} li .n").all_inner_texts()]
            assert current in numbers, numbers
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), numbers
            assert len(numbers) >= least, f"{name}: only {numbers} at {size}"
            assert projector.locator(f"{where} li.current .n").inner_text() == str(current)


def test_the_word_cloud_is_a_cloud(room: Room, projector: Any, shots: Path) -> None:
    """Sixty words: none overlaps another, the most frequent is the largest and in the middle,
    and the same words in the same box land in the same places."""
    set_room(room, activity="fit-cloud", results=True, join_shown=False)
    show(projector, "#results .cloud.placed span")
    placed: dict[tuple[int, int], list[Any]] = {}
    for size in (*SIZES, SIZES[0]):
        fitted(projector, size)
        layout = check(projector, size, shots, "cloud")
        words = [b for b in layout.boxes if b.name == "SPAN" and layout.inside(b, "cloud")]
        assert len(words) == 60
        for i, a in enumerate(words):
            for b in words[i + 1 :]:
                ax, ay, aw, ah = a.bounds
                bx, by, bw, bh = b.bounds
                assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a.bounds, b.bounds)
        cloud = next(b for b in layout.boxes if "cloud" in b.classes.split())
        cx, cy, cw, ch = cloud.bounds
        first = words[0].bounds
        assert abs(first[0] + first[2] / 2 - (cx + cw / 2)) < cw * 0.15
        assert abs(first[1] + first[3] / 2 - (cy + ch / 2)) < ch * 0.15
        assert first[3] == max(w.bounds[3] for w in words)
        # Spread over the box, not a flowing list: words on many rows and at many left edges.
        assert len({round(w.bounds[0]) for w in words}) > 30
        spots = [w.bounds for w in words]
        if size in placed:
            assert spots == placed[size], "the same cloud was laid out differently"
        placed[size] = spots


def test_the_gallery_pages_through_forty_storyboards(room: Room, projector: Any, shots: Path) -> None:
    """Forty teams: a page of whole, readable storyboards at a time, page n of N; the arrow keys
    show one storyboard at a time, G the grid again."""
    from playwright.sync_api import expect

    for join_shown in (True, False):
        set_room(room, gallery=True, join_shown=join_shown)
        show(projector, "#gallery .board")
        mode = "joining" if join_shown else "under-way"
        for size in SIZES:
            fitted(projector, size)
            check(projector, size, shots, f"gallery-{mode}")
            shown = projector.locator(".gallery-grid article.board").count()
            assert 1 < shown < TEAMS
            expect(projector.locator("#gallery-page")).to_have_text(
                re.compile(rf"{TEAMS} storyboards · page 1 of {-(-TEAMS // shown)}")
            )
        fitted(projector, SIZES[0])
        projector.keyboard.press("ArrowRight")
        expect(projector.locator(".gallery-one article.board")).to_have_count(1)
        expect(projector.locator("#gallery-page")).to_contain_text(f"Storyboard 1 of {TEAMS}")
        for size in SIZES:
            fitted(projector, size)
            check(projector, size, shots, f"gallery-one-{mode}")
        projector.keyboard.press("g")
        expect(projector.locator(".gallery-grid article.board").first).to_be_visible()


def test_the_gallery_turns_its_pages_and_storyboards_by_itself(room: Room, faculty: Any) -> None:
    """Every ~12 s the next page; one at a time, the next team every ~20 s unless a key was
    pressed in the last 40 s."""
    from playwright.sync_api import expect

    set_room(room, gallery=True, join_shown=False)
    page = faculty.browser.new_context(viewport={"width": 1280, "height": 720})
    page.add_cookies(faculty.cookies())
    tab = page.new_page()
    tab.clock.install()
    tab.goto(f"{room.server.base}/projector/{room.code}")
    note = tab.locator("#gallery-page")
    expect(note).to_contain_text("page 1 of")
    tab.clock.fast_forward(13_000)
    expect(note).to_contain_text("page 2 of")
    tab.keyboard.press("ArrowRight")
    expect(note).to_contain_text(f"Storyboard 1 of {TEAMS}")
    tab.clock.fast_forward(25_000)  # a key 25 s ago: the facilitator is driving
    expect(note).to_contain_text(f"Storyboard 1 of {TEAMS}")
    tab.clock.fast_forward(20_000)
    expect(note).to_contain_text(f"Storyboard 2 of {TEAMS}")
    tab.clock.fast_forward(21_000)
    expect(note).to_contain_text(f"Storyboard 3 of {TEAMS}")
    set_room(room, activity="fit-open", results=True, join_shown=False)  # and the wall of answers
    tab.reload()
    answers = tab.locator("#answer-count")
    expect(answers).to_contain_text("page 1 of")
    first = tab.locator("#results .wall li").first.inner_text()
    tab.clock.fast_forward(13_000)
    expect(answers).to_contain_text("page 2 of")
    assert tab.locator("#results .wall li").first.inner_text() != first
    page.close()


def test_the_timer_at_zero_is_unmistakable_and_chimes_once(room: Room, projector: Any, shots: Path) -> None:
    """At zero the timer turns coral and pulses, says time is up, and a chime plays once."""
    from playwright.sync_api import expect

    for join_shown in (True, False):
        set_room(room, activity="fit-choice", results=True, join_shown=join_shown, timer=2)
        show(projector, "#timer:not([hidden])")
        projector.mouse.click(5, 5)  # the facilitator's first click allows sound
        expect(projector.locator("#timer.done")).to_be_visible(timeout=6000)
        expect(projector.locator("#timer")).to_have_attribute("data-chimes", "1")
        mode = "joining" if join_shown else "under-way"
        for size in SIZES:
            fitted(projector, size)
            layout = check(projector, size, shots, f"timer-done-{mode}")
            timer = next(b for b in layout.boxes if b.id == "timer")
            assert timer.style.get("animation-name") == "bsc-time-up", (size, mode, timer)
        expect(projector.locator("#timer")).to_have_attribute("data-chimes", "1")
    set_room(room)
