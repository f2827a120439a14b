"""Problems found in curriculum files, reported as `file:line: what is wrong (how to fix it)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, with the line to look at and how to fix it."""

    file: Path
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = _display(self.file)
        text = f"{where}:{max(self.line, 1)}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


def _display(path: Path) -> str:
    """The path relative to the working folder when it lies below it, else in full."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass
class Problems:
    """A collector that keeps each problem once, in the order found."""

    items: list[Problem] = field(default_factory=list)
    _seen: set[Problem] = field(default_factory=set, repr=False)

    def add(self, file: Path, line: int, message: str, hint: str = "") -> None:
        problem = Problem(file, line, message, hint)
        if problem not in self._seen:
            self._seen.add(problem)
            self.items.append(problem)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self.items, key=lambda p: (str(p.file), p.line)))


class Word(str):
    """A word of the catalog inside a refusal (a field's label): said in the reader's language."""


def _same(text: str) -> str:
    return text


class Invalid(ValueError):
    """A value a definition refuses (a poll answer, a worksheet field, a quick poll's settings).

    `message` is what people read, in English; `say(gettext)` says it in a reader's language.
    It is written as a template with named `{parameters}` (`tools/i18n` extracts the template
    into the catalog) and its parameters; a `Word` or a nested refusal among the parameters is
    translated too. `code` is for programs (docs/protocol.md lists them). The room answers it
    as a refused write; it never reaches a module file's problems.
    """

    def __init__(self, message: str, code: str = "bad_value", **params: Any) -> None:
        self.template, self.params, self.code = message, params, code
        self.message = self.say(_same)
        super().__init__(self.message)

    def say(self, gettext: Callable[[str], str]) -> str:
        """The message in the language of `gettext` (English where the catalog lacks it)."""
        if not self.params:
            return gettext(self.template)
        said = {
            name: value.say(gettext)
            if isinstance(value, Invalid)
            else gettext(value)
            if isinstance(value, Word)
            else value
            for name, value in self.params.items()
        }
        try:
            return gettext(self.template).format(**said)
        except (KeyError, IndexError, ValueError):  # a translation that lost a parameter: English
            return self.template.format(**said)
