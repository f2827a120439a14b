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
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from babel.support import Translations

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
