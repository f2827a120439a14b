"""A curriculum in another language: its modules' translations and its manifest's words.

A module carries its translation beside it: `ls1-writing-an-aim.es.md` is the Spanish of
`ls1-writing-an-aim.md` (the same front matter keys, slides and activities, in Spanish).
The manifest's and the topic pack's words (titles, agenda, driver diagram, change ideas,
measures) are translated in `es.yaml` in the curriculum folder: each English text, exactly
as the manifest or pack has it, and its Spanish. What has no translation stays English, and
`missing` says which, so a test can insist on a complete translation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from curriculum.assessment import ScalePoint
from curriculum.model import (
    AgendaItem,
    ChangeIdea,
    Curriculum,
    DriverDiagram,
    LearningSession,
    Measure,
    Module,
    PrimaryDriver,
    SecondaryDriver,
    TopicPack,
)
from curriculum.problems import Problems
from curriculum.worksheets import Choice, Field, Rows, Worksheet
from curriculum.yamlio import LineMap, load_yaml

LANGUAGES = {"en": "English", "es": "Español"}  # the kit's languages, each in its own words


def N_(text: str) -> str:
    """Mark `text` for the translation catalog (tools/i18n); it is translated where shown."""
    return text


# The words people read, by the class that holds them; everything else (ids, times) stays.
TEXT_FIELDS: dict[type, tuple[str, ...]] = {
    Curriculum: ("title", "topic", "aim"),
    LearningSession: ("title", "venue"),
    AgendaItem: ("title", "points", "notes"),
    TopicPack: ("name", "aim"),
    DriverDiagram: ("aim",),
    PrimaryDriver: ("text",),
    SecondaryDriver: ("text", "changes"),
    ChangeIdea: ("idea", "try_", "who", "tool"),
    # A measure's words: all but its family and direction, which are choices of the worksheet.
    Measure: tuple(f.name for f in dataclasses.fields(Measure) if f.name not in ("family", "direction")),
}


# The words of the kit's own definitions (worksheets, the assessment scale): translated from
# the gettext catalog where they are shown, extracted into it by curriculum.i18n.
DEFINITION_FIELDS: dict[type, tuple[str, ...]] = {
    Choice: ("label", "hint"),
    Field: ("label", "hint"),
    Rows: ("noun",),
    Worksheet: ("title", "tab", "gallery_label"),
    ScalePoint: ("name", "description"),
}


def definition_words(value: Any) -> Iterator[str]:
    """Every word of a definition (a worksheet, a choice, the scale) a catalog translates."""
    names = DEFINITION_FIELDS.get(type(value), ())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.name in names and isinstance(item, str) and item:
                yield item
            else:
                yield from definition_words(item)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from definition_words(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from definition_words(item)


def localized(value: Any, gettext: Callable[[str], str]) -> Any:
    """A definition with its words in another language (`gettext` of the English)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = DEFINITION_FIELDS.get(type(value), ())
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.name in names and isinstance(item, str) and item:
                changes[f.name] = gettext(item)
            elif isinstance(item, (tuple, dict)) or dataclasses.is_dataclass(item):
                changes[f.name] = localized(item, gettext)
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(localized(x, gettext) for x in value)
    if isinstance(value, dict):
        return {k: localized(v, gettext) for k, v in value.items()}
    return value


def translation_path(module: Path, lang: str) -> Path:
    """Where a module's translation lies: beside it, `<name>.<lang>.md`."""
    return module.with_name(f"{module.stem}.{lang}.md")


def is_translation(path: Path) -> bool:
    """A file such as `name.es.md`: a module's translation, not a module of its own."""
    parts = path.name.split(".")
    return len(parts) == 3 and parts[1] in LANGUAGES


def texts(curriculum: Curriculum) -> list[str]:
    """Every text of the manifest and the topic pack that a translation should cover, once."""
    found: dict[str, None] = {}

    def collect(value: Any) -> None:
        for text in _walk_texts(value):
            found.setdefault(text, None)

    collect(curriculum)
    return list(found)


def _walk_texts(value: Any) -> Iterator[str]:
    if isinstance(value, Module):
        return
    if isinstance(value, AgendaItem) and value.module is not None:
        return  # its title is its module's, translated with the module
    names = TEXT_FIELDS.get(type(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if names and f.name in names:
                if isinstance(item, str) and item:
                    yield item
                elif isinstance(item, tuple):
                    yield from (x for x in item if isinstance(x, str) and x)
            else:
                yield from _walk_texts(item)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _walk_texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk_texts(item)


def translated(
    curriculum: Curriculum,
    lang: str,
    words: Mapping[str, str],
    modules: Mapping[str, Module],
    missing: set[str] | None = None,
) -> Curriculum:
    """`curriculum` with its words in `lang` and its modules replaced by their translations."""
    missing = missing if missing is not None else set()

    def word(text: str) -> str:
        if text in words:
            return words[text]
        missing.add(text)
        return text

    result: Curriculum = _map(curriculum, word, modules)
    return result


def _map(value: Any, word: Callable[[str], str], modules: Mapping[str, Module]) -> Any:
    if isinstance(value, Module):
        return modules.get(value.id, value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = TEXT_FIELDS.get(type(value), ())
        if isinstance(value, AgendaItem) and value.module is not None:
            module = modules.get(value.module.id, value.module)
            return dataclasses.replace(value, module=module, title=module.title)
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.name in names and isinstance(item, str) and item:
                changes[f.name] = word(item)
            elif f.name in names and isinstance(item, tuple):
                changes[f.name] = tuple(word(x) if isinstance(x, str) and x else x for x in item)
            elif isinstance(item, (tuple, dict)) or dataclasses.is_dataclass(item):
                changes[f.name] = _map(item, word, modules)
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_map(x, word, modules) for x in value)
    if isinstance(value, dict):
        return {k: _map(v, word, modules) for k, v in value.items()}
    return value


def load_words(folder: Path, lang: str, problems: Problems) -> dict[str, str]:
    """The curriculum's `<lang>.yaml`: English text -> translation (empty when there is none)."""
    path = folder / f"{lang}.yaml"
    if not path.is_file():
        return {}
    data = load_yaml(path.read_text(encoding="utf-8"), path, 0, problems)
    if not isinstance(data, LineMap):
        problems.add(path, 1, "a translation file is a list of 'English: translation' lines", "")
        return {}
    words = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            problems.add(path, data.line_of(key), f"'{key}' has no translation", "write it after the colon")
            continue
        words[str(key)] = value
    return words
