"""The unified diff between two revisions of a draft."""

from __future__ import annotations

from datetime import datetime

from drafting_support import SLOT, T0, content, picture

from services.drafting.domain.content import DraftContent
from services.drafting.domain.revisions import Revision, diff_revisions


def revision(n: int, draft_content: DraftContent, slot: datetime | None = SLOT) -> Revision:
    return Revision(
        draft_id="d-1", revision=n, content=draft_content, wished_slot=slot, by="erin", at=T0
    )


BODY = "<p>第一段。</p><p>第二段。</p><p>第三段。</p>"


def test_a_changed_paragraph_shows_as_one_changed_line() -> None:
    old = revision(1, content(body_html=BODY))
    new = revision(2, content(body_html=BODY.replace("第二段。", "第二段，改过。")))

    diff = diff_revisions(old, new)

    assert diff.changed_fields == ("body_html",)
    assert "--- a/body_html (revision 1)" in diff.diff
    assert "+++ b/body_html (revision 2)" in diff.diff
    assert "-<p>第二段。</p>" in diff.diff.splitlines()
    assert "+<p>第二段，改过。</p>" in diff.diff.splitlines()
    assert " <p>第一段。</p>" in diff.diff.splitlines()


def test_only_changed_fields_appear() -> None:
    old = revision(1, content())
    new = revision(3, content(title="新标题", pictures=(picture("m-1", cover=True),)), slot=None)

    diff = diff_revisions(old, new)

    assert diff.changed_fields == ("title", "wished_slot", "pictures")
    assert "+新标题" in diff.diff.splitlines()
    assert "+m-1 (cover)" in diff.diff.splitlines()
    assert f"-{SLOT.isoformat()}" in diff.diff.splitlines()
    assert "body_html" not in diff.diff


def test_identical_revisions_have_an_empty_diff() -> None:
    diff = diff_revisions(revision(1, content()), revision(2, content()))

    assert diff.changed_fields == ()
    assert diff.diff == ""


def test_the_diff_can_go_backwards() -> None:
    diff = diff_revisions(revision(2, content(title="新")), revision(1, content(title="旧")))

    assert (diff.from_revision, diff.to_revision) == (2, 1)
    assert "-新" in diff.diff.splitlines()
    assert "+旧" in diff.diff.splitlines()
