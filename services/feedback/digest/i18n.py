"""The document's languages: gettext catalogues (``locale/<lang>/LC_MESSAGES/digest.po``).

Message ids are English; ``zh_CN`` (the default) translates every one of them, ``en``
shows the ids. The ``.po`` files are read with Babel and compiled in memory once, so the
catalogue a translator edits is the one the service runs (no stale ``.mo`` to forget).
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib import resources
from io import BytesIO
from typing import Literal, Protocol

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Gettext",
    "Language",
    "catalogue_ids",
    "translations",
]

Language = Literal["zh-CN", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")
DEFAULT_LANGUAGE: Language = "zh-CN"
_DOMAIN = "digest"
_LOCALE_DIR = {"zh-CN": "zh_CN", "en": "en"}


class Gettext(Protocol):
    """``_(message) -> translation``, as templates and section builders call it."""

    def __call__(self, message: str, /) -> str: ...


def _po_path(language: Language) -> resources.abc.Traversable:
    return (
        resources.files("services.feedback.digest")
        .joinpath("locale")
        .joinpath(_LOCALE_DIR[language])
        .joinpath("LC_MESSAGES")
        .joinpath(f"{_DOMAIN}.po")
    )


@cache
def translations(language: Language = DEFAULT_LANGUAGE) -> gettext.NullTranslations:
    """The compiled catalogue of a language (``en``: the ids themselves)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; one of {', '.join(LANGUAGES)}")
    if language == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with _po_path(language).open("rb") as po:
        catalog = read_po(po, locale=_LOCALE_DIR[language], domain=_DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def catalogue_ids(language: Language) -> dict[str, str]:
    """Every message id of a language's catalogue and its translation (for checks)."""
    from babel.messages.pofile import read_po

    with _po_path(language).open("rb") as po:
        catalog = read_po(po, locale=_LOCALE_DIR[language], domain=_DOMAIN)
    return {str(m.id): str(m.string) for m in catalog if m.id}
