"""The site's interface language: gettext catalogs (msgids in English) and dates as each locale writes them.

Catalogs are plain `.po` files under `duban/locales/<locale>/LC_MESSAGES/duban.po`, read with Babel at run
time (cached), so there is no compile step to forget and translators edit one text file. English is the msgids
themselves. Every msgid the templates or `site.labels` use must have a zh_CN translation
(tests/test_site_i18n.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from babel.dates import format_skeleton, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "duban"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
# Interface languages: duban.yaml's `language` → the catalog's locale (None: the msgids are the text).
LANGUAGES: dict[str, str | None] = {"zh-CN": "zh_CN", "en": None}

# Babel skeletons: the fields a date shows; Babel orders and punctuates them the locale's way
# (2026年11月27日 / Nov 27, 2026).
DATE_STYLES = {"day": "yMMMd", "month": "yMMMM", "short": "MMMd", "weekday": "yMMMEd"}


class CatalogTranslations(gettext.GNUTranslations):
    """A catalog that remembers msgids it had no translation for (the i18n tests assert there are none)."""

    def __init__(self, fp: BinaryIO) -> None:
        self.missing: set[str] = set()
        super().__init__(fp)

    def gettext(self, message: str) -> str:
        if message not in self._catalog:  # type: ignore[attr-defined]
            self.missing.add(message)
        return super().gettext(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        if (msgid1, 0) not in self._catalog:  # type: ignore[attr-defined]
            self.missing.add(msgid1)
        return super().ngettext(msgid1, msgid2, n)


def catalog_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The translations for a registry's `language` (identity for English and unknown languages)."""
    locale = LANGUAGES.get(language)
    if locale is None:
        return gettext.NullTranslations()
    with catalog_path(locale).open("rb") as po_file:
        catalog = read_po(po_file, locale=locale, domain=DOMAIN)
    # Babel writes the catalog as an in-memory .mo; gettext then handles plural forms and fuzzy entries
    # exactly as it would for a compiled catalog.
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return CatalogTranslations(buffer)


def babel_locale(language: str) -> str:
    return LANGUAGES.get(language) or "en"


@functools.lru_cache(maxsize=65536)
def format_day(day: dt.date, language: str, style: str = "day") -> str:
    """A date the way the language writes it. Cached: a site formats the same few hundred days many times."""
    return format_skeleton(DATE_STYLES[style], day, locale=babel_locale(language))


@functools.cache
def weekday_names(language: str) -> tuple[str, ...]:
    """Monday first: 周一 … 周日 / Mon … Sun."""
    names = get_day_names("abbreviated", context="stand-alone", locale=babel_locale(language))
    return tuple(str(names[index]) for index in range(7))
