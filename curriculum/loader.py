"""Load whatever a path holds: one module, a folder of modules, a curriculum, or a library."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from curriculum.calendar import Calendar
from curriculum.manifest import MANIFEST, load_curriculum
from curriculum.model import Curriculum, Module
from curriculum.modules import parse_module
from curriculum.problems import Problem, Problems
from curriculum.translate import load_words, translated, translation_path

LIBRARY = Path(__file__).resolve().parent / "library"


def bundled_library() -> Path:
    """The folder of the curricula that ship with the package."""
    return LIBRARY


@dataclass
class Loaded:
    """What a path held, and every problem found in it."""

    curricula: list[Curriculum] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)
    problem_list: Problems = field(default_factory=Problems)

    @property
    def problems(self) -> list[Problem]:
        return list(self.problem_list)

    @property
    def ok(self) -> bool:
        return not self.problem_list


class _ModuleCache:
    """Parses each module file once, however many curricula share it."""

    def __init__(self) -> None:
        self._modules: dict[tuple[Path, int], Module | None] = {}
        self._calendars: list[Calendar] = []  # alive while their id() keys the cache

    def __call__(self, path: Path, problems: Problems, calendar: Calendar | None = None) -> Module | None:
        """The module at `path`, its dates computed from `calendar` (one parse per calendar)."""
        key = (path.resolve(), id(calendar))
        if key not in self._modules:
            if calendar is not None and calendar not in self._calendars:
                self._calendars.append(calendar)
            self._modules[key] = parse_module(key[0], problems, calendar)
        return self._modules[key]


def load(path: Path | None = None, lang: str | None = None) -> Loaded:
    """Load `path` (the bundled library when None), collecting every problem.

    With `lang` (such as "es"), each curriculum comes in that language where it is
    translated (curriculum.translate), and in English where it is not.
    """
    loaded = _load(path)
    if lang and lang != "en":
        loaded.curricula = [in_language(c, lang, loaded.problem_list) for c in loaded.curricula]
    return loaded


def in_language(
    curriculum: Curriculum, lang: str, problems: Problems, missing: set[str] | None = None
) -> Curriculum:
    """The curriculum in `lang`: its modules' translations and its `<lang>.yaml` words."""
    if curriculum.path is None:
        return curriculum
    words = load_words(curriculum.path, lang, problems)
    calendar = curriculum.calendar
    if calendar is not None:  # dates in the language, examples in the pack's translated words
        calendar = replace(calendar, lang=lang, topic={k: words.get(v, v) for k, v in calendar.topic.items()})
    modules = {}
    for module in curriculum.modules.values():
        beside = translation_path(module.path, lang)
        if beside.is_file():
            translation = parse_module(beside, problems, calendar)
            if translation is not None:
                modules[module.id] = translation
    return translated(curriculum, lang, words, modules, missing)


def _load(path: Path | None = None) -> Loaded:
    path = Path(path) if path is not None else bundled_library()
    loaded = Loaded()
    problems = loaded.problem_list
    read = _ModuleCache()
    if not path.exists():
        problems.add(
            path, 1, "no such file or folder", "give the path of a module, a curriculum or a library"
        )
        return loaded
    if path.is_file():
        if path.name == MANIFEST:
            path = path.parent
        elif path.suffix.lower() == ".md":
            module = read(path, problems)
            if module is not None:
                loaded.modules.append(module)
            return loaded
        else:
            problems.add(
                path,
                1,
                "not a module or a manifest",
                f"give a module (.md), a {MANIFEST}, or a folder holding them",
            )
            return loaded
    if (path / MANIFEST).is_file():
        curriculum = load_curriculum(path, problems, read)
        if curriculum is not None:
            loaded.curricula.append(curriculum)
        return loaded
    folders = sorted(p for p in path.iterdir() if (p / MANIFEST).is_file())
    for folder in folders:
        curriculum = load_curriculum(folder, problems, read)
        if curriculum is not None:
            loaded.curricula.append(curriculum)
    ids = [c.id for c in loaded.curricula]
    for curriculum in loaded.curricula:
        if ids.count(curriculum.id) > 1 and curriculum.path is not None:
            problems.add(
                curriculum.path / MANIFEST,
                1,
                f"curriculum id '{curriculum.id}' is used twice",
                "give every curriculum in a library its own id",
            )
    if not folders:
        files = sorted(p for p in path.glob("*.md") if p.name.lower() != "readme.md")
        for file in files:
            module = read(file, problems)
            if module is not None:
                loaded.modules.append(module)
        if not files:
            problems.add(
                path,
                1,
                "no modules or curricula here",
                f"a curriculum folder holds {MANIFEST}; a module is a .md file",
            )
    return loaded
