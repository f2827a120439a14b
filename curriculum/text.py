"""Checks of text people type: in the room, in a quick poll, in a team's workspace."""

from __future__ import annotations

from typing import Any

from curriculum.problems import Invalid


def clean_text(value: Any, what: str, limit: int, required: bool = True) -> str:
    """`value` as trimmed text of at most `limit` characters, or refuse it naming `what`.

    One line is trimmed to single spaces; text of several lines keeps its lines.
    """
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{what} must be text", "bad_payload")
    text = " ".join(value.split()) if "\n" not in value else value.strip()
    if required and not text:
        raise Invalid(f"{what} is empty", "bad_payload")
    if len(text) > limit:
        raise Invalid(f"{what} is longer than {limit} characters", "too_long")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise Invalid(f"{what} holds control characters", "bad_payload")
    return text
