"""Problems found in curriculum files, reported as `file:line: what is wrong (how to fix it)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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


class Invalid(ValueError):
    """A value a definition refuses (a poll answer, a worksheet field, a quick poll's settings).

    `message` is what people read; `code` is for programs (docs/protocol.md lists them).
    The room answers it as a refused write; it never reaches a module file's problems.
    """

    def __init__(self, message: str, code: str = "bad_value") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
