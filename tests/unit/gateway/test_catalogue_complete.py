"""Every page is Chinese first: each message the console's templates and code mark for
translation (``_``, ``N_``, ``words``, ``ngettext``) has its zh-CN text in the catalogues."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from services.gateway.web.i18n import translations

GATEWAY = Path(__file__).resolve().parents[3] / "services" / "gateway"
KEYWORDS = {"_": None, "N_": None, "words": None, "gettext": None, "ngettext": (1, 2)}


def test_every_marked_message_has_its_chinese() -> None:
    with (GATEWAY / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    zh = translations("zh-CN")
    missing: list[str] = []
    for filename, _, message, _, _ in extract_from_dir(
        str(GATEWAY), method_map, options_map, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            if zh.ngettext(singular, plural, 2) in (singular, plural):
                missing.append(f"{filename}: {singular!r}")
        elif message and zh.gettext(message) == message:
            missing.append(f"{filename}: {message!r}")
    assert not missing, "\n".join(sorted(set(missing)))
