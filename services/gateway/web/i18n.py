"""The console's languages: zh-CN (the default) and English, from gettext catalogues.

Templates and code use English message ids (``_("Sign in")``); the catalogues in
``locale/<lang>/LC_MESSAGES/`` translate them: ``messages.po`` and every other ``*.po``
there (one per group of pages, e.g. ``pages_calendar.po``), merged into one; where two
translate the same id, ``messages.po`` wins, then the others by file name. The ``.po``
files are compiled in memory at start-up with Babel, so there is no build step and no
binary ``.mo`` in the repository.
Extract new messages with ``pybabel extract -F services/gateway/babel.cfg``.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = ["DEFAULT_LANG", "LANGS", "catalogue_files", "merged_catalogues", "translations"]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGS: dict[str, str] = {"zh-CN": "中文", "en": "English"}
DEFAULT_LANG = "zh-CN"
_FOLDERS = {"zh-CN": "zh_CN", "en": "en"}


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogues of ``lang``, merged (English ids stand when a message is
    missing from all of them)."""
    folder = _FOLDERS.get(lang, _FOLDERS[DEFAULT_LANG])
    return merged_catalogues(LOCALE_DIR / folder / "LC_MESSAGES", folder)


def merged_catalogues(directory: Path, locale: str) -> gettext.NullTranslations:
    """Every catalogue of ``directory`` compiled and merged, in :func:`catalogue_files`
    order (the first that translates an id wins)."""
    merged: gettext.NullTranslations | None = None
    for path in catalogue_files(directory):
        compiled = _compile(path, locale)
        if merged is None:
            merged = compiled
        else:
            merged.add_fallback(compiled)
    return merged if merged is not None else gettext.NullTranslations()


def catalogue_files(directory: Path) -> list[Path]:
    """The ``.po`` files of ``directory`` in precedence order: ``messages.po``, then the
    others by name."""
    found = sorted(directory.glob("*.po")) if directory.is_dir() else []
    return sorted(found, key=lambda path: (path.name != "messages.po", path.name))


def _compile(path: Path, locale: str) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
