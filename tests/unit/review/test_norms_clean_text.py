"""No false positives: a ~20,000-character article of ordinary business Chinese."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from services.review.norms import NormChecker, normalise

SENTENCES = Path(__file__).parent / "data" / "business_sentences.txt"
ARTICLE_LENGTH = 20_000


def _values(rng: random.Random) -> dict[str, str]:
    year = rng.randint(2018, 2027)
    return {
        "year": str(year),
        "month": str(rng.randint(1, 12)),
        "day": str(rng.randint(1, 28)),
        "hour": str(rng.randint(8, 18)),
        "minute": rng.choice(["00", "15", "30", "45"]),
        "pct": f"{rng.uniform(0.5, 99):.1f}",
        "pct2": f"{rng.uniform(0.1, 20):.2f}",
        "n": str(rng.randint(2, 60)),
        "n2": str(rng.randint(2, 30)),
        "amount": rng.choice([f"{rng.randint(100, 99_999):,}", str(rng.randint(100, 99_999))]),
        "wan": str(rng.randint(1_000, 999_999)),
        "yi": f"{rng.uniform(1, 500):.2f}",
        "contract": f"HT-{year}-{rng.randint(0, 999_999):06d}",
        # 13-14 digits, some starting like a mobile number: must not be taken for one
        "order": rng.choice(["13", "15", "18", "20", "30"]) + str(rng.randint(10**11, 10**12 - 1)),
        "project": f"XM{year}{rng.randint(1, 12):02d}{rng.randint(1, 999):03d}",
        "credit_code": "91"
        + str(rng.randint(110_000, 659_999))
        + "MA"
        + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8)),
        "hotline": f"400-820-{rng.randint(0, 9999):04d}",
        "landline": f"021-6{rng.randint(0, 9_999_999):07d}",
        "version": f"V{rng.randint(1, 5)}.{rng.randint(0, 9)}",
    }


def business_article(seed: int = 20_26, length: int = ARTICLE_LENGTH) -> str:
    """Paragraphs of 3-6 templated sentences until ``length`` characters are reached."""
    templates = [
        line.strip()
        for line in SENTENCES.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < length:
        sentences = [rng.choice(templates).format(**_values(rng)) for _ in range(rng.randint(3, 6))]
        paragraph = "".join(sentences)
        paragraphs.append(paragraph)
        total += len(paragraph) + 1
    return "\n".join(paragraphs)[:length]


@pytest.fixture(scope="module")
def checker() -> NormChecker:
    return NormChecker(confidential_terms=["星河计划", "Project Nova"])


@pytest.mark.parametrize("seed", [1, 2026, 31337])
def test_ordinary_business_article_has_no_findings(checker: NormChecker, seed: int) -> None:
    article = business_article(seed)
    assert len(article) == ARTICLE_LENGTH

    result = checker.check(article)

    assert [
        (f.rule_id, f.matched, article[f.start - 10 : f.end + 10]) for f in result.findings
    ] == []
    assert not result.blocking


def test_article_contains_numbers_that_look_like_personal_data() -> None:
    article = business_article()

    assert re.search(r"\d{4}年\d{1,2}月", article)
    assert re.search(r"\d+\.\d+%", article)
    assert re.search(r"HT-\d{4}-\d{6}", article)
    assert re.search(r"(?<!\d)1[358]\d{11,12}(?!\d)", article)  # long runs starting like a mobile


def test_article_in_traditional_characters_has_no_findings(checker: NormChecker) -> None:
    import opencc

    article = opencc.OpenCC("s2t").convert(business_article(7))

    assert checker.check(article).findings == ()


def test_dense_view_maps_every_character_back_to_the_article() -> None:
    article = business_article(5)

    norm = normalise(article)

    assert len(norm.dense) == len(norm.dense_index)
    assert all(0 <= i < len(article) for i in norm.dense_index)
    assert norm.dense_index == sorted(norm.dense_index)
