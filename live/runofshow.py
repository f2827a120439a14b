"""Running the room: where the agenda is, which activity phones show, the timer, the lock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session as DbSession

from live import protocol
from live.models import Activity, AgendaItem, Session, now
from live.protocol import Refused

POLL_TYPES = ("choice", "multi", "scale", "wordcloud", "open", "ranking", "assessment-scale")


def item_of(db: DbSession, session: Session, item_id: int) -> AgendaItem:
    """An agenda item of this session, or refuse."""
    item = db.get(AgendaItem, item_id)
    if item is None or item.session_id != session.id:
        raise Refused("there is no such agenda item in this session", "no_item")
    return item


def activity_of(db: DbSession, session: Session, activity_id: int) -> Activity:
    """An activity of this session, or refuse."""
    activity = db.get(Activity, activity_id)
    if activity is None or activity.session_id != session.id:
        raise Refused("there is no such activity in this session", "no_activity")
    return activity


def go_to_item(db: DbSession, session: Session, item: AgendaItem) -> None:
    """Move the room to an agenda item; phones show its first activity when it has one."""
    session.current_item_id = item.id
    session.current_activity_id = item.activities[0].id if item.activities else None
    db.flush()


def step(db: DbSession, session: Session, offset: int) -> None:
    """Next (+1) or previous (-1) agenda item."""
    items = session.items
    ids = [i.id for i in items]
    index = ids.index(session.current_item_id) if session.current_item_id in ids else -1
    target = index + offset
    if not 0 <= target < len(items):
        raise Refused("that is the " + ("last" if offset > 0 else "first") + " item of the agenda",
                      "end_of_agenda")
    go_to_item(db, session, items[target])


def push_activity(db: DbSession, session: Session, activity: Activity | None) -> None:
    """Show this activity on every phone (None: nothing, just the agenda)."""
    session.current_activity_id = activity.id if activity else None
    if activity is not None and activity.item_id is not None:
        session.current_item_id = activity.item_id
    db.flush()


def set_state(db: DbSession, activity: Activity, state: str) -> None:
    """Open or close an activity; opening one also shows it on the phones."""
    activity.state = state
    if state == "open":
        activity.session.current_activity_id = activity.id
    db.flush()


def reset(db: DbSession, activity: Activity) -> None:
    """Start an activity's answers afresh (earlier answers are kept, in the previous round)."""
    activity.round += 1
    activity.state = "ready"
    activity.results_visible = False
    db.flush()


def show_results(db: DbSession, activity: Activity, visible: bool) -> None:
    """Reveal a poll's results on the projector and phones, or hide them again."""
    if activity.kind != "poll":
        raise Refused("only polls have results to show", "not_a_poll")
    activity.results_visible = visible
    db.flush()


def start_timer(db: DbSession, session: Session, seconds: int) -> None:
    """Count down from `seconds`, or resume a paused timer when `seconds` is 0."""
    if seconds == 0:
        if session.timer_remaining is None:
            raise Refused("there is no paused timer to resume", "no_timer")
        seconds = session.timer_remaining
    else:
        session.timer_total = seconds
    session.timer_ends_at = now() + timedelta(seconds=seconds)
    session.timer_remaining = None
    db.flush()


def pause_timer(db: DbSession, session: Session) -> None:
    """Stop the countdown where it is."""
    if session.timer_ends_at is None:
        raise Refused("the timer is not running", "no_timer")
    left = (session.timer_ends_at - now()).total_seconds()
    session.timer_remaining = max(0, round(left))
    session.timer_ends_at = None
    db.flush()


def clear_timer(db: DbSession, session: Session) -> None:
    """Take the timer off the screens."""
    session.timer_ends_at = session.timer_remaining = session.timer_total = None
    db.flush()


def set_lock(db: DbSession, session: Session, locked: bool) -> None:
    """Stop (or allow again) every answer and edit from the phones."""
    session.locked = locked
    db.flush()


def add_poll(db: DbSession, session: Session, payload: dict[str, Any]) -> Activity:
    """An ad-hoc poll made during the session, placed at the current agenda item."""
    poll_type = protocol.text(payload, "poll_type", 20)
    if poll_type not in POLL_TYPES:
        raise Refused("'poll_type' must be one of " + ", ".join(POLL_TYPES), "bad_payload")
    prompt = protocol.text(payload, "prompt", protocol.MAX_PROMPT)
    spec: dict[str, Any] = {}
    if poll_type in ("choice", "multi", "ranking"):
        raw = payload.get("options")
        if not isinstance(raw, list):
            raise Refused("'options' must be a list of answers", "bad_payload")
        options = [protocol.text({"option": o}, "option", protocol.MAX_OPTION) for o in raw
                   if not (isinstance(o, str) and not o.strip())]
        if not 2 <= len(options) <= protocol.MAX_OPTIONS:
            raise Refused(f"give 2 to {protocol.MAX_OPTIONS} options", "bad_payload")
        if len({o.casefold() for o in options}) != len(options):
            raise Refused("two options read the same", "bad_payload")
        spec["options"] = options
    elif poll_type == "scale":
        low = protocol.integer(payload, "min", -100, 100)
        high = protocol.integer(payload, "max", -100, 100)
        if not low < high <= low + 10:
            raise Refused("a scale runs from 'min' up to at most 10 points above it", "bad_payload")
        spec.update(min=low, max=high, min_label=protocol.text(payload, "min_label", 40, required=False),
                    max_label=protocol.text(payload, "max_label", 40, required=False))
    elif poll_type == "wordcloud":
        spec["max_words"] = 3
    elif poll_type == "open":
        spec["max_chars"] = 280
    anonymous = payload.get("anonymous", True)
    if not isinstance(anonymous, bool):
        raise Refused("'anonymous' must be true or false", "bad_payload")
    count = len(session.activities)
    activity = Activity(session=session, item_id=session.current_item_id, position=count + 1,
                        key=f"ad-hoc-{count + 1}", kind="poll", poll_type=poll_type,
                        title="Quick poll", prompt=prompt, minutes=3, spec=spec,
                        anonymous=anonymous, ad_hoc=True)
    db.add(activity)
    db.flush()
    return activity
