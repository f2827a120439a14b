"""Checks of text people type: in the room, in a quick poll, in a team's workspace."""

from __future__ import annotations

import re
from typing import Any

from curriculum.problems import Invalid

# What no one means to type and what would deceive a reader: control characters (C0 but tab
# and line breaks, DEL, C1), lone UTF-16 surrogates (not text at all: they cannot be stored),
# and the bidirectional overrides and isolates that make "gnp.exe" show as "exe.png".
# Emoji, accents and every script stay.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufffd]")


def check_plain(text: str, what: str) -> str:
    """`text`, or refuse it if it holds characters no one means to type (see `_HIDDEN`)."""
    found = _HIDDEN.search(text)
    if found is not None:
        char = found.group()
        kind = (
            "a broken character"
            if "\ud800" <= char <= "\udfff" or char == "\ufffd"
            else "a hidden text-direction mark"
            if "\u202a" <= char <= "\u2069"
            else "a control character"
        )
        raise Invalid(f"{what} holds {kind} (U+{ord(char):04X}); type it again without it", "bad_payload")
    return text


def clean_text(value: Any, what: str, limit: int, required: bool = True) -> str:
    """`value` as trimmed text of at most `limit` characters, or refuse it naming `what`.

    One line is trimmed to single spaces; text of several lines keeps its lines.
    """
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{what} must be text", "bad_payload")
    text = " ".join(value.split()) if "\n" not in value else value.replace("\r\n", "\n").strip()
    if required and not text:
        raise Invalid(f"{what} is empty", "bad_payload")
    if len(text) > limit:
        raise Invalid(f"{what} is longer than {limit} characters", "too_long")
    return check_plain(text, what)
