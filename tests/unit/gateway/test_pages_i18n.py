"""The console's catalogues merge: every ``*.po`` of a language's folder translates, and
``messages.po`` wins where two translate the same id."""

from __future__ import annotations

from pathlib import Path

from services.gateway.web.i18n import catalogue_files, merged_catalogues, translations

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def _po(path: Path, pairs: dict[str, str]) -> None:
    entries = "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in pairs.items())
    path.write_text(HEADER + entries, encoding="utf-8")


def test_every_catalogue_of_the_folder_translates(tmp_path: Path) -> None:
    _po(tmp_path / "messages.po", {"Save": "保存"})
    _po(tmp_path / "pages_calendar.po", {"Calendar": "日历"})
    _po(tmp_path / "pages_posts.po", {"Posts": "推送"})
    merged = merged_catalogues(tmp_path, "zh_CN")
    assert merged.gettext("Save") == "保存"
    assert merged.gettext("Calendar") == "日历"
    assert merged.gettext("Posts") == "推送"
    assert merged.gettext("Not translated") == "Not translated"


def test_messages_po_wins_then_the_others_by_name(tmp_path: Path) -> None:
    _po(tmp_path / "pages_b.po", {"Save": "存（b）", "Open": "打开（b）"})
    _po(tmp_path / "pages_a.po", {"Open": "打开（a）"})
    _po(tmp_path / "messages.po", {"Save": "保存"})
    assert [p.name for p in catalogue_files(tmp_path)] == [
        "messages.po",
        "pages_a.po",
        "pages_b.po",
    ]
    merged = merged_catalogues(tmp_path, "zh_CN")
    assert merged.gettext("Save") == "保存"
    assert merged.gettext("Open") == "打开（a）"


def test_a_folder_without_catalogues_leaves_the_english_ids(tmp_path: Path) -> None:
    assert merged_catalogues(tmp_path / "missing", "zh_CN").gettext("Save") == "Save"


def test_the_console_reads_the_page_catalogues_of_its_languages() -> None:
    zh = translations("zh-CN")
    assert zh.gettext("Calendar") == "发布日历"
    assert translations("en").gettext("Calendar") == "Calendar"
