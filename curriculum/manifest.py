"""Reading a curriculum folder: its manifest, its modules, its topic pack and agendas."""

from __future__ import annotations

import difflib
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from curriculum.checks import Checker
from curriculum.model import (
    AGENDA_KINDS,
    AgendaItem,
    Curriculum,
    DriverDiagram,
    LearningSession,
    Measure,
    Module,
    Phase,
    PrimaryDriver,
    SecondaryDriver,
    TopicPack,
    clock,
    session_label,
)
from curriculum.modules import ID_PATTERN, SESSION_HINT, SESSION_PATTERN
from curriculum.problems import Problems
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
ITEM_KEYS = ("at", "module", "title", "minutes", "kind")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

ModuleReader = Any  # Callable[[Path, Problems], Module | None], cached by the loader


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
    modules = _modules(folder, manifest, check, read_module)
    _unique_activity_ids(modules, problems)
    topic_pack = None
    pack_name = check.text(manifest, "topic_pack")
    if pack_name:
        pack_path = folder / pack_name
        if pack_path.is_file():
            topic_pack = load_topic_pack(pack_path, problems)
        else:
            problems.add(
                path,
                manifest.line_of("topic_pack"),
                f"topic pack '{pack_name}' not found",
                "the path is relative to the manifest",
            )
    sessions = _sessions(manifest, modules, check)
    duration = check.whole(manifest, "duration_months", 1, 60)
    return Curriculum(
        id=curriculum_id,
        title=check.text(manifest, "title", required=True) or curriculum_id,
        topic=check.text(manifest, "topic", required=True) or "",
        aim=check.text(manifest, "aim", required=True) or "",
        phases=_phases(manifest, check),
        sessions=tuple(sessions),
        modules=modules,
        topic_pack=topic_pack,
        path=folder,
        duration_months=duration,
    )


def _modules(folder: Path, manifest: LineMap, check: Checker, read_module: ModuleReader) -> dict[str, Module]:
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
            if file.name.lower() == "readme.md":
                continue
            module = read_module(file, problems)
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


def _phases(manifest: LineMap, check: Checker) -> tuple[Phase, ...]:
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
        length = ""
        for unit in ("months", "weeks", "days"):
            if unit in phase:
                count = check.whole(phase, unit, 1, 60)
                if count:
                    length = f"{count} {unit[:-1] if count == 1 else unit}"
        phases.append(Phase(name, length))
    return tuple(phases)


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
            if module.session != session:
                problems.add(
                    path,
                    item.line_of("module"),
                    f"module '{module_id}' is written for {session_label(module.session)}, "
                    f"not {session_label(session)}",
                    "move it to its own session, or change the module's 'session'",
                )
            minutes, title, kind = module.duration, module.title, "module"
        else:
            title = check.text(item, "title", required=True) or "(untitled)"
            minutes = check.whole(item, "minutes", 1, 600, required=True) or 0
            kind = check.text(item, "kind") or "plenary"
            if kind not in AGENDA_KINDS:
                problems.add(
                    path,
                    item.line_of("kind"),
                    f"unknown agenda item kind '{kind}'",
                    "use one of " + ", ".join(AGENDA_KINDS),
                )
        if at is None:
            continue
        items.append(
            AgendaItem(start=at, minutes=minutes, title=title, module=module, kind=kind, line=item.line)
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


def load_topic_pack(path: Path, problems: Problems) -> TopicPack | None:
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
    check.known_keys(data, ("name", "aim", "driver_diagram", "measures"), "the topic pack")
    diagram = _driver_diagram(data, check)
    return TopicPack(
        name=check.text(data, "name", required=True) or path.stem,
        aim=check.text(data, "aim", required=True) or "",
        driver_diagram=diagram,
        measures=_measures(data, check),
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
            changes = check.text_list(second, "changes", required=True)
            secondaries.append(
                SecondaryDriver(
                    node_id(second), check.text(second, "text", required=True) or "", tuple(changes)
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
