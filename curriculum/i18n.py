"""Languages: English, and Spanish from a gettext catalog (curriculum/translations).

Pages use Flask-Babel (`_()` in templates and code); PDFs made outside a request (handouts,
take-home plans) use `translations(lang)`; the phone's scripts get the translations of their
own strings embedded in the page (`script_strings`). A definition marks its words with `N_`
so they are extracted into the catalog, and is translated where it is shown.

    tools/i18n            extract the strings, update the catalog, compile it
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from babel.support import Translations

from curriculum.model import Curriculum
from curriculum.problems import Problems
from curriculum.translate import LANGUAGES, definition_words, localized

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
# The calls whose first argument is a string for the catalog (tools/i18n passes each as -k):
# gettext's own, the marks of definitions' words (N_, Word) and of the phone's scripts (t), and
# the refusals, whose message templates are said in the reader's language (Invalid.say).
KEYWORDS = ("_", "gettext", "N_", "t", "Word", "Invalid", "FieldInvalid", "Refused")


def known(lang: str | None) -> str:
    """`lang` if the kit speaks it, else English."""
    return lang if lang in LANGUAGES else "en"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (English needs none)."""
    if known(lang) == "en":
        return gettext.NullTranslations()
    return Translations.load(str(TRANSLATIONS), [lang], DOMAIN)


def gettext_for(lang: str) -> Callable[[str], str]:
    return translations(lang).gettext


@functools.cache
def localized_definitions(lang: str) -> tuple[Any, ...]:
    """(WORKSHEETS, CARRIED, FAMILIES, DIRECTIONS, ACT, ASSESSMENT_SCALE) in `lang`."""
    return tuple(localized(d, gettext_for(lang)) for d in definitions())


@functools.cache
def word_key(english: str) -> str:
    """The short key a page files a translation under instead of its English (common.js
    `BSC.key`, the same sum): FNV-1a over the text's UTF-16 code units, in base 36. A Spanish
    phone downloads its session's words without their English, which it already has."""
    units = english.encode("utf-16-le")
    total = 0x811C9DC5
    for low, high in zip(units[::2], units[1::2], strict=True):
        total = ((total ^ (low | high << 8)) * 0x01000193) & 0xFFFFFFFF
    digits = ""
    while True:
        total, digit = divmod(total, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not total:
            return digits


def keyed(pairs: dict[str, str]) -> dict[str, str]:
    """English -> translation as the page carries it: word_key(English) -> translation. Two
    texts whose keys meet are both left out (those show in English), never mixed up."""
    out: dict[str, str] = {}
    met: set[str] = set()
    for english, there in pairs.items():
        key = word_key(english)
        if key in out or key in met:
            out.pop(key, None)
            met.add(key)
        else:
            out[key] = there
    return out


@functools.cache
def page_strings(lang: str) -> dict[str, str]:
    """`script_strings` as a phone's page carries them (`keyed`), read once per process: every
    phone that joins gets its room page, and the catalog does not change while the room runs."""
    return keyed(script_strings(lang))


def script_strings(lang: str) -> dict[str, str]:
    """The translations of the strings the phone's scripts show (those found in .js files)."""
    if known(lang) == "en":
        return {}
    path = TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and m.string and any(file.endswith(".js") for file, _ in m.locations)
    }


_session_words: dict[tuple[int, str, str], tuple[Curriculum, dict[str, str]]] = {}


def session_words(curriculum: Curriculum, key: str, lang: str) -> dict[str, str]:
    """What a session's screens show people, English -> `lang`, where there is a translation:
    the session's title and agenda, each activity's title, prompt, options and scale labels
    (its module's translation) and the kit's words it shows (what each poll kind asks, the
    roles: the catalog). The room runs in English; the phone of someone who reads `lang` shows
    these words over it (phone.js `inWords`; quick polls the faculty type live stay as typed).
    The driver diagram comes whole in the reader's language instead (`driver_diagram_in`)."""
    if known(lang) == "en" or curriculum.path is None:
        return {}
    cached = _session_words.get((id(curriculum), key, lang))
    if cached is not None and cached[0] is curriculum:
        return cached[1]
    from curriculum.loader import in_language
    from curriculum.polls import POLL_KINDS
    from curriculum.worksheets import ROLES

    say = gettext_for(lang)
    pairs: list[tuple[Any, Any]] = [(k.instruction, say(k.instruction)) for k in POLL_KINDS.values()]
    pairs += [(role, say(role)) for role in ROLES]  # who waits at the team's door
    translated = in_language(curriculum, lang, Problems())
    try:
        english, there = curriculum.session(key), translated.session(key)
    except KeyError:  # a session the curriculum no longer has
        pass
    else:
        pairs.append((english.title, there.title))
        pairs += [(a.title, b.title) for a, b in zip(english.agenda, there.agenda, strict=False)]
        for a, b in zip(english.activities, there.activities, strict=False):
            if a.kind != b.kind:  # a translation out of step with its module: say nothing wrong
                continue
            pairs += [(a.title, b.title), (a.prompt, b.prompt)]
            pairs += zip(a.spec.get("options") or (), b.spec.get("options") or (), strict=False)
            pairs += [(a.spec.get(k), b.spec.get(k)) for k in ("min_label", "max_label")]
    words = {e: s for e, s in pairs if isinstance(e, str) and isinstance(s, str) and e and s and e != s}
    if len(_session_words) >= 64:  # a curriculum read again (edited) is a new object: keep a few
        _session_words.clear()
    _session_words[(id(curriculum), key, lang)] = (curriculum, words)
    return words


_diagrams: dict[tuple[int, str], tuple[Curriculum, dict[str, Any] | None]] = {}


def driver_diagram_in(curriculum: Curriculum, lang: str) -> dict[str, Any] | None:
    """The collaborative's driver diagram as the phone's Drivers tab shows it, in `lang` where
    the topic pack is translated (`<lang>.yaml`), with the same ids (a team's chosen change
    ideas are kept by id). The room's `state` carries it in English; the phone's page carries
    it in its reader's language, once, instead of the English and the translation of each
    line."""
    if curriculum.topic_pack is None:
        return None
    cached = _diagrams.get((id(curriculum), lang))
    if cached is not None and cached[0] is curriculum:
        return cached[1]
    diagram = curriculum.topic_pack.driver_diagram
    if known(lang) != "en" and curriculum.path is not None:
        from curriculum.loader import in_language

        there = in_language(curriculum, lang, Problems()).topic_pack
        if there is not None and _ids(there.driver_diagram) == _ids(diagram):
            diagram = there.driver_diagram
    shown = asdict(diagram)
    if len(_diagrams) >= 64:
        _diagrams.clear()
    _diagrams[(id(curriculum), lang)] = (curriculum, shown)
    return shown


def _ids(diagram: Any) -> list[tuple[str, list[tuple[str, int]]]]:
    # A change idea's id is its secondary driver's and its place there (`S1.2.3`).
    return [(p.id, [(s.id, len(s.changes)) for s in p.secondary]) for p in diagram.primary]


def definitions() -> tuple[Any, ...]:
    """The kit's definitions whose words a catalog translates."""
    from curriculum.assessment import ASSESSMENT_SCALE
    from curriculum.worksheets import ACT, CARRIED, DIRECTIONS, FAMILIES, WORKSHEETS

    return (WORKSHEETS, CARRIED, FAMILIES, DIRECTIONS, ACT, ASSESSMENT_SCALE)


def extract_definitions(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[Any]:
    """A Babel extraction method (babel.cfg): the words of the worksheets, their choices and
    the assessment scale, read from the definitions themselves rather than marked one by one;
    then what the file marks as any Python file does (its refusals)."""
    from babel.messages.extract import extract_python

    from curriculum.assessment import ASSESSMENT_TITLE
    from curriculum.worksheets import ROLES

    seen: dict[str, None] = dict.fromkeys((ASSESSMENT_TITLE, *ROLES))
    for word in definition_words(definitions()):
        seen.setdefault(word, None)
    for word in seen:
        yield 1, None, word, []
    yield from extract_python(fileobj, keywords, comment_tags, options)
