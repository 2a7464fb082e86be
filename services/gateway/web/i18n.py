"""The console's languages: zh-CN (the default) and English, from gettext catalogues.

Templates and code use English message ids (``_("Sign in")``); ``locale/<lang>/
LC_MESSAGES/messages.po`` translate them. The ``.po`` files are compiled in memory at
start-up with Babel, so there is no build step and no binary ``.mo`` in the repository.
Extract new messages with ``pybabel extract -F services/gateway/babel.cfg``.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = ["DEFAULT_LANG", "LANGS", "translations"]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGS: dict[str, str] = {"zh-CN": "中文", "en": "English"}
DEFAULT_LANG = "zh-CN"
_FOLDERS = {"zh-CN": "zh_CN", "en": "en"}


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English ids stand when a message is missing)."""
    folder = _FOLDERS.get(lang, _FOLDERS[DEFAULT_LANG])
    path = LOCALE_DIR / folder / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=folder)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
