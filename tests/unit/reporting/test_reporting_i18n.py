"""The message catalogue: every label the reports show has its Chinese (#17).

Messages are extracted from the reports package and its templates the way
``pybabel extract`` does (locale/babel.cfg); each must have a non-fuzzy Chinese
translation with the same placeholders, so no English label reaches a zh-CN reader.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.reporting.reports import CATEGORY_LABELS, translator
from services.reporting.reports.i18n import CATALOGUE

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "services" / "reporting" / "reports"
KEYWORDS = {"_": None, "N_": None, "tr": None, "t": None, "gettext": None}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")


def _extracted() -> set[str]:
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python"), ("templates/**.j2", "jinja2")],
        options_map={"templates/**.j2": {"extensions": "jinja2.ext.i18n"}},
        keywords=KEYWORDS,
    )
    return {msg for _file, _line, msg, _comments, _context in found if isinstance(msg, str)}


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        cat = read_po(handle)
    return {m.id: m.string for m in cat if m.id and not m.fuzzy}  # type: ignore[misc]


def test_every_message_in_the_code_and_templates_has_its_chinese(
    catalogue: dict[str, str],
) -> None:
    messages = _extracted()
    assert len(messages) > 100
    missing = sorted(m for m in messages if not catalogue.get(m))
    assert missing == [], f"messages without Chinese: {missing}"


def test_translations_keep_their_placeholders(catalogue: dict[str, str]) -> None:
    for msgid, msgstr in catalogue.items():
        assert set(_PLACEHOLDER.findall(msgid)) == set(_PLACEHOLDER.findall(msgstr)), msgid


def test_chinese_is_the_default_and_english_is_available() -> None:
    zh, en = translator(), translator("en")
    assert zh.lang == "zh-CN"
    assert zh("The next pushes") == "下一步推送计划"
    assert en("The next pushes") == "The next pushes"
    assert [zh.category(c) for c in CATEGORY_LABELS] == list(CATEGORY_LABELS.values())
    assert en.category("hr") == "HR management"
    with pytest.raises(ValueError, match="unknown language"):
        translator("fr")  # type: ignore[arg-type]


def test_chinese_translations_hold_no_english_words(catalogue: dict[str, str]) -> None:
    for msgid, msgstr in catalogue.items():
        words = set(re.findall(r"[A-Za-z]{2,}", _PLACEHOLDER.sub("", msgstr)))
        assert words <= {"UTC"}, (msgid, msgstr)
