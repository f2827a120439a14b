"""Checks of text people type: in the room, in a quick poll, in a team's workspace."""

from __future__ import annotations

import re
from typing import Any

from curriculum.problems import Invalid, Word

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
            Word("a broken character")
            if "\ud800" <= char <= "\udfff" or char == "\ufffd"
            else Word("a hidden text-direction mark")
            if "\u202a" <= char <= "\u2069"
            else Word("a control character")
        )
        raise Invalid(
            "{what} holds {kind} (U+{point}); type it again without it",
            "bad_payload",
            what=Word(what),
            kind=kind,
            point=f"{ord(char):04X}",
        )
    return text


def clean_text(value: Any, what: str, limit: int, required: bool = True) -> str:
    """`value` as trimmed text of at most `limit` characters, or refuse it naming `what`.

    One line is trimmed to single spaces; text of several lines keeps its lines.
    """
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid("{what} must be text", "bad_payload", what=Word(what))
    text = " ".join(value.split()) if "\n" not in value else value.replace("\r\n", "\n").strip()
    if required and not text:
        raise Invalid("{what} is empty", "bad_payload", what=Word(what))
    if len(text) > limit:
        raise Invalid("{what} is longer than {limit} characters", "too_long", what=Word(what), limit=limit)
    return check_plain(text, what)
