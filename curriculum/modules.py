"""Reading one module file: front matter, slides, speaker notes and activity blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curriculum.calendar import Calendar, check_dates, choose_field, fill
from curriculum.checks import Checker
from curriculum.markdown import parse_body, to_text
from curriculum.model import ACTIVITY_KINDS, HANDOUT_EXTRAS, Activity, Module, Slide
from curriculum.polls import POLL_KINDS
from curriculum.problems import Problems
from curriculum.worksheets import WORKSHEETS
from curriculum.yamlio import LineMap, load_yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SESSION_PATTERN = re.compile(r"^(?:prework|[123]|congress|ap[1-9]|any)$")
SESSION_HINT = (
    "use prework, 1, 2, 3 for learning sessions, congress for the closing congress, "
    "ap1 to ap9 for action-period calls, or any for a module every session can use"
)
FRONT_MATTER_KEYS = ("id", "title", "session", "duration", "objectives", "presenter", "audience", "prints")
ACTIVITY_KEYS = {
    "common": ("kind", "id", "title", "prompt", "minutes"),
    "poll": ("type", "anonymous"),  # and the settings of its kind (curriculum.polls)
    "team-time": ("worksheet",),
    "gallery-walk": ("dots", "moderated"),
    "question-board": ("moderated",),
    "storyboard": (),
    "break": (),
}
DEFAULT_TITLES = {
    "poll": "Poll",
    "storyboard": WORKSHEETS["storyboard"].title,
    "gallery-walk": "Gallery walk",
    "question-board": "Your questions",
    "break": "Break",
}

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w-]*)")


@dataclass
class _Chunk:
    lines: list[str]
    first_line: int  # file line of lines[0]
    notes: list[str] = field(default_factory=list)
    activity: list[str] | None = None
    activity_line: int = 0


def parse_module(path: Path, problems: Problems, calendar: Calendar | None = None) -> Module | None:
    """Read the module at `path`; every problem found goes to `problems`.

    `{{ ... }}` dates are computed from `calendar` (the curriculum's) for the module's session.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.add(path, 1, "the file is not UTF-8 text", "save it as UTF-8 in your editor")
        return None
    except OSError as error:
        problems.add(path, 1, f"cannot read the file: {error.strerror}", "check the path")
        return None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.add(
            path,
            1,
            "no front matter",
            "start the file with a line '---', the keys id, title, session, duration "
            "and objectives, and another line '---'",
        )
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if close is None:
        problems.add(path, 1, "the front matter never ends", "close it with a line '---'")
        return None
    front = load_yaml("\n".join(lines[1:close]), path, 1, problems)
    check = Checker(path, problems)
    meta = _front_matter(front, path, check)
    field = calendar.topic.get("field") if calendar else None
    lines[close + 1 :] = choose_field(lines[close + 1 :], close + 2, field, path, problems)
    lines[close + 1 :] = fill(lines[close + 1 :], close + 2, meta["session"], calendar, path, problems)
    check_dates(
        enumerate(lines[close + 1 :], start=close + 2),
        path,
        problems,
        near=calendar.sessions.get(meta["session"]) if calendar else None,
        calendar=calendar,
    )
    chunks = _split_slides(lines, close + 1, path, problems)
    slides: list[Slide] = []
    activity_count = 0
    for chunk in chunks:
        slide = _slide(chunk, meta["id"], activity_count + 1, path, problems)
        if slide is None:
            continue
        if slide.activity is not None:
            activity_count += 1
        slides.append(slide)
    _check_minutes(slides, meta["duration"], path, problems)
    if not slides:
        problems.add(
            path,
            close + 2,
            "the module has no slides",
            "add slides after the front matter, each starting with '# Title'",
        )
    return Module(
        id=meta["id"],
        title=meta["title"],
        session=meta["session"],
        duration=meta["duration"],
        objectives=tuple(meta["objectives"]),
        slides=tuple(slides),
        path=path,
        presenter=meta["presenter"],
        audience=meta["audience"],
        prints=tuple(meta["prints"]),
    )


def _check_minutes(slides: list[Slide], duration: int, path: Path, problems: Problems) -> None:
    """The activities' minutes fit in the module's duration."""
    total = 0
    for activity in (s.activity for s in slides if s.activity is not None):
        total += activity.minutes
        if total > duration:
            problems.add(
                path,
                activity.line,
                f"the activities take {total} minutes by here, more than the module's {duration}",
                "shorten the activities or lengthen the module's 'duration'",
            )
            return


def _front_matter(front: Any, path: Path, check: Checker) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "id": path.stem,
        "title": path.stem,
        "session": "1",
        "duration": 1,
        "objectives": [],
        "presenter": "",
        "audience": "",
        "prints": [],
    }
    if front is None:
        return meta  # the YAML error is already reported
    if not isinstance(front, LineMap):
        check.problems.add(
            path,
            2,
            "the front matter is not a set of 'key: value' lines",
            "write one key per line, such as 'title: Writing an aim'",
        )
        return meta
    check.known_keys(front, FRONT_MATTER_KEYS, "front matter")
    module_id = check.text(front, "id", required=True)
    if module_id and not ID_PATTERN.match(module_id):
        check.problems.add(
            path,
            front.line_of("id"),
            f"id '{module_id}' is not a plain name",
            "use lowercase letters, digits and hyphens, such as ls1-writing-an-aim",
        )
    meta["id"] = module_id or path.stem
    meta["title"] = check.text(front, "title", required=True) or path.stem
    if "session" not in front:
        check.problems.add(path, front.line, "missing 'session'", SESSION_HINT)
    else:
        session = str(front["session"]).strip().lower()
        if not SESSION_PATTERN.match(session):
            check.problems.add(
                path, front.line_of("session"), f"session '{front['session']}' is not known", SESSION_HINT
            )
        else:
            meta["session"] = session
    meta["duration"] = check.whole(front, "duration", 1, 480, required=True) or 1
    meta["objectives"] = check.text_list(front, "objectives", required=True)
    meta["presenter"] = check.text(front, "presenter") or ""
    meta["audience"] = check.text(front, "audience") or ""
    meta["prints"] = check.text_list(front, "prints")
    for extra in meta["prints"]:
        if extra not in HANDOUT_EXTRAS:
            check.problems.add(
                path,
                front.line_of("prints"),
                f"'{extra}' is not a page the handout prints",
                "use " + ", ".join(HANDOUT_EXTRAS),
            )
    return meta


def _split_slides(lines: list[str], start: int, path: Path, problems: Problems) -> list[_Chunk]:
    """Cut the body at '---' lines outside fences; pull out notes and activity blocks."""
    chunks: list[_Chunk] = []
    chunk = _Chunk([], start + 1)
    fence: str | None = None
    fence_target = "body"
    fence_line = 0
    in_notes = False
    notes_line = 0
    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        stripped = line.strip()
        if fence is not None:
            closing = bool(stripped) and set(stripped) == {fence[0]} and len(stripped) >= len(fence)
            if fence_target == "activity":
                if not closing and chunk.activity is not None:
                    chunk.activity.append(line)
                chunk.lines.append("")
            elif fence_target == "notes":
                chunk.notes.append(line)
                chunk.lines.append("")
            else:
                chunk.lines.append(line)
            if closing:
                fence = None
            continue
        opened = _FENCE.match(line)
        if opened:
            fence = opened.group(1)
            fence_line = number
            if opened.group(2) == "activity" and not in_notes:
                fence_target = "activity"
                if chunk.activity is not None:
                    problems.add(
                        path,
                        number,
                        "a second activity on one slide",
                        "start a new slide with a line '---' before it",
                    )
                chunk.activity = []
                chunk.activity_line = number
                chunk.lines.append("")
            elif in_notes:
                fence_target = "notes"
                chunk.notes.append(line)
                chunk.lines.append("")
            else:
                fence_target = "body"
                chunk.lines.append(line)
            continue
        if in_notes:
            chunk.lines.append("")
            if stripped == ":::":
                in_notes = False
            else:
                chunk.notes.append(line)
            continue
        if re.match(r"^:::\s*notes\s*$", stripped):
            in_notes = True
            notes_line = number
            chunk.lines.append("")
            continue
        if stripped == "---":
            chunks.append(chunk)
            chunk = _Chunk([], number + 1)
            continue
        chunk.lines.append(line)
    if fence is not None:
        problems.add(
            path,
            fence_line,
            f"a fenced block opened with {fence} is never closed",
            f"close it with a line {fence}",
        )
    if in_notes:
        problems.add(
            path, notes_line, "the speaker notes block is never closed", "close it with a line ':::'"
        )
    chunks.append(chunk)
    return [c for c in chunks if any(x.strip() for x in c.lines) or c.notes or c.activity is not None]


def _slide(chunk: _Chunk, module_id: str, number: int, path: Path, problems: Problems) -> Slide | None:
    body = parse_body(chunk.lines, chunk.first_line, path.parent, path, problems)
    activity = None
    if chunk.activity is not None:
        activity = parse_activity(
            chunk.activity, chunk.activity_line, body.title, f"{module_id}-{number}", path, problems
        )
    title = body.title or (activity.title if activity else "")
    line = body.title_line if body.title else chunk.first_line
    if not title and chunk.activity is not None:
        title = "(untitled)"  # the activity block's own problem is already reported
    if not title:
        first = next((i for i, x in enumerate(chunk.lines) if x.strip()), 0)
        line = chunk.first_line + first
        problems.add(path, line, "the slide has no title", "start the slide with a line '# Title'")
        title = "(untitled)"
    pictures = [b for b in body.blocks if type(b).__name__ in ("Image", "Table", "TopicBlock")]
    if len(pictures) > 1:
        problems.add(
            path,
            line,
            f"slide '{title}' holds {len(pictures)} images or tables",
            "keep one image or table per slide; split it with a line '---'",
        )
    if activity is not None and pictures:
        problems.add(
            path,
            line,
            f"activity slide '{title}' holds an image or table",
            "put the image or table on a slide of its own before the activity",
        )
    notes = to_text("\n".join(chunk.notes)) if chunk.notes else ""
    return Slide(title=title, blocks=tuple(body.blocks), notes=notes, line=line, activity=activity)


def parse_activity(
    lines: list[str], fence_line: int, heading: str, default_id: str, path: Path, problems: Problems
) -> Activity | None:
    """An ```activity block; `fence_line` is the file line of its opening fence."""
    data = load_yaml("\n".join(lines), path, fence_line, problems)
    if data is None:
        if not any(x.strip() for x in lines):
            problems.add(
                path,
                fence_line,
                "the activity block is empty",
                "give it at least 'kind', 'prompt' and 'minutes'",
            )
        return None
    check = Checker(path, problems)
    if not isinstance(data, LineMap):
        problems.add(
            path,
            fence_line + 1,
            "the activity block is not a set of 'key: value' lines",
            "write one key per line, starting with 'kind: poll'",
        )
        return None
    kind = check.text(data, "kind", required=True)
    if kind is None:
        return None
    if kind not in ACTIVITY_KINDS:
        problems.add(
            path,
            data.line_of("kind"),
            f"unknown activity kind '{kind}'",
            "use one of " + ", ".join(ACTIVITY_KINDS),
        )
        return None
    known = ACTIVITY_KEYS["common"] + ACTIVITY_KEYS[kind]
    if kind == "poll" and data.get("type") in POLL_KINDS:
        known += tuple(s.key for s in POLL_KINDS[data["type"]].settings)
    check.known_keys(data, known, f"a {kind} activity")
    activity_id = check.text(data, "id") or default_id
    if not ID_PATTERN.match(activity_id):
        problems.add(
            path,
            data.line_of("id"),
            f"activity id '{activity_id}' is not a plain name",
            "use lowercase letters, digits and hyphens",
        )
    prompt = check.text(data, "prompt", required=kind != "break") or ""
    minutes = check.whole(data, "minutes", 1, 240, required=True) or 1
    fields: dict[str, Any] = {}
    default_title = DEFAULT_TITLES.get(kind, "")
    if kind == "poll":
        fields = _poll_fields(data, check)
    elif kind == "team-time":
        worksheet = check.text(data, "worksheet", required=True)
        if worksheet is not None and worksheet not in WORKSHEETS:
            problems.add(
                path,
                data.line_of("worksheet"),
                f"unknown worksheet '{worksheet}'",
                "use one of " + ", ".join(WORKSHEETS),
            )
            worksheet = None
        fields["worksheet"] = worksheet
        default_title = f"Team time: {WORKSHEETS[worksheet].title if worksheet else 'worksheet'}"
    elif kind == "gallery-walk":
        fields["dots"] = check.whole(data, "dots", 0, 20) or (0 if data.get("dots") == 0 else 3)
    if kind in ("gallery-walk", "question-board"):
        # Questions wait for a facilitator unless the module says not; comments do not unless it says so.
        fields["moderated"] = kind == "question-board"
        if "moderated" in data:
            if isinstance(data["moderated"], bool):
                fields["moderated"] = data["moderated"]
            else:
                problems.add(
                    path,
                    data.line_of("moderated"),
                    "'moderated' must be true or false",
                    "write moderated: true or moderated: false",
                )
    title = check.text(data, "title") or heading or default_title
    return Activity(
        kind=kind, id=activity_id, title=title, prompt=prompt, minutes=minutes, line=data.line, **fields
    )


def _poll_fields(data: LineMap, check: Checker) -> dict[str, Any]:
    """The poll's kind and its settings, each checked by the kind's definition."""
    path, problems = check.file, check.problems
    poll_type = check.text(data, "type", required=True)
    if poll_type is not None and poll_type not in POLL_KINDS:
        problems.add(
            path,
            data.line_of("type"),
            f"unknown poll type '{poll_type}'",
            "use one of " + ", ".join(POLL_KINDS),
        )
        poll_type = None
    fields: dict[str, Any] = {"poll_type": poll_type}
    if "anonymous" in data:
        if isinstance(data["anonymous"], bool):
            fields["anonymous"] = data["anonymous"]
        else:
            problems.add(
                path,
                data.line_of("anonymous"),
                "'anonymous' must be true or false",
                "write anonymous: true or anonymous: false",
            )
    if poll_type is not None:
        spec, issues = POLL_KINDS[poll_type].read(data)
        for issue in issues:
            problems.add(path, data.line_of(issue.key), issue.message, issue.hint)
        fields["spec"] = spec
    return fields
