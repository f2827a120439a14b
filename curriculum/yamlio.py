"""YAML reading that remembers the file line of every key, for `file:line` problems.

Two YAML 1.1 surprises are switched off because faculty write agendas and poll options:
`12:00` stays the text "12:00" (not the number 720), and `Yes` / `No` / `on` / `off` stay
text (only `true` and `false` are booleans).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from curriculum.problems import Problems

_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_REPLACED = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}


class LineMap(dict[str, Any]):
    """A YAML mapping that knows the file line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of `key`, or of the mapping when the key is absent."""
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    line_offset = 0

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    mapping = LineMap()
    mapping.line = node.start_mark.line + 1 + loader.line_offset
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = key if isinstance(key, str) else str(key)
        line = key_node.start_mark.line + 1 + loader.line_offset
        if key in mapping:
            loader.duplicates.append((key, line))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date as YAML reads it, or its text when it is no date (2027-02-30): the reader says why."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml(text: str, file: Path, line_offset: int, problems: Problems) -> Any:
    """Parse `text`, which starts after `line_offset` lines of `file`; None if it is not YAML."""
    loader = _Loader(text)
    loader.line_offset = line_offset
    try:
        value = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.problem or error.context or "not valid YAML"
        opened = next((v for k, v in _OPENED.items() if str(error.context).startswith(k)), None)
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        unbalanced = _unbalanced_quote(text, mark.line if mark else 0)
        if error.context_mark is not None and opened:
            # A quote or bracket left open is found only where the text ends, or where the next
            # item begins: point at the line that opened it, which is where the mistake is.
            line = error.context_mark.line + 1 + line_offset
            what = f"{opened} opened on this line is never closed"
        elif unbalanced is not None:
            # A lone quote runs on to the next quote, lines later, where the error shows.
            line = unbalanced + 1 + line_offset
            what = "a quote opened on this line is never closed"
        problems.add(file, line, f"bad YAML: {what}", _yaml_hint(what))
        return None
    except yaml.YAMLError as error:
        problems.add(file, line_offset + 1, f"bad YAML: {error}", "check the indentation and quoting")
        return None
    except RecursionError:
        line = line_offset + 1 + next((n for n, x in enumerate(text.splitlines()) if _too_deep(x)), 0)
        problems.add(
            file,
            line,
            "bad YAML: nested too deeply to read",
            "a module's YAML needs a few levels, not hundreds",
        )
        return None
    finally:
        loader.dispose()
    for key, line in loader.duplicates:
        problems.add(file, line, f"key '{key}' appears twice", "keep one of them")
    return value


def _unbalanced_quote(text: str, before: int) -> int | None:
    """The first line before line `before` (0-based) with an odd number of double quotes."""
    for number, line in enumerate(text.splitlines()[:before]):
        if (line.count('"') - line.count('\\"')) % 2:
            return number
    return None


_OPENED = {
    "while scanning a quoted scalar": "a quote",
    "while parsing a flow mapping": "a '{'",
    "while parsing a flow sequence": "a '['",
}


def _too_deep(line: str) -> bool:
    """A line that opens many levels at once ([[[[... or {{{{...), where deep nesting starts."""
    return line.count("[") + line.count("{") > 50 or len(line) - len(line.lstrip()) > 200


def _yaml_hint(what: str) -> str:
    if "never closed" in what:
        return "close it: a quote with the same quote, '{' with '}', '[' with ']'"
    if "mapping values are not allowed" in what:
        return "put text that holds ': ' in quotes"
    if "found character '\\t'" in what or "tab" in what:
        return "indent with spaces, not tabs"
    if "expected <block end>" in what or "did not find expected" in what:
        return "check the indentation: items of one list or mapping line up"
    return "check the indentation and quoting"
