"""A team's shared workspace: the fields of its worksheets, versioned, and their rows.

What a worksheet holds, and what each field accepts, is defined once in curriculum.worksheets.
Every edit names the version of the field its author last saw. If a teammate saved in
between, the edit is refused as a conflict carrying the current text, so nobody's words are
silently lost; the author decides what to keep and saves again against the new version.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curriculum.measures import (
    FieldInvalid,
    Note,
    check_entry,
    check_period,
    enter,
    format_limits,
    format_notes,
    parse_data,
    parse_limits,
    parse_notes,
    remove,
)
from curriculum.problems import Invalid, Word
from curriculum.worksheets import (
    CARRIED,
    MAX_NOTE,
    MAX_ROWS,
    ROW_KINDS,
    SUBMITTED,
    WORKSHEETS,
    Field,
    check_value,
    chosen_ids,
    row_field,
    row_ids,
    team_field,
)
from live import protocol
from live.context import curricula
from live.models import Collaborative, LearningSession, Team, WorkspaceField, WorkspaceItem, now
from live.protocol import Refused
from live.writes import Author


class Conflict(Refused):
    """A teammate saved this field after the author last saw it."""

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__(
            f"{current['by'] or 'A teammate'} changed this while you were typing: "
            "here is their text; keep it, or save yours again",
            "conflict",
            {"current": current},
        )


def _item(db: Session, author: Author, item_id: int) -> WorkspaceItem:
    item = db.get(WorkspaceItem, item_id)
    if item is None or item.deleted:
        raise Refused("that row is gone (a teammate may have removed it)", "no_item")
    if item.team_id != author.team_id:
        raise Refused("you can only change your own team's workspace", "forbidden")
    return item


def _diagram_ids(db: Session, author: Author) -> set[str] | None:
    """Every change idea's id in the collaborative's driver diagram (None: no diagram to check)."""
    curriculum_id = db.scalar(
        select(Collaborative.curriculum_id)
        .join(LearningSession, LearningSession.collaborative_id == Collaborative.id)
        .where(LearningSession.id == author.session_id)
    )
    curriculum = curricula().get(curriculum_id or "")
    if curriculum is None or curriculum.topic_pack is None:
        return None  # no diagram to check against (a curriculum no longer loaded)
    return {
        f"{s.id}.{n}"
        for p in curriculum.topic_pack.driver_diagram.primary
        for s in p.secondary
        for n in range(1, len(s.changes) + 1)
    }


def _check_links(db: Session, author: Author, definition: Field, value: str) -> None:
    """A field that points elsewhere points at something real: change ideas the collaborative's
    driver diagram has, measures the team has."""
    if definition.input == "measures":
        ids = row_ids(value)
        found = set(
            db.scalars(
                select(WorkspaceItem.id).where(
                    WorkspaceItem.id.in_(ids),
                    WorkspaceItem.team_id == author.team_id,
                    WorkspaceItem.kind == "measure",
                    WorkspaceItem.deleted.is_(False),
                )
            )
        )
        if set(ids) - found:
            raise Refused("choose among your team's measures", "bad_value")
        return
    if definition.input not in ("drivers", "idea") or not value:
        return
    known = _diagram_ids(db, author)
    if definition.input == "idea":
        if value.startswith("own:") or known is None or value in known:
            return
        raise Refused(
            "'{idea}' is not a change idea of the collaborative's driver diagram",
            "bad_value",
            idea=value[:40],
        )
    if known is None:
        return
    unknown = [i for i in chosen_ids(value) if i not in known]
    if unknown:
        raise Refused(
            "'{idea}' is not a change idea of the collaborative's driver diagram",
            "bad_value",
            idea=unknown[0],
        )


def edit_field(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Save one field if nobody saved it since `base_version`; else refuse with the current text."""
    name = protocol.text(payload, "name", 32)
    item_id = payload.get("item_id")
    if item_id is None:
        definition, scope = team_field(name), ""
    else:
        item = _item(db, author, protocol.integer(payload, "item_id"))
        definition, scope = row_field(item.kind, name), f"i{item.id}"
        if item.status == SUBMITTED:
            raise Refused("this report is submitted: it can no longer be changed", "submitted")
    if definition.faculty:
        raise Refused("only the faculty write '{what}'", "forbidden", what=Word(definition.label))
    base = protocol.integer(payload, "base_version", 0)
    value = check_value(definition, payload.get("value"))
    _check_links(db, author, definition, value)
    stored = _locked(db, author.team_id, scope, name)
    if stored.version == 0 and stored.id is None and base != 0:
        raise Refused("that field is gone (a teammate may have removed its row)", "no_item")
    if stored.version != base:
        if stored.value == value:  # the same words: nothing to resolve
            return _field_reply(stored, item_id)
        raise Conflict(_field_reply(stored, item_id))
    _store(db, stored, value, author)
    return _field_reply(stored, item_id)


def _locked(db: Session, team_id: int, scope: str, name: str) -> WorkspaceField:
    """A field, locked for this transaction; a new (unsaved, version 0) one if it has none."""
    stored = db.scalar(
        select(WorkspaceField)
        .where(WorkspaceField.team_id == team_id, WorkspaceField.scope == scope, WorkspaceField.name == name)
        .with_for_update()
    )
    return stored or WorkspaceField(team_id=team_id, scope=scope, name=name, value="", version=0)


def _store(db: Session, stored: WorkspaceField, value: str, author: Author) -> None:
    """Save a field's new text as its next version."""
    if stored.id is None:
        db.add(stored)
    stored.value, stored.version = value, stored.version + 1
    stored.updated_by, stored.updated_at = author.name, now()
    db.flush()


def enter_data(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """One period of a measure's data, and the note on it: written into the measure's data and
    notes (replacing that period's), so teammates entering other months never conflict.

    A refusal names the input it is about (`field`: period, numerator, denominator, value,
    cycle or note), so the phone shows the reason beside it and keeps what was typed."""
    item = _item(db, author, protocol.integer(payload, "item_id"))
    if item.kind != "measure":
        raise Refused("data are entered for a measure", "bad_payload")
    scope = f"i{item.id}"
    about = {
        f.name: f.value
        for f in db.scalars(
            select(WorkspaceField).where(
                WorkspaceField.team_id == author.team_id,
                WorkspaceField.scope == scope,
                WorkspaceField.name.in_(("kind", "frequency")),
            )
        )
    }
    kind, frequency = about.get("kind", ""), about.get("frequency", "")
    today = datetime.now(UTC).date()
    clear = payload.get("clear") is True
    try:
        period = check_period(frequency, payload.get("period"), today)
        entry = None if clear else check_entry(kind, period, payload)
    except FieldInvalid as error:
        raise Refused.of(error, {"field": error.field}) from None
    note_text = protocol.text(payload, "note", 200, required=False)
    cycle = payload.get("cycle")
    if cycle is not None:
        cycle = protocol.integer(payload, "cycle")
        tested = db.get(WorkspaceItem, cycle)
        if tested is None or tested.deleted or tested.team_id != author.team_id or tested.kind != "pdsa":
            raise Refused("choose one of your team's PDSA cycles", "bad_value", {"field": "cycle"})

    data = _locked(db, author.team_id, scope, "data")
    notes_field = _locked(db, author.team_id, scope, "annotations")
    try:
        value = remove(data.value, period, kind) if entry is None else enter(data.value, entry, kind)
        notes = parse_notes(notes_field.value)
    except Invalid as error:  # the stored text no longer reads: say so rather than lose it
        raise Refused(
            "the measure's data need correcting first: {reason}", error.code, reason=error
        ) from None
    if clear or not (note_text or cycle):
        notes.pop(period.key, None)
    else:
        notes[period.key] = Note(cycle, note_text)
    changed = []
    if value != data.value:
        _store(db, data, value, author)
        changed.append(_field_reply(data, item.id))
    if format_notes(notes) != notes_field.value:
        _store(db, notes_field, format_notes(notes), author)
        changed.append(_field_reply(notes_field, item.id))
    return {
        "ok": True,
        "team_id": author.team_id,
        "item_id": item.id,
        "period": period.key,
        "fields": changed,
    }


def _field_reply(stored: WorkspaceField, item_id: Any) -> dict[str, Any]:
    return {
        "ok": True,
        "team_id": stored.team_id,
        "item_id": item_id,
        "name": stored.name,
        **_field_view(stored),
    }


# The fields of a row written as 'period: value' lines (a measure's `data`).
DATA_FIELDS = frozenset(
    f.name for s in ROW_KINDS.values() if s.rows is not None for f in s.rows.fields if f.input == "data"
)


def _field_view(stored: WorkspaceField) -> dict[str, Any]:
    """A field as phones and consoles hold it: its text, version and last author; a measure's
    data also by period (`periods`: '2027-03' -> '42' or '3/10'), however its months are
    written ('Mar 2027', '3/2027'), for the monthly report to show that month's values."""
    view = {"value": stored.value, "version": stored.version, "by": stored.updated_by}
    if stored.name in DATA_FIELDS and stored.scope:
        view["periods"] = data_by_period(stored.value)
    return view


def data_by_period(text: str) -> dict[str, str]:
    """A measure's data lines by their period's key; {} where they do not read (as saved, they
    always do)."""
    try:
        points = parse_data(text)
    except Invalid:
        return {}
    return {p.key: p.reading for p in points if p.period is not None}


def add_item(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """A new row (measure, PDSA cycle, plan row, commitment...) in the author's team workspace."""
    kind = protocol.text(payload, "kind", 16)
    if kind not in ROW_KINDS:
        raise Refused("'kind' must be one of {kinds}", "bad_payload", kinds=", ".join(ROW_KINDS))
    count = (
        db.scalar(
            select(func.count(WorkspaceItem.id)).where(
                WorkspaceItem.team_id == author.team_id,
                WorkspaceItem.kind == kind,
                WorkspaceItem.deleted.is_(False),
            )
        )
        or 0
    )
    if count >= MAX_ROWS:
        raise Refused("a workspace holds at most {count} rows of one kind", "too_many", count=MAX_ROWS)
    item = WorkspaceItem(team_id=author.team_id, kind=kind, position=count + 1, session_id=author.session_id)
    db.add(item)
    db.flush()
    return {"ok": True, "team_id": author.team_id, "item": _item_view(item)}


def remove_item(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Remove a row of the author's team workspace (kept, marked deleted)."""
    item = _item(db, author, protocol.integer(payload, "item_id"))
    if item.status == SUBMITTED:
        raise Refused("a submitted report stays: the faculty have it", "submitted")
    item.deleted = True
    db.flush()
    return {"ok": True, "team_id": author.team_id, "item_id": item.id}


def mark_item(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Carry-forward: mark a commitment or PDSA cycle of an earlier learning session done, partly
    or not done, with a note."""
    item = _item(db, author, protocol.integer(payload, "item_id"))
    rows = ROW_KINDS[item.kind].rows
    if rows is None or not rows.carry_forward or item.session_id == author.session_id:
        raise Refused("only rows carried forward from an earlier learning session are marked", "bad_payload")
    status = protocol.text(payload, "status", 10)
    if status not in {c.value for c in CARRIED}:
        raise Refused(
            "'status' must be one of {kinds}", "bad_payload", kinds=", ".join(c.value for c in CARRIED)
        )
    item.status = status
    item.status_note = protocol.text(payload, "note", MAX_NOTE, required=False)
    db.flush()
    return {"ok": True, "team_id": author.team_id, "item": _item_view(item)}


def submit_report(db: Session, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Send a monthly report to the faculty: it names its month, one report a month, and from
    now on it is locked (the faculty answer it with feedback)."""
    item = _item(db, author, protocol.integer(payload, "item_id"))
    if item.kind != "report":
        raise Refused("only a monthly report is submitted", "bad_payload")
    if item.status == SUBMITTED:
        return {"ok": True, "team_id": author.team_id, "item": _item_view(item)}  # already sent
    fields = _fields_of(db, author.team_id, item.id)
    month = fields.get("month", "")
    if not month:
        raise Refused("say which month the report is for, then submit it", "bad_value", {"field": "month"})
    sent = db.scalars(
        select(WorkspaceItem).where(
            WorkspaceItem.team_id == author.team_id,
            WorkspaceItem.kind == "report",
            WorkspaceItem.status == SUBMITTED,
            WorkspaceItem.deleted.is_(False),
            WorkspaceItem.id != item.id,
        )
    )
    if any(_fields_of(db, author.team_id, other.id).get("month") == month for other in sent):
        raise Refused(
            "your team has already submitted its report for {month}",
            "bad_value",
            {"field": "month"},
            month=month,
        )
    said = [f.name for f in ROW_KINDS["report"].all_fields if not f.faculty and f.input != "month"]
    if not any(fields.get(name) for name in said):
        raise Refused("the report is empty: say what you tested or learned first", "bad_value")
    item.status, item.status_note = SUBMITTED, author.name
    db.flush()
    return {"ok": True, "team_id": author.team_id, "item": _item_view(item)}


def _fields_of(db: Session, team_id: int, item_id: int) -> dict[str, str]:
    """A row's fields, by name."""
    rows = db.scalars(
        select(WorkspaceField).where(WorkspaceField.team_id == team_id, WorkspaceField.scope == f"i{item_id}")
    )
    return {f.name: f.value for f in rows}


def give_feedback(db: Session, item_id: int, text: str, faculty: str) -> dict[str, Any]:
    """The faculty's feedback on a submitted monthly report (the team sees it on its phone)."""
    item = db.get(WorkspaceItem, item_id)
    if item is None or item.deleted or item.kind != "report":
        raise Refused("there is no such report", "no_item")
    if item.status != SUBMITTED:
        raise Refused("the team has not submitted this report yet", "bad_value")
    value = check_value(row_field("report", "feedback"), text)
    stored = _locked(db, item.team_id, f"i{item.id}", "feedback")
    if value != stored.value:
        _store(db, stored, value, Author(0, item.team_id, 0, faculty))
    return _field_reply(stored, item.id)


def set_limits(db: Session, item_id: int, freeze: str, phases: str, faculty: str) -> dict[str, Any]:
    """The faculty freeze a measure's baseline at a period, and start new phases at others
    ('2027-01, 2027-06'): its control chart's limits follow. Periods the measure has no data
    for are refused."""
    item = db.get(WorkspaceItem, item_id)
    if item is None or item.deleted or item.kind != "measure":
        raise Refused("there is no such measure", "no_item")
    fields = _fields_of(db, item.team_id, item.id)
    known = {p.key for p in parse_data(fields.get("data", ""), fields.get("kind", ""))}
    starts = [p.strip() for p in phases.replace(";", ",").split(",") if p.strip()]
    for period in [freeze, *starts]:
        if period and period not in known:
            raise Refused(
                "'{period}' is not one of this measure's periods (such as 2027-03)",
                "bad_value",
                period=period[:20],
            )
    value = format_limits(parse_limits(json.dumps({"freeze": freeze or None, "phases": starts})))
    stored = _locked(db, item.team_id, f"i{item.id}", "limits")
    if value != stored.value:
        _store(db, stored, value, Author(0, item.team_id, 0, faculty))
    return _field_reply(stored, item.id)


def _item_view(item: WorkspaceItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "position": item.position,
        "session_id": item.session_id,
        "status": item.status,
        "note": item.status_note,
    }


def workspace(db: Session, team_id: int) -> dict[str, Any]:
    """A team's whole workspace: its rows, and every field with its version and last author."""
    items = db.scalars(
        select(WorkspaceItem)
        .where(WorkspaceItem.team_id == team_id, WorkspaceItem.deleted.is_(False))
        .order_by(WorkspaceItem.kind, WorkspaceItem.position, WorkspaceItem.id)
    )
    fields: dict[str, dict[str, Any]] = {}
    for stored in db.scalars(select(WorkspaceField).where(WorkspaceField.team_id == team_id)):
        fields.setdefault(stored.scope, {})[stored.name] = _field_view(stored)
    return {"team_id": team_id, "items": [_item_view(i) for i in items], "fields": fields}


def progress(db: Session, session: LearningSession) -> list[dict[str, Any]]:
    """For the facilitator: which worksheets each team has started, and when it last wrote.

    Three grouped queries for the whole room: consoles ask for this after every action.
    """
    teams = list(
        db.scalars(
            select(Team)
            .where(Team.collaborative_id == session.collaborative_id)
            .order_by(func.lower(Team.name))
        )
    )
    ids = [t.id for t in teams]
    filled: dict[int, set[str]] = {}
    for team_id, name in db.execute(
        select(WorkspaceField.team_id, WorkspaceField.name)
        .distinct()
        .where(WorkspaceField.team_id.in_(ids), WorkspaceField.scope == "", WorkspaceField.value != "")
    ):
        filled.setdefault(team_id, set()).add(name)
    for team_id, kind in db.execute(
        select(WorkspaceItem.team_id, WorkspaceItem.kind)
        .distinct()
        .where(WorkspaceItem.team_id.in_(ids), WorkspaceItem.deleted.is_(False))
    ):
        filled.setdefault(team_id, set()).add(kind)
    last = dict(
        db.execute(
            select(WorkspaceField.team_id, func.max(WorkspaceField.updated_at))
            .where(WorkspaceField.team_id.in_(ids))
            .group_by(WorkspaceField.team_id)
        ).all()
    )
    rows = []
    for team in teams:
        keys = filled.get(team.id, set())
        sections = [
            sheet.name
            for sheet in WORKSHEETS.values()
            if keys & ({f.name for f in sheet.fields} | ({sheet.rows.kind} if sheet.rows else set()))
        ]
        when = last.get(team.id)
        rows.append(
            {
                "team_id": team.id,
                "team": team.name,
                "sections": sections,
                "last": when.isoformat() if when else None,
            }
        )
    return rows
