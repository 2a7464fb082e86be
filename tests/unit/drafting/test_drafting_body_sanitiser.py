"""Sanitising a draft body: dangerous content is refused naming ``body_html``, harmless
markup is tidied silently, and WeChat's size limits hold."""

from __future__ import annotations

import pytest

from services.drafting.domain.sanitise import MAX_BODY_CHARS, sanitise_body
from services.drafting.errors import InvalidContent

DANGEROUS = {
    "script element": "<p>正文</p><script>alert(1)</script>",
    "upper-case script": "<p>正文</p><SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "event handler": '<img src="https://img.example.cn/a.jpg" onerror="alert(1)">',
    "handler on an allowed tag": '<p onclick="steal()">点我</p>',
    "javascript link": '<a href="javascript:alert(1)">链接</a>',
    "javascript link with tab entity": '<a href="java&#x09;script:alert(1)">链接</a>',
    "javascript link with spaces and case": '<a href="  JaVaScRiPt:alert(1)">链接</a>',
    "vbscript link": '<a href="vbscript:msgbox(1)">链接</a>',
    "html data url": '<a href="data:text/html;base64,PHNjcmlwdD4=">链接</a>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "css expression": '<p style="width: expression(alert(1))">正文</p>',
    "script inside svg": "<svg><script>alert(1)</script></svg>",
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
}


@pytest.mark.parametrize("html", DANGEROUS.values(), ids=DANGEROUS.keys())
def test_dangerous_content_is_refused_naming_the_body(html: str) -> None:
    with pytest.raises(InvalidContent) as refused:
        sanitise_body(html)

    assert refused.value.fields == ["body_html"]
    assert "active content" in str(refused.value)


def test_the_refusal_says_what_was_found() -> None:
    with pytest.raises(InvalidContent, match="onerror event handler on <img>"):
        sanitise_body('<p>图</p><img src="https://img.example.cn/a.jpg" onerror="x()">')


def test_text_about_scripts_is_not_an_attack() -> None:
    html = "<p>如何识别 javascript: 链接和 &lt;script&gt; 标签？onclick=这类属性要小心。</p>"

    assert sanitise_body(html).html == html


def test_a_link_whose_title_mentions_javascript_is_kept() -> None:
    verdict = sanitise_body('<a href="https://example.cn" title="javascript: 入门">教程</a>')

    assert 'title="javascript: 入门"' in verdict.html


def test_unknown_tags_and_attributes_are_dropped_silently_with_notes() -> None:
    verdict = sanitise_body(
        '<p class="MsoNormal"><font color="red">通知</font></p><!-- word --><style>p{}</style>'
    )

    assert verdict.html == "<p>通知</p>"
    assert "removed <font> tag" in verdict.notes
    assert "removed class on <p> attribute" in verdict.notes
    assert "removed HTML comments" in verdict.notes


def test_wechat_article_markup_survives() -> None:
    html = (
        '<section style="text-align:center"><h2>要点</h2>'
        '<p style="color:#333;font-size:15px">第一条</p>'
        '<img src="https://img.example.cn/a.jpg" alt="配图">'
        '<a href="https://www.chinatax.gov.cn/">国家税务总局</a></section>'
    )

    verdict = sanitise_body(html)

    assert '<section style="text-align:center">' in verdict.html
    assert 'style="color:#333;font-size:15px"' in verdict.html
    assert '<img src="https://img.example.cn/a.jpg" alt="配图">' in verdict.html
    assert 'rel="noopener noreferrer"' in verdict.html
    assert verdict.notes == ()


def test_positioning_styles_are_dropped() -> None:
    verdict = sanitise_body('<p style="color:red;position:fixed;top:0">浮层</p>')

    assert verdict.html == '<p style="color:red">浮层</p>'


def test_sanitising_twice_changes_nothing_more() -> None:
    once = sanitise_body('<section><p style="color:red">a &amp; b<br></p><font>x</font></section>')

    assert sanitise_body(once.html).html == once.html


def test_a_body_of_the_maximum_length_is_accepted() -> None:
    body = "<p>" + "字" * (MAX_BODY_CHARS - 7) + "</p>"

    assert len(sanitise_body(body).html) == MAX_BODY_CHARS


def test_a_body_over_twenty_thousand_characters_is_refused() -> None:
    body = "<p>" + "字" * (MAX_BODY_CHARS - 6) + "</p>"

    with pytest.raises(InvalidContent, match="20001 characters") as refused:
        sanitise_body(body)
    assert refused.value.fields == ["body_html"]


def test_a_body_over_one_megabyte_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidContent, match="bytes") as refused:
        sanitise_body("<p>" + "字" * 400_000 + "</p>")
    assert refused.value.fields == ["body_html"]


def test_a_body_that_is_empty_once_cleaned_is_refused() -> None:
    with pytest.raises(InvalidContent, match="empty"):
        sanitise_body("<style>p{color:red}</style>")
