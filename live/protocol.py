"""Every Socket.IO event of the room, its payload, and the checks a payload must pass.

docs/protocol.md documents the same names; the browser code (live/static/live/*.js) and the
tests use them too. A payload that fails a check is answered with {"ok": false, "error": ...}
naming what is wrong, and changes nothing.

What a poll answer or a worksheet field may hold is not here: each poll kind and worksheet
checks its own values (curriculum.polls, curriculum.worksheets).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypedDict

import flask_babel
from flask import current_app, has_request_context

from curriculum.problems import Invalid
from curriculum.text import clean_text

# -- sent by phones --------------------------------------------------------------------------
CAST_VOTE = "cast_vote"  # {client_id, activity_id, value}
REQUEST_STATE = "request_state"  # {}

# -- sent by phones: the question board (live/questions/events.py) --------------------------
ASK_QUESTION = "ask_question"  # {client_id, activity_id, text}
UPVOTE_QUESTION = "upvote_question"  # {client_id, question_id, up}

# -- sent by phones: the team's workspace and the gallery walk (live/workspaces/events.py) ----
EDIT_FIELD = "edit_field"  # {client_id, item_id | null, name, value, base_version}
ADD_ITEM = "add_item"  # {client_id, kind}
REMOVE_ITEM = "remove_item"  # {client_id, item_id}
MARK_ITEM = "mark_item"  # {client_id, item_id, status, note}
SUBMIT_REPORT = "submit_report"  # {client_id, item_id}
ENTER_DATA = "enter_data"  # {client_id, item_id, period, numerator, denominator | value, cycle, note, clear}
PLACE_DOT = "place_dot"  # {client_id, team_id}
REMOVE_DOT = "remove_dot"  # {client_id, team_id}
ADD_COMMENT = "add_comment"  # {client_id, team_id, text}
ANSWER_JOIN = "answer_join"  # {client_id, request_id, approve}: a member lets someone waiting in, or not
REQUEST_GALLERY = "request_gallery"  # {}

# -- sent by the facilitator console ---------------------------------------------------------
GO_TO_ITEM = "go_to_item"  # {item_id}
NEXT_ITEM = "next_item"  # {}
PREVIOUS_ITEM = "previous_item"  # {}
PUSH_ACTIVITY = "push_activity"  # {activity_id | null}
OPEN_ACTIVITY = "open_activity"  # {activity_id}
CLOSE_ACTIVITY = "close_activity"  # {activity_id}
RESET_ACTIVITY = "reset_activity"  # {activity_id}
SHOW_RESULTS = "show_results"  # {activity_id, visible}
START_TIMER = "start_timer"  # {seconds}
PAUSE_TIMER = "pause_timer"  # {}
CLEAR_TIMER = "clear_timer"  # {}
SET_LOCK = "set_lock"  # {locked}
APPROVE_ANSWER = "approve_answer"  # {response_id, approved}
ADD_POLL = "add_poll"  # {poll_type, prompt, options?, min?, max?, anonymous?}
ADD_TEAM = "add_team"  # {name, organisation?}
REVEAL_STORYBOARDS = "reveal_storyboards"  # {visible}
SHOW_JOIN = "show_join"  # {visible}: the projector's big join panel
RENAME_TEAM = "rename_team"  # {team_id, name, organisation?}
REMOVE_TEAM = "remove_team"  # {team_id}
MOVE_PARTICIPANT = "move_participant"  # {participant_id, team_id}
REMOVE_PARTICIPANT = "remove_participant"  # {participant_id}
REQUEST_WORKSPACE = "request_workspace"  # {team_id}: a console looks at a team's workspace
HIDE_WORD = "hide_word"  # {activity_id, word, hidden}
APPROVE_COMMENT = "approve_comment"  # {comment_id, approved}
MODERATE_QUESTION = "moderate_question"  # {question_id, approved?, pinned?, answered?}
DECIDE_JOIN = "decide_join"  # {request_id, approve}: let someone waiting into a team, or not

# -- sent by the server ----------------------------------------------------------------------
STATE = "state"  # the full state for this client, on every (re)connect
ROOM = "room"  # the shared part of the state changed (agenda, activity, timer)
POLL_RESULTS = "poll_results"  # {activity_id, results}: projector and faculty; phones once revealed
TEAM_ANSWER = "team_answer"  # {activity_id, value, by}: a team-wide answer changed (its team)
PRESENCE = "presence"  # {total, teams: [{id, name, joined}]}: faculty and projector
ROSTER = "roster"  # {team_id, names}: a team's phones, when a teammate joins
WORKSPACE_CHANGED = "workspace_changed"  # a write to a team's workspace: the team and consoles
GALLERY = "gallery"  # the storyboards, dots and comments: whoever asked
DOTS = "dots"  # {team id: dots}: everyone, once storyboards are revealed
REJOIN = "rejoin"  # {}: phones connect again (faculty moved or removed their participant)
COMMENTS = "comments"  # {team id: [texts]}: everyone once revealed; consoles {console, comments}
QUESTIONS = "questions"  # {activity_id, questions}: a question board changed (consoles: every question)
WORKSPACE = "workspace"  # a team's workspace, read-only: the console that asked

# -- bounds ----------------------------------------------------------------------------------
MAX_NAME = 60
MAX_ROLE = 40
MAX_EMAIL = 254
MAX_TEAM = 80
MAX_ORGANISATION = 120
MAX_PROMPT = 500
MAX_TITLE = 120
MAX_TIMER = 4 * 60 * 60
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class Refused(Invalid):
    """A request the room will not carry out, with the reason people will read.

    `details` go into the refusal beside the message (a conflict carries the current text).
    """

    def __init__(
        self, message: str, code: str = "refused", details: dict[str, Any] | None = None, **params: Any
    ) -> None:
        super().__init__(message, code, **params)
        self.details = details or {}

    @classmethod
    def of(cls, error: Invalid, details: dict[str, Any] | None = None) -> Refused:
        """A definition's refusal, as the room's (with `details` beside it), in the same words."""
        return cls(error.template, error.code, details, **error.params)


def refusal(error: Invalid) -> dict[str, Any]:
    """The acknowledgement of a refused request: {"ok": false, "error", "code", ...details},
    its message in the language of whoever asked."""
    details = error.details if isinstance(error, Refused) else {}
    return {"ok": False, "error": error.say(reader_gettext()), "code": error.code, **details}


def reader_gettext() -> Callable[[str], str]:
    """The catalog of the person this request or event is for (their language cookie, read by
    Flask-Babel's locale selector); English outside a request."""
    if has_request_context() and "babel" in current_app.extensions:
        catalog: Callable[[str], str] = flask_babel.get_translations().gettext
        return catalog
    return str


class CastVote(TypedDict):
    client_id: str
    activity_id: int
    value: Any


def mapping(payload: Any) -> dict[str, Any]:
    """The payload as a dict, or refuse it."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise Refused("the message must be an object of named fields", "bad_payload")
    return payload


def integer(payload: dict[str, Any], key: str, low: int = 1, high: int = 2**31 - 1) -> int:
    """A whole-number field."""
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused("'{key}' must be a whole number", "bad_payload", key=key)
    if not low <= value <= high:
        raise Refused("'{key}' must be from {low} to {high}", "bad_payload", key=key, low=low, high=high)
    return value


def flag(payload: dict[str, Any], key: str) -> bool:
    """A true/false field."""
    value = payload.get(key)
    if not isinstance(value, bool):
        raise Refused("'{key}' must be true or false", "bad_payload", key=key)
    return value


def text(payload: dict[str, Any], key: str, limit: int, required: bool = True) -> str:
    """A text field: trimmed, not empty when required, at most `limit` characters."""
    return clean_text(payload.get(key), f"'{key}'", limit, required)


def client_id(payload: dict[str, Any]) -> str:
    """The client-made id of a write: 8 to 64 letters, digits, '-' or '_'."""
    value = payload.get("client_id")
    if not isinstance(value, str) or not _CLIENT_ID.match(value):
        raise Refused("'client_id' must be 8 to 64 letters, digits, '-' or '_'", "bad_payload")
    return value


def cast_vote(payload: Any) -> CastVote:
    """Check a cast_vote payload's shape (the value is checked against its poll later)."""
    data = mapping(payload)
    if "value" not in data:
        raise Refused("'value' is missing", "bad_payload")
    return CastVote(client_id=client_id(data), activity_id=integer(data, "activity_id"), value=data["value"])
