"""The sample set: enough original articles in every category, pictures with origins, and
norm-breaking ones the review service's own checker catches (the clean ones it passes)."""

from __future__ import annotations

from demo.articles import load_articles
from services.review.norms import Lexicon, NormChecker
from shared.events import Category

ARTICLES = load_articles()
CHECKER = NormChecker(Lexicon.load(None))


def _findings(title: str, digest: str, body: list[str]) -> list[tuple[str, str]]:
    text = "\n".join([title, digest, *body])
    return [(f.category, f.severity) for f in CHECKER.check(text).findings]


def test_sample_set_covers_every_category_with_realistic_articles() -> None:
    assert len(ARTICLES) >= 10
    assert {a.category for a in ARTICLES} == set(Category)
    assert all(a.text_length >= 150 for a in ARTICLES)
    assert len({a.key for a in ARTICLES}) == len(ARTICLES)


def test_every_picture_has_its_origin_recorded_and_one_cover() -> None:
    for article in ARTICLES:
        assert article.pictures, article.key
        assert sum(p.cover for p in article.pictures) == 1, article.key
        for picture in article.pictures:
            assert picture.origin.library
            assert picture.origin.credit
            assert picture.origin.licence


def test_exactly_one_article_reaches_review_after_ten_on_an_early_push_day() -> None:
    late = [a for a in ARTICLES if a.submit == "late"]
    assert len(late) == 1
    assert late[0].day == 0  # moved to the next slot, which is still inside the period


def test_clean_articles_raise_no_finding_the_reviewer_would_act_on() -> None:
    for article in ARTICLES:
        if article.norm_issue is None:
            assert _findings(article.title, article.digest, article.body) == [], article.key


def test_norm_breaking_articles_are_caught_and_fixes_are_clean() -> None:
    breaking = [a for a in ARTICLES if a.norm_issue]
    assert len(breaking) >= 3
    kinds: set[str] = set()
    for article in breaking:
        found = _findings(article.title, article.digest, article.body)
        assert found, article.key
        kinds.update(category for category, _ in found)
        if article.override_reason:
            assert any(severity == "block" for _, severity in found)
        if article.revision:
            assert _findings(article.title, article.digest, article.revision.body) == []
    assert {"spam", "privacy", "gambling_violence"} <= kinds


def test_draft_body_lists_the_pictures_and_shows_in_body_ones() -> None:
    article = next(a for a in ARTICLES if any(p.in_body for p in a.pictures))
    body = article.draft_create(["m1", "m2"][: len(article.pictures)], "2026-11-23T11:30:00+08:00")
    assert [p["material_id"] for p in body["pictures"]] == ["m1", "m2"][: len(article.pictures)]
    in_body = next(p for p in article.pictures if p.in_body)
    assert f'src="{in_body.url}"' in body["body_html"]
    assert body["body_html"].startswith("<p>")


def test_the_second_account_has_one_clean_article_for_each_of_its_push_days() -> None:
    from demo.talent import TALENT_ARTICLES_DIR

    talent = load_articles(TALENT_ARTICLES_DIR)

    assert [a.day for a in talent] == [0, 1, 2, 3]  # Tue/Thu of the two weeks
    for article in talent:
        assert article.text_length >= 150, article.key
        assert sum(p.cover for p in article.pictures) == 1, article.key
        assert _findings(article.title, article.digest, article.body) == [], article.key
