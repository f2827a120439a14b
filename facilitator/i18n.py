"""The room's pages in a language: Flask-Babel reads the catalog of curriculum.i18n, and a
phone's choice of language is kept in a cookie (facilitator.app)."""

from __future__ import annotations

from curriculum.i18n import TRANSLATIONS, known

LANG_COOKIE = "bsc_lang"

__all__ = ["LANG_COOKIE", "TRANSLATIONS", "known"]
