"""A team's shared workspace: versioned fields, rows (measures, PDSA cycles, plan, commitments).

Every edit names the version of the field its author last saw. If a teammate saved in
between, the edit is refused as a conflict carrying the current text, so nobody's words are
silently lost; the author decides what to keep and saves again against the new version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from live import protocol
from live.models import AppliedWrite, Participant, Session, Team, WorkspaceField, WorkspaceItem, now
from live.protocol import Refused

SHORT, LONG = 200, 4000
TEAM_FIELDS: dict[str, int] = {
    "aim_what": LONG, "aim_for_whom": SHORT, "aim_how_much": SHORT, "aim_by_when": SHORT,
    "aim_baseline": SHORT, "aim_target": SHORT, "aim_statement": LONG,
    "drivers_chosen": LONG, "drivers_own": LONG,
    "story_changes": LONG, "story_results": LONG, "story_lessons": LONG, "story_next": LONG,
}
ITEM_FIELDS: dict[str, dict[str, int]] = {
    "measure": {"family": SHORT, "name": SHORT, "definition": LONG, "direction": SHORT,
                "baseline": SHORT, "target": SHORT, "data": LONG},
    "pdsa": {"test": LONG, "cycle": SHORT, "driver": SHORT, "tasks": LONG, "who": SHORT, "when": SHORT,
             "where": SHORT, "prediction": LONG, "measures": LONG, "data_plan": LONG, "do": LONG,
             "study": LONG, "act": SHORT, "next_cycle": LONG},
    "plan": {"driver": SHORT, "change": SHORT, "preparation": LONG, "measure": SHORT, "who": SHORT,
             "when": SHORT, "follow_up": LONG},
    "commitment": {"what": LONG, "owner": SHORT, "due": SHORT},
}
CHOICES = {"family": ("outcome", "process", "balancing"), "direction": ("up", "down"),
           "act": ("", "adopt", "adapt", "abandon")}
STATUSES = ("done", "partly", "not-done")
MAX_ITEMS = 60
# Which fields make a section "filled", for the facilitator's at-a-glance view.
SECTIONS = {
    "aim": ("aim_what", "aim_statement"),
    "measures": ("measure",),
    "driver-diagram": ("drivers_chosen", "drivers_own"),
    "pdsa": ("pdsa",),
    "action-plan": ("plan",),
    "commitments": ("commitment",),
    "storyboard": ("story_changes", "story_results", "story_lessons", "story_next"),
}


class Conflict(Refused):
    """A teammate saved this field after the author last saw it."""

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__(f"{current['by'] or 'A teammate'} changed this while you were typing: "
                         "here is their text; keep it, or save yours again", "conflict")
        self.current = current

    def reply(self) -> dict[str, Any]:
        return {**super().reply(), "current": self.current}


@dataclass(frozen=True)
class Author:
    """Who writes: a participant of a team in a session."""

    id: int
    team_id: int
    session_id: int
    name: str


def author_of(db: DbSession, participant_id: int) -> Author:
    """The author record of a participant (their name is shown beside their edits)."""
    participant = db.get(Participant, participant_id)
    if participant is None:
        raise Refused("you are no longer in this session; join again", "gone")
    return Author(participant.id, participant.team_id, participant.session_id, participant.display_name)


def applied_reply(db: DbSession, client_id: str, author: Author) -> dict[str, Any] | None:
    earlier = db.get(AppliedWrite, client_id)
    if earlier is None:
        return None
    if earlier.participant_id != author.id:
        raise Refused("that client_id was used by someone else", "bad_payload")
    return dict(earlier.reply)


def record_reply(db: DbSession, client_id: str, author: Author, reply: dict[str, Any]) -> dict[str, Any]:
    db.add(AppliedWrite(client_id=client_id, participant_id=author.id, reply=reply))
    db.flush()
    return reply


def _writable(db: DbSession, author: Author) -> None:
    session = db.get(Session, author.session_id)
    if session is None:
        raise Refused("this session has ended", "gone")
    if session.locked:
        raise Refused("the facilitator has paused editing for a moment", "locked")


def _item(db: DbSession, author: Author, item_id: int) -> WorkspaceItem:
    item = db.get(WorkspaceItem, item_id)
    if item is None or item.deleted:
        raise Refused("that row is gone (a teammate may have removed it)", "no_item")
    if item.team_id != author.team_id:
        raise Refused("you can only change your own team's workspace", "forbidden")
    return item


def check_value(name: str, limit: int, value: Any) -> str:
    """A field's new text, checked: bounded size, known choices, dates and data as they must be."""
    if not isinstance(value, str):
        raise Refused("'value' must be text", "bad_payload")
    text: str = value
    if len(text) > limit:
        raise Refused(f"that is longer than {limit} characters", "too_long")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise Refused("'value' holds control characters", "bad_payload")
    text = text.strip()
    if name in CHOICES and text not in CHOICES[name] and text:
        raise Refused(f"choose one of: {', '.join(c for c in CHOICES[name] if c)}", "bad_value")
    if name == "due" and text:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise Refused("give the due date as a date, such as 2027-03-16", "bad_value") from None
    if name == "data" and text:
        parse_points(text)  # refuses what it cannot read
    if name == "drivers_chosen" and text:
        try:
            chosen = json.loads(text)
        except ValueError:
            raise Refused("the chosen drivers must be a list of ids", "bad_value") from None
        if not isinstance(chosen, list) or not all(isinstance(c, str) and len(c) <= 40 for c in chosen):
            raise Refused("the chosen drivers must be a list of ids", "bad_value")
    return text


_POINT = re.compile(r"^\s*([^:=,\t]{1,20}?)\s*[:=,\t]\s*(-?\d+(?:[.,]\d+)?)\s*%?\s*$")


def parse_points(text: str) -> list[tuple[str, float]]:
    """Monthly data as people type it, one per line: 'Jan 2027: 42' or '2027-01, 42.5'."""
    points = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _POINT.match(line)
        if not match:
            raise Refused(f"line {number} of the data is not 'month: value' (such as 'Mar 2027: 42')",
                          "bad_value")
        points.append((match.group(1).strip(), float(match.group(2).replace(",", "."))))
    if len(points) > 120:
        raise Refused("keep to 120 data points", "too_long")
    return points


def edit_field(db: DbSession, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Save one field if nobody saved it since `base_version`; else refuse with the current text."""
    client_id = protocol.client_id(payload)
    done = applied_reply(db, client_id, author)
    if done is not None:
        return done
    _writable(db, author)
    name = protocol.text(payload, "name", 32)
    item_id = payload.get("item_id")
    if item_id is None:
        if name not in TEAM_FIELDS:
            raise Refused(f"'{name}' is not a field of the workspace", "bad_payload")
        scope, limit = "", TEAM_FIELDS[name]
    else:
        item = _item(db, author, protocol.integer(payload, "item_id"))
        fields = ITEM_FIELDS[item.kind]
        if name not in fields:
            raise Refused(f"'{name}' is not a field of a {item.kind}", "bad_payload")
        scope, limit = f"i{item.id}", fields[name]
    base = protocol.integer(payload, "base_version", 0)
    value = check_value(name, limit, payload.get("value"))
    field = db.scalar(select(WorkspaceField).where(WorkspaceField.team_id == author.team_id,
                                                   WorkspaceField.scope == scope,
                                                   WorkspaceField.name == name).with_for_update())
    if field is None:
        if base != 0:
            raise Refused("that field is gone (a teammate may have removed its row)", "no_item")
        field = WorkspaceField(team_id=author.team_id, scope=scope, name=name, value="", version=0)
        db.add(field)
    elif field.version != base:
        if field.value == value:  # the same words: nothing to resolve
            return record_reply(db, client_id, author, _field_reply(field, item_id))
        raise Conflict(_field_reply(field, item_id))
    field.value, field.version = value, field.version + 1
    field.updated_by, field.updated_at = author.name, now()
    db.flush()
    return record_reply(db, client_id, author, _field_reply(field, item_id))


def _field_reply(field: WorkspaceField, item_id: Any) -> dict[str, Any]:
    return {"ok": True, "team_id": field.team_id, "item_id": item_id, "name": field.name,
            "value": field.value, "version": field.version, "by": field.updated_by}


def add_item(db: DbSession, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """A new row (measure, PDSA cycle, plan row or commitment) in the author's team workspace."""
    client_id = protocol.client_id(payload)
    done = applied_reply(db, client_id, author)
    if done is not None:
        return done
    _writable(db, author)
    kind = protocol.text(payload, "kind", 16)
    if kind not in ITEM_FIELDS:
        raise Refused("'kind' must be one of " + ", ".join(ITEM_FIELDS), "bad_payload")
    count = db.scalar(select(func.count(WorkspaceItem.id)).where(
        WorkspaceItem.team_id == author.team_id, WorkspaceItem.kind == kind,
        WorkspaceItem.deleted.is_(False))) or 0
    if count >= MAX_ITEMS:
        raise Refused(f"a workspace holds at most {MAX_ITEMS} rows of one kind", "too_many")
    item = WorkspaceItem(team_id=author.team_id, kind=kind, position=count + 1,
                         session_id=author.session_id)
    db.add(item)
    db.flush()
    reply = {"ok": True, "team_id": author.team_id, "item": _item_view(item)}
    return record_reply(db, client_id, author, reply)


def remove_item(db: DbSession, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Remove a row of the author's team workspace (kept, marked deleted)."""
    client_id = protocol.client_id(payload)
    done = applied_reply(db, client_id, author)
    if done is not None:
        return done
    _writable(db, author)
    item = _item(db, author, protocol.integer(payload, "item_id"))
    item.deleted = True
    db.flush()
    return record_reply(db, client_id, author, {"ok": True, "team_id": author.team_id, "item_id": item.id})


def mark_item(db: DbSession, author: Author, payload: dict[str, Any]) -> dict[str, Any]:
    """Carry-forward: mark an earlier commitment or PDSA cycle done, partly or not done, with a note."""
    client_id = protocol.client_id(payload)
    done = applied_reply(db, client_id, author)
    if done is not None:
        return done
    _writable(db, author)
    item = _item(db, author, protocol.integer(payload, "item_id"))
    status = protocol.text(payload, "status", 10)
    if status not in STATUSES:
        raise Refused("'status' must be done, partly or not-done", "bad_payload")
    item.status = status
    item.status_note = protocol.text(payload, "note", 1000, required=False)
    db.flush()
    reply = {"ok": True, "team_id": author.team_id, "item": _item_view(item)}
    return record_reply(db, client_id, author, reply)


def _item_view(item: WorkspaceItem) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "position": item.position, "session_id": item.session_id,
            "status": item.status, "note": item.status_note}


def workspace(db: DbSession, team_id: int) -> dict[str, Any]:
    """A team's whole workspace: its rows, and every field with its version and last author."""
    items = db.scalars(select(WorkspaceItem).where(WorkspaceItem.team_id == team_id,
                                                   WorkspaceItem.deleted.is_(False))
                       .order_by(WorkspaceItem.kind, WorkspaceItem.position, WorkspaceItem.id))
    fields: dict[str, dict[str, Any]] = {}
    for field in db.scalars(select(WorkspaceField).where(WorkspaceField.team_id == team_id)):
        fields.setdefault(field.scope, {})[field.name] = {
            "value": field.value, "version": field.version, "by": field.updated_by}
    return {"team_id": team_id, "items": [_item_view(i) for i in items], "fields": fields}


def progress(db: DbSession, session: Session) -> list[dict[str, Any]]:
    """For the facilitator: which sections each team has filled, and when it last wrote.

    Three grouped queries for the whole room: consoles ask for this after every action.
    """
    teams = list(db.scalars(select(Team).where(Team.collaborative_id == session.collaborative_id)
                            .order_by(func.lower(Team.name))))
    ids = [t.id for t in teams]
    filled: dict[int, set[str]] = {}
    for team_id, name in db.execute(select(WorkspaceField.team_id, WorkspaceField.name).distinct().where(
            WorkspaceField.team_id.in_(ids), WorkspaceField.scope == "", WorkspaceField.value != "")):
        filled.setdefault(team_id, set()).add(name)
    for team_id, kind in db.execute(select(WorkspaceItem.team_id, WorkspaceItem.kind).distinct().where(
            WorkspaceItem.team_id.in_(ids), WorkspaceItem.deleted.is_(False))):
        filled.setdefault(team_id, set()).add(kind)
    last = dict(db.execute(select(WorkspaceField.team_id, func.max(WorkspaceField.updated_at))
                           .where(WorkspaceField.team_id.in_(ids)).group_by(WorkspaceField.team_id)).all())
    rows = []
    for team in teams:
        keys = filled.get(team.id, set())
        sections = [s for s, wanted in SECTIONS.items() if keys & set(wanted)]
        when = last.get(team.id)
        rows.append({"team_id": team.id, "team": team.name, "sections": sections,
                     "last": when.isoformat() if when else None})
    return rows
