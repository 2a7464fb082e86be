"""Is a theme about the *form* of the pushes (length, timing, layout) rather than a topic?

Digests from #17 on say so themselves (``about_form``); older ones do not, and their
keyword themes mix such remarks in ("太长了", "能不能早点推"). For those, a short list of
form words decides: a theme whose label, top terms or quotes speak of length, push time,
frequency, layout or fonts is advice for the editors, never a topic idea.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["looks_about_form"]

_FORM = re.compile(
    r"篇幅|太长|太短|字数|长篇|简短|精简|啰嗦|冗长|"
    r"推送时间|发送时间|推送频率|更新频率|推得|发得|早点推|晚点推|早点发|晚点发|太早|太晚|"
    r"推送太|更新太|频率|几点推|每天推|"
    r"排版|版式|格式|字体|字号|字太小|配图|图片太|看不清|阅读体验|段落|分段|"
    r"标题党|错别字"
)


def looks_about_form(label: str, terms: Iterable[str], quotes: Iterable[str]) -> bool:
    """True when the label or a top term speaks of form, or most quotes do."""
    if _FORM.search(label) or any(_FORM.search(t) for t in list(terms)[:3]):
        return True
    quotes = list(quotes)
    return bool(quotes) and sum(bool(_FORM.search(q)) for q in quotes) * 2 > len(quotes)
