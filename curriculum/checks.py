"""Typed reads of YAML mappings that report what is wrong instead of raising."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curriculum.problems import Problems
from curriculum.yamlio import LineMap


@dataclass
class Checker:
    """Reads values out of one file's mappings, reporting each bad one to `problems`."""

    file: Path
    problems: Problems

    def known_keys(self, data: LineMap, known: tuple[str, ...], where: str) -> None:
        """Report keys that `where` does not take, suggesting the nearest known one."""
        for key in data:
            if key not in known:
                near = difflib.get_close_matches(key, known, n=1)
                hint = f"did you mean '{near[0]}'?" if near else "known keys: " + ", ".join(known)
                self.problems.add(self.file, data.line_of(key), f"unknown key '{key}' in {where}", hint)

    def text(self, data: LineMap, key: str, required: bool = False) -> str | None:
        """A non-empty single-line-or-more string."""
        if key not in data or data[key] is None:
            if required:
                self.problems.add(self.file, data.line, f"missing '{key}'", f"add '{key}: ...'")
            return None
        value = data[key]
        if isinstance(value, (bool, dict, list)):
            self.problems.add(
                self.file,
                data.line_of(key),
                f"'{key}' must be text",
                "write it on one line after the colon, in quotes if it holds ': '",
            )
            return None
        text = str(value).strip()
        if not text:
            if required:
                self.problems.add(self.file, data.line_of(key), f"'{key}' is empty", "fill it in")
            return None
        return text

    def whole(self, data: LineMap, key: str, low: int, high: int, required: bool = False) -> int | None:
        """A whole number between `low` and `high`."""
        if key not in data:
            if required:
                self.problems.add(
                    self.file, data.line, f"missing '{key}'", f"add '{key}:' with a whole number"
                )
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add(
                self.file,
                data.line_of(key),
                f"'{key}' must be a whole number, not '{value}'",
                f"write a number from {low} to {high}",
            )
            return None
        if not low <= value <= high:
            self.problems.add(
                self.file, data.line_of(key), f"'{key}' is {value}", f"use a number from {low} to {high}"
            )
            return None
        return value

    def one_of(self, data: LineMap, key: str, allowed: tuple[str, ...], default: str, what: str) -> str:
        """A text that must be one of `allowed` (`default` when absent; reported when unknown)."""
        value = self.text(data, key) or default
        if value not in allowed:
            self.problems.add(
                self.file, data.line_of(key), f"unknown {what} '{value}'", "use one of " + ", ".join(allowed)
            )
        return value

    def text_list(self, data: LineMap, key: str, required: bool = False) -> list[str]:
        """A list of non-empty strings."""
        if key not in data or data[key] is None:
            if required:
                self.problems.add(
                    self.file,
                    data.line,
                    f"missing '{key}'",
                    f"add '{key}:' with a list of lines starting '- '",
                )
            return []
        value = data[key]
        if not isinstance(value, list):
            self.problems.add(
                self.file,
                data.line_of(key),
                f"'{key}' must be a list",
                "write each entry on its own line starting '- '",
            )
            return []
        out: list[str] = []
        for item in value:
            if isinstance(item, (dict, list)) or item is None or not str(item).strip():
                self.problems.add(
                    self.file,
                    data.line_of(key),
                    f"an entry of '{key}' is not text",
                    "write each entry as plain text after '- ', in quotes if it holds ': '",
                )
                continue
            out.append(str(item).strip())
        if required and not out and isinstance(value, list):
            self.problems.add(self.file, data.line_of(key), f"'{key}' is empty", "add at least one entry")
        return out

    def mapping(self, value: Any, line: int, what: str) -> LineMap | None:
        """`value` if it is a mapping, else report it."""
        if isinstance(value, LineMap):
            return value
        self.problems.add(
            self.file, line, f"{what} must be a set of 'key: value' lines", "indent its keys under it"
        )
        return None
