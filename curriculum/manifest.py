"""Reading a curriculum folder: its manifest, its modules, its topic pack and agendas."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from curriculum.calendar import (
    DAYS_PER_MONTH,
    Calendar,
    PhaseSpan,
    as_date,
    check_dates,
    length_words,
    long_date,
    phase_session,
)
from curriculum.checks import Checker
from curriculum.model import (
    AGENDA_KINDS,
    AgendaItem,
    ChangeIdea,
    Curriculum,
    DriverDiagram,
    LearningSession,
    Measure,
    Module,
    Phase,
    PrimaryDriver,
    SecondaryDriver,
    TopicBlock,
    TopicPack,
    clock,
    session_label,
)
from curriculum.modules import ID_PATTERN, SESSION_HINT, SESSION_PATTERN
from curriculum.problems import Problems
from curriculum.translate import is_translation
from curriculum.worksheets import DIRECTIONS, FAMILIES
from curriculum.yamlio import LineMap, load_yaml

MEASURE_FAMILIES = tuple(c.value for c in FAMILIES)
MEASURE_KEYS = tuple(f.name for f in fields(Measure) if f.name != "family")  # a topic pack's measure

MANIFEST = "curriculum.yaml"
MANIFEST_KEYS = (
    "id",
    "title",
    "topic",
    "aim",
    "duration_months",
    "phases",
    "modules",
    "topic_pack",
    "sessions",
)
SESSION_KEYS = ("session", "title", "date", "venue", "start", "end", "agenda")
ITEM_KEYS = ("at", "module", "title", "minutes", "kind", "points", "notes")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

ModuleReader = Any  # Callable[[Path, Problems, Calendar], Module | None], cached by the loader


def load_curriculum(folder: Path, problems: Problems, read_module: ModuleReader) -> Curriculum | None:
    """Read the curriculum in `folder`; every problem found goes to `problems`."""
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        problems.add(path, 1, "cannot read the manifest", f"a curriculum folder holds a UTF-8 {MANIFEST}")
        return None
    data = load_yaml(text, path, 0, problems)
    if data is None:
        return None
    check = Checker(path, problems)
    manifest = check.mapping(data, 1, "the manifest")
    if manifest is None:
        return None
    check.known_keys(manifest, MANIFEST_KEYS, "the manifest")
    curriculum_id = check.text(manifest, "id", required=True) or folder.name
    if not ID_PATTERN.match(curriculum_id):
        problems.add(
            path,
            manifest.line_of("id"),
            f"id '{curriculum_id}' is not a plain name",
            "use lowercase letters, digits and hyphens",
        )
    phases = _phases(manifest, check)
    duration = check.whole(manifest, "duration_months", 1, 60)
    calendar = Calendar(sessions=_session_dates(manifest, check), phases=phases, months=duration)
    topic_pack = None
    pack_name = check.text(manifest, "topic_pack")
    if pack_name:
        pack_path = folder / pack_name
        if pack_path.is_file():
            topic_pack = load_topic_pack(pack_path, problems, calendar)
        else:
            problems.add(
                path,
                manifest.line_of("topic_pack"),
                f"topic pack '{pack_name}' not found",
                "the path is relative to the manifest",
            )
    if topic_pack is not None:
        calendar = replace(calendar, topic=topic_words(topic_pack))
    modules = _modules(folder, manifest, check, lambda file: read_module(file, problems, calendar))
    _unique_activity_ids(modules, problems)
    sessions = _sessions(manifest, modules, check)
    _check_calendar(calendar, manifest, check)
    _check_topic_blocks(sessions, topic_pack, problems)
    return Curriculum(
        id=curriculum_id,
        title=check.text(manifest, "title", required=True) or curriculum_id,
        topic=check.text(manifest, "topic", required=True) or "",
        aim=check.text(manifest, "aim", required=True) or "",
        phases=tuple(Phase(p.name, p.length) for p in phases),
        sessions=tuple(sessions),
        modules=modules,
        topic_pack=topic_pack,
        path=folder,
        duration_months=duration,
        calendar=calendar,
    )


def _modules(
    folder: Path, manifest: LineMap, check: Checker, read_module: Callable[[Path], Module | None]
) -> dict[str, Module]:
    path, problems = check.file, check.problems
    names = check.text_list(manifest, "modules", required=True)
    modules: dict[str, Module] = {}
    for name in names:
        where = (folder / name).resolve()
        if not where.is_dir():
            problems.add(
                path,
                manifest.line_of("modules"),
                f"module folder '{name}' not found",
                f"looked for {where}; the path is relative to the manifest",
            )
            continue
        for file in sorted(where.glob("*.md")):
            if file.name.lower() == "readme.md" or is_translation(file):
                continue
            module = read_module(file)
            if module is None:
                continue
            if module.id in modules:
                other = modules[module.id].path
                problems.add(
                    file,
                    2,
                    f"module id '{module.id}' is also the id of {other.name}",
                    "give every module its own id",
                )
                continue
            modules[module.id] = module
    return modules


def _unique_activity_ids(modules: dict[str, Module], problems: Problems) -> None:
    seen: dict[str, Module] = {}
    for module in modules.values():
        for activity in module.activities:
            if activity.id in seen:
                problems.add(
                    module.path,
                    activity.line,
                    f"activity id '{activity.id}' is also used in {seen[activity.id].path.name}",
                    "give every activity its own id",
                )
            else:
                seen[activity.id] = module


def _phases(manifest: LineMap, check: Checker) -> tuple[PhaseSpan, ...]:
    raw = manifest.get("phases") or []
    if not isinstance(raw, list):
        check.problems.add(
            check.file,
            manifest.line_of("phases"),
            "'phases' must be a list",
            "one '- {name: ..., months: ...}' per phase",
        )
        return ()
    phases = []
    for entry in raw:
        phase = check.mapping(entry, manifest.line_of("phases"), "a phase")
        if phase is None:
            continue
        check.known_keys(phase, ("name", "months", "weeks", "days"), "a phase")
        name = check.text(phase, "name", required=True) or ""
        length, days, size, kind = "", 0.0, 0, "months"
        for unit, per in (("months", DAYS_PER_MONTH), ("weeks", 7), ("days", 1)):
            if unit in phase:
                count = check.whole(phase, unit, 1, 60)
                if count:
                    length, size, kind = length_words(count, unit), count, unit
                    days += count * per
        phases.append(PhaseSpan(name, length, days, phase.line, size, kind))
    return tuple(phases)


def _session_entries(manifest: LineMap) -> list[tuple[str, LineMap]]:
    """The manifest's sessions as (key, mapping), before any other check of them."""
    raw = manifest.get("sessions")
    entries = raw if isinstance(raw, list) else []
    return [
        (str(e.get("session", "")).strip().lower(), e)
        for e in entries
        if isinstance(e, LineMap) and "session" in e
    ]


def _session_dates(manifest: LineMap, check: Checker) -> dict[str, date]:
    dates = {}
    for key, entry in _session_entries(manifest):
        if entry.get("date") in (None, ""):
            continue
        day = as_date(entry["date"])
        if day is None:
            check.problems.add(
                check.file,
                entry.line_of("date"),
                f"'date' is '{entry['date']}', not a date",
                "write it as year-month-day, such as 2027-03-09",
            )
        else:
            dates[key] = day
    return dates


def _check_topic_blocks(sessions: list[LearningSession], pack: TopicPack | None, problems: Problems) -> None:
    """Every ```topic block of the sessions' modules names a part this topic pack has."""
    primaries = {p.id for p in pack.driver_diagram.primary} if pack else set()
    for module in {m.id: m for s in sessions for m in s.modules}.values():
        for slide in module.slides:
            for block in slide.blocks:
                if not isinstance(block, TopicBlock):
                    continue
                if pack is None:
                    problems.add(
                        module.path,
                        block.line,
                        f"a ```topic {block.part} block, but the curriculum has no topic pack",
                        "add 'topic_pack: topic.yaml' to the manifest",
                    )
                elif block.part == "change-package" and block.arg not in primaries:
                    problems.add(
                        module.path,
                        block.line,
                        f"the topic pack has no primary driver '{block.arg}'",
                        "its primary drivers are " + ", ".join(sorted(primaries)),
                    )


def _check_calendar(calendar: Calendar, manifest: LineMap, check: Checker) -> None:
    """The phases add up to the length, sessions fall where the phases put them, in IHI's order."""
    path, problems = check.file, check.problems
    phases, months = calendar.phases, calendar.months
    if phases and months:
        total = sum(p.days for p in phases) / DAYS_PER_MONTH
        if abs(total - months) >= 0.5:
            problems.add(
                path,
                manifest.line_of("phases"),
                f"the phases add up to {total:.0f} months, but 'duration_months' is {months}",
                "make them agree: slides and handouts quote both",
            )
    action_periods = [n for n, p in enumerate(phases) if p.name.lower().startswith("action period")]
    for index, phase in enumerate(phases):
        if "congress" in phase.name.lower() and action_periods and index <= action_periods[-1]:
            problems.add(
                path,
                phase.line,
                f"'{phase.name}': the closing congress comes after the last action period",
                "give the last action period and the closing congress a phase each, in that order",
            )
    start, end = calendar.start, calendar.end
    if start is None:
        return
    lines = {key: entry.line_of("date") for key, entry in _session_entries(manifest)}
    for phase, offset in calendar.offsets():
        key = phase_session(phase.name)
        day = calendar.sessions.get(key) if key else None
        if key and day is not None:
            expected = start + timedelta(days=round(offset))
            if abs((day - expected).days) > 21:
                problems.add(
                    path,
                    lines[key],
                    f"{session_label(key)} is on {long_date(day)}, but the phases before it "
                    f"put it near {long_date(expected)}",
                    "move the date, or the lengths of the phases before it",
                )
    for key, day in calendar.sessions.items():
        if end is not None and day > end:
            problems.add(
                path,
                lines[key],
                f"{session_label(key)} on {long_date(day)} falls after the collaborative ends "
                f"({long_date(end)}: {months} months from {long_date(start)})",
                "move it earlier, or lengthen 'duration_months'",
            )
    if "aim" in manifest:
        check_dates([(manifest.line_of("aim"), str(manifest["aim"]))], path, problems, calendar=calendar)


def _time(data: LineMap, key: str, check: Checker) -> int | None:
    """An 'HH:MM' value as minutes after midnight."""
    if key not in data:
        check.problems.add(check.file, data.line, f"missing '{key}'", f"add '{key}: \"09:00\"'")
        return None
    match = _TIME.match(str(data[key]).strip())
    if not match:
        check.problems.add(
            check.file,
            data.line_of(key),
            f"'{key}' is '{data[key]}', not a time",
            'write a 24-hour time in quotes, such as "13:30"',
        )
        return None
    return int(match.group(1)) * 60 + int(match.group(2))


def _sessions(manifest: LineMap, modules: dict[str, Module], check: Checker) -> list[LearningSession]:
    path, problems = check.file, check.problems
    raw = manifest.get("sessions")
    if not isinstance(raw, list) or not raw:
        problems.add(
            path,
            manifest.line_of("sessions"),
            "the manifest has no sessions",
            "add 'sessions:' with one entry per learning session",
        )
        return []
    sessions: list[LearningSession] = []
    seen: set[str] = set()
    for entry in raw:
        data = check.mapping(entry, manifest.line_of("sessions"), "a session")
        if data is None:
            continue
        check.known_keys(data, SESSION_KEYS, "a session")
        key = str(data.get("session", "")).strip().lower()
        if not SESSION_PATTERN.match(key):
            problems.add(
                path,
                data.line_of("session"),
                f"session '{data.get('session', '')}' is not known",
                SESSION_HINT,
            )
            continue
        if key in seen:
            problems.add(
                path,
                data.line_of("session"),
                f"{session_label(key)} is listed twice",
                "list each session once",
            )
            continue
        seen.add(key)
        start, end = _time(data, "start", check), _time(data, "end", check)
        title = check.text(data, "title", required=True) or session_label(key)
        if start is not None and end is not None and end <= start:
            problems.add(
                path,
                data.line_of("end"),
                f"the session ends at {clock(end)}, before it starts",
                "the end must come after the start",
            )
        agenda = _agenda(data, key, start, end, modules, check)
        sessions.append(
            LearningSession(
                session=key,
                title=title,
                start=start or 0,
                end=end or 0,
                agenda=tuple(agenda),
                date=str(data.get("date") or ""),
                venue=check.text(data, "venue") or "",
            )
        )
    return sessions


def _agenda(
    data: LineMap,
    session: str,
    start: int | None,
    end: int | None,
    modules: dict[str, Module],
    check: Checker,
) -> list[AgendaItem]:
    path, problems = check.file, check.problems
    raw = data.get("agenda")
    if not isinstance(raw, list) or not raw:
        problems.add(
            path,
            data.line_of("agenda"),
            "the session has no agenda",
            "add 'agenda:' with one '- {at: \"09:00\", module: ...}' per item",
        )
        return []
    items: list[AgendaItem] = []
    for entry in raw:
        item = check.mapping(entry, data.line_of("agenda"), "an agenda item")
        if item is None:
            continue
        check.known_keys(item, ITEM_KEYS, "an agenda item")
        at = _time(item, "at", check)
        module = None
        if "module" in item:
            module_id = str(item["module"])
            module = modules.get(module_id)
            if module is None:
                near = difflib.get_close_matches(module_id, list(modules), n=1)
                problems.add(
                    path,
                    item.line_of("module"),
                    f"no module with id '{module_id}'",
                    f"did you mean '{near[0]}'?" if near else "check the module's id",
                )
                continue
            if module.session not in (session, "any"):
                problems.add(
                    path,
                    item.line_of("module"),
                    f"module '{module_id}' is written for {session_label(module.session)}, "
                    f"not {session_label(session)}",
                    "move it to its own session, or change the module's 'session'",
                )
            minutes, title, kind = module.duration, module.title, "module"
            points: list[str] = []
            notes = ""
        else:
            title = check.text(item, "title", required=True) or "(untitled)"
            minutes = check.whole(item, "minutes", 1, 600, required=True) or 0
            kind = check.one_of(item, "kind", AGENDA_KINDS, "plenary", "agenda item kind")
            points = check.text_list(item, "points")
            notes = check.text(item, "notes") or ""
            if kind == "plenary" and not points:
                problems.add(
                    path,
                    item.line,
                    f"'{title}' would be a slide with nothing on it",
                    "give it 'points:' (what the slide says) and 'notes:', or make it a module",
                )
        if at is None:
            continue
        items.append(
            AgendaItem(
                start=at,
                minutes=minutes,
                title=title,
                module=module,
                kind=kind,
                line=item.line,
                points=tuple(points),
                notes=notes,
            )
        )
    _check_times(items, start, end, check)
    return items


def _check_times(items: list[AgendaItem], start: int | None, end: int | None, check: Checker) -> None:
    path, problems = check.file, check.problems
    for index, item in enumerate(items):
        if start is not None and item.start < start:
            problems.add(
                path,
                item.line,
                f"'{item.title}' starts at {clock(item.start)}, before the session starts at {clock(start)}",
                "move it later",
            )
        following = items[index + 1] if index + 1 < len(items) else None
        if following is not None and following.start < item.start:
            problems.add(
                path,
                following.line,
                f"'{following.title}' at {clock(following.start)} "
                f"comes before '{item.title}' at {clock(item.start)}",
                "list the agenda in time order",
            )
        elif following is not None and item.end > following.start:
            problems.add(
                path,
                item.line,
                f"'{item.title}' ({clock(item.start)}, {item.minutes} min) "
                f"runs to {clock(item.end)}, past the next item at {clock(following.start)}",
                "shorten it or move the next item later",
            )
        elif following is None and end is not None and item.end > end:
            problems.add(
                path,
                item.line,
                f"'{item.title}' ({clock(item.start)}, {item.minutes} min) "
                f"runs to {clock(item.end)}, past the session's end at {clock(end)}",
                "shorten the agenda or end the session later",
            )


def topic_words(pack: TopicPack) -> dict[str, str]:
    """What `{{ topic ... }}` in a module can quote from the topic pack."""
    words = {"aim": pack.aim, "field": pack.field}
    for p, primary in enumerate(pack.driver_diagram.primary, 1):
        words[f"primary {p}"] = primary.text
        for s, secondary in enumerate(primary.secondary, 1):
            words[f"secondary {p}.{s}"] = secondary.text
            for c, change in enumerate(secondary.changes, 1):
                words[f"change {p}.{s}.{c}"] = change
    for family in MEASURE_FAMILIES:
        for n, measure in enumerate((m for m in pack.measures if m.family == family), 1):
            words[f"measure {family} {n}"] = measure.name
            words[f"definition {family} {n}"] = measure.definition
            words[f"numerator {family} {n}"] = measure.numerator or measure.definition
            words[f"denominator {family} {n}"] = measure.denominator or "(a count: no denominator)"
    return words


def load_topic_pack(path: Path, problems: Problems, calendar: Calendar | None = None) -> TopicPack | None:
    """Read a topic pack: aim, driver diagram and measures."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        problems.add(path, 1, "cannot read the topic pack", "save it as UTF-8 text")
        return None
    check = Checker(path, problems)
    data = check.mapping(load_yaml(text, path, 0, problems), 1, "the topic pack")
    if data is None:
        return None
    check.known_keys(data, ("name", "field", "aim", "driver_diagram", "measures"), "the topic pack")
    field = check.one_of(data, "field", FIELDS, FIELDS[0], "field (whose examples the shared modules show)")
    diagram = _driver_diagram(data, check)
    aims = [(data.line_of("aim"), str(data["aim"]))] if "aim" in data else []
    if isinstance(data.get("driver_diagram"), LineMap) and "aim" in data["driver_diagram"]:
        aims.append((data["driver_diagram"].line_of("aim"), str(data["driver_diagram"]["aim"])))
    check_dates(aims, path, problems, calendar=calendar)
    return TopicPack(
        name=check.text(data, "name", required=True) or path.stem,
        aim=check.text(data, "aim", required=True) or "",
        driver_diagram=diagram,
        measures=_measures(data, check),
        field=field,
    )


def _driver_diagram(data: LineMap, check: Checker) -> DriverDiagram:
    path, problems = check.file, check.problems
    raw = check.mapping(data.get("driver_diagram"), data.line_of("driver_diagram"), "'driver_diagram'")
    if raw is None:
        return DriverDiagram("", ())
    ids: set[str] = set()

    def node_id(node: LineMap) -> str:
        value = check.text(node, "id", required=True) or ""
        if value in ids:
            problems.add(
                path, node.line_of("id"), f"driver id '{value}' is used twice", "give every driver its own id"
            )
        ids.add(value)
        return value

    primaries = []
    for entry in raw.get("primary") or []:
        node = check.mapping(entry, raw.line_of("primary"), "a primary driver")
        if node is None:
            continue
        check.known_keys(node, ("id", "text", "secondary"), "a primary driver")
        secondaries = []
        for sub in node.get("secondary") or []:
            second = check.mapping(sub, node.line_of("secondary"), "a secondary driver")
            if second is None:
                continue
            check.known_keys(second, ("id", "text", "changes"), "a secondary driver")
            ideas = _change_ideas(second, check)
            secondaries.append(
                SecondaryDriver(
                    node_id(second),
                    check.text(second, "text", required=True) or "",
                    tuple(i.idea for i in ideas),
                    tuple(ideas),
                )
            )
        if not secondaries:
            problems.add(
                path,
                node.line,
                "a primary driver with no secondary drivers",
                "add 'secondary:' with at least one driver",
            )
        primaries.append(
            PrimaryDriver(node_id(node), check.text(node, "text", required=True) or "", tuple(secondaries))
        )
    if not primaries:
        problems.add(
            path,
            raw.line,
            "the driver diagram has no primary drivers",
            "add 'primary:' with at least one driver",
        )
    return DriverDiagram(check.text(raw, "aim", required=True) or "", tuple(primaries))


CHANGE_KEYS = ("idea", "try", "who", "tool")
FIELDS = ("clinic", "school")  # the shared modules' examples (images/run-chart-<field>.png)


def _change_ideas(driver: LineMap, check: Checker) -> list[ChangeIdea]:
    """A secondary driver's change ideas: each a line of text, or {idea, try, who, tool}."""
    raw = driver.get("changes")
    if not isinstance(raw, list) or not raw:
        check.problems.add(
            check.file,
            driver.line_of("changes"),
            "missing 'changes'",
            "add 'changes:' with at least one idea",
        )
        return []
    ideas = []
    for entry in raw:
        if isinstance(entry, LineMap):
            check.known_keys(entry, CHANGE_KEYS, "a change idea")
            ideas.append(
                ChangeIdea(
                    idea=check.text(entry, "idea", required=True) or "",
                    try_=check.text(entry, "try") or "",
                    who=check.text(entry, "who") or "",
                    tool=check.text(entry, "tool") or "",
                )
            )
        elif isinstance(entry, str) and entry.strip():
            ideas.append(ChangeIdea(entry.strip()))
        else:
            check.problems.add(
                check.file,
                driver.line_of("changes"),
                "a change idea must be text, or 'idea:' with 'try:', 'who:' and 'tool:'",
                "write '- Add the screen to the visit template' or '- idea: ...'",
            )
    return ideas


def _measures(data: LineMap, check: Checker) -> tuple[Measure, ...]:
    path, problems = check.file, check.problems
    raw = check.mapping(data.get("measures"), data.line_of("measures"), "'measures'")
    if raw is None:
        return ()
    check.known_keys(raw, MEASURE_FAMILIES, "'measures'")
    measures = []
    for family in MEASURE_FAMILIES:
        entries = raw.get(family)
        if not isinstance(entries, list) or not entries:
            problems.add(
                path,
                raw.line_of(family),
                f"no {family} measures",
                f"add '{family}:' with at least one measure",
            )
            continue
        for entry in entries:
            item = check.mapping(entry, raw.line_of(family), "a measure")
            if item is None:
                continue
            check.known_keys(item, MEASURE_KEYS, "a measure")
            direction = check.text(item, "direction") or "up"
            if direction not in {c.value for c in DIRECTIONS}:
                problems.add(
                    path,
                    item.line_of("direction"),
                    f"direction '{direction}'",
                    "write up (higher is better) or down (lower is better)",
                )
            measures.append(
                Measure(
                    family=family,
                    name=check.text(item, "name", required=True) or "",
                    definition=check.text(item, "definition", required=True) or "",
                    numerator=check.text(item, "numerator") or "",
                    denominator=check.text(item, "denominator") or "",
                    direction=direction,
                    target=check.text(item, "target") or "",
                )
            )
    return tuple(measures)
