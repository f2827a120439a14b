"""The PDFs' templates in a language: Jinja with the gettext catalog (curriculum.i18n)."""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined

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
    return env
