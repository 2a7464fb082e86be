"""The reader's language: zh-CN by default, English on request (gettext catalogues).

Message ids are English; ``locale/zh_CN/LC_MESSAGES/reports.po`` holds their Chinese,
read with Babel and compiled in memory when first needed (no build step, no ``.mo`` file
to forget). English needs no catalogue. Labels in Python are marked with :func:`N_` so
``pybabel extract`` finds them; templates use ``_()`` and ``{% trans %}``. Weekday and
number formats come from Babel's locale data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from gettext import NullTranslations
from pathlib import Path
from typing import Literal, get_args

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from .inputs import CATEGORY_LABELS, Category

__all__ = [
    "CATALOGUE",
    "DEFAULT_LANG",
    "LANGS",
    "Lang",
    "N_",
    "Translator",
    "translator",
]

Lang = Literal["zh-CN", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "zh-CN"
LOCALE_DIR = Path(__file__).with_name("locale")
CATALOGUE = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "reports.po"
_BABEL_LOCALE: dict[Lang, str] = {"zh-CN": "zh_Hans_CN", "en": "en"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate yet"
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


_CATEGORY_EN: dict[Category, str] = {
    "industry": N_("Industry news"),
    "management": N_("Business management"),
    "hr": N_("HR management"),
    "finance": N_("Finance"),
    "services": N_("Our integrated services"),
}


@cache
def _translations(lang: Lang) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_CN")
    buf = io.BytesIO()
    write_mo(buf, catalogue)  # fuzzy entries are left out: untranslated, so tests see them
    buf.seek(0)
    return Translations(buf)


@dataclass(frozen=True)
class Translator:
    """Messages, category names, times and numbers in one language."""

    lang: Lang

    @property
    def translations(self) -> NullTranslations:
        return _translations(self.lang)

    def __call__(self, message: str, **params: object) -> str:
        text = self.translations.gettext(message)
        return text % params if params else text

    def plural(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text % {"num": n, **params}

    def category(self, category: Category) -> str:
        """The plan's name of a category (Chinese), or its English name."""
        return CATEGORY_LABELS[category] if self.lang == "zh-CN" else _CATEGORY_EN[category]

    def weekday(self, at: datetime) -> str:
        """Short weekday name: 周一, Mon."""
        return format_date(at.date(), "EEE", locale=_BABEL_LOCALE[self.lang])

    def number(self, value: float, digits: int = 0) -> str:
        return f"{value:,.{digits}f}"

    def percent(self, value: float | None, digits: int = 1) -> str:
        return "–" if value is None else f"{value * 100:.{digits}f}%"


@cache
def translator(lang: Lang = DEFAULT_LANG) -> Translator:
    """The translator of ``lang`` (cached)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return Translator(lang)
