"""The PDFs' templates in a language: Jinja with the gettext catalog (curriculum.i18n)."""

from __future__ import annotations

import functools
import re

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from curriculum.i18n import known, translations


def environment(package_path: str, lang: str) -> Environment:
    """A Jinja environment for a PDF's templates (exports/templates/<package_path>), speaking
    `lang`: `{{ _("...") }}` in the templates, participants' text escaped as everywhere."""
    return _environment(package_path, known(lang))


@functools.cache
def _environment(package_path: str, lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("exports", package_path),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["page_numbers"] = page_numbers(translations(lang).gettext("Page %(page)s of %(pages)s"))
    return env


def page_numbers(said: str) -> Markup:
    """A page footer's "Page 3 of 12" in the language, as a CSS `content` value: the
    catalog's words around the page counters (`"Página " counter(page) " de " counter(pages)`).
    Goes into a template's own <style>, each literal quoted as a CSS string."""
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", said):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return Markup(" ".join(parts))  # noqa: S704  (the catalog's words, quoted as CSS strings)
