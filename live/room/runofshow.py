"""Running the room: where the agenda is, which activity phones show, the timer, the lock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from live.models import Activity, AgendaItem, LearningSession, now
from live.protocol import Refused


def item_of(db: Session, session: LearningSession, item_id: int) -> AgendaItem:
    """An agenda item of this session, or refuse."""
    item = db.get(AgendaItem, item_id)
    if item is None or item.session_id != session.id:
        raise Refused("there is no such agenda item in this session", "no_item")
    return item


def activity_of(db: Session, session: LearningSession, activity_id: int) -> Activity:
    """An activity of this session, or refuse."""
    activity = db.get(Activity, activity_id)
    if activity is None or activity.session_id != session.id:
        raise Refused("there is no such activity in this session", "no_activity")
    return activity


def go_to_item(db: Session, session: LearningSession, item: AgendaItem) -> None:
    """Move the room to an agenda item; phones show its first activity when it has one.

    The room is under way: the projector's join panel moves to a corner.
    """
    session.current_item_id = item.id
    session.current_activity_id = item.activities[0].id if item.activities else None
    session.join_shown = False
    db.flush()


def step(db: Session, session: LearningSession, offset: int) -> None:
    """Next (+1) or previous (-1) agenda item."""
    items = session.items
    ids = [i.id for i in items]
    index = ids.index(session.current_item_id) if session.current_item_id in ids else -1
    target = index + offset
    if not 0 <= target < len(items):
        if offset > 0:
            raise Refused("that is the last item of the agenda", "end_of_agenda")
        raise Refused("that is the first item of the agenda", "end_of_agenda")
    go_to_item(db, session, items[target])


def push_activity(db: Session, session: LearningSession, activity: Activity | None) -> None:
    """Show this activity on every phone (None: nothing, just the agenda)."""
    session.current_activity_id = activity.id if activity else None
    if activity is not None:
        session.join_shown = False
        if activity.item_id is not None:
            session.current_item_id = activity.item_id
    db.flush()


def set_state(db: Session, activity: Activity, state: str) -> None:
    """Open or close an activity; opening one also shows it on the phones."""
    activity.state = state
    if state == "open":
        activity.session.current_activity_id = activity.id
        activity.session.join_shown = False
    db.flush()


def reset(db: Session, activity: Activity) -> None:
    """Start an activity's answers afresh (earlier answers are kept, in the previous round)."""
    activity.round += 1
    activity.state = "ready"
    activity.results_visible = False
    db.flush()


def show_results(db: Session, activity: Activity, visible: bool) -> None:
    """Reveal a poll's results on the projector and phones, or hide them again."""
    if activity.kind != "poll":
        raise Refused("only polls have results to show", "not_a_poll")
    activity.results_visible = visible
    db.flush()


def start_timer(db: Session, session: LearningSession, seconds: int) -> None:
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


def pause_timer(db: Session, session: LearningSession) -> None:
    """Stop the countdown where it is."""
    if session.timer_ends_at is None:
        raise Refused("the timer is not running", "no_timer")
    left = (session.timer_ends_at - now()).total_seconds()
    session.timer_remaining = max(0, round(left))
    session.timer_ends_at = None
    db.flush()


def clear_timer(db: Session, session: LearningSession) -> None:
    """Take the timer off the screens."""
    session.timer_ends_at = session.timer_remaining = session.timer_total = None
    db.flush()


def show_join(db: Session, session: LearningSession, visible: bool) -> None:
    """Bring the projector's big join panel back (late arrivals), or put it in its corner."""
    session.join_shown = visible
    db.flush()


def set_lock(db: Session, session: LearningSession, locked: bool) -> None:
    """Stop (or allow again) every answer and edit from the phones."""
    session.locked = locked
    db.flush()
