"""Does a follower's message ask something? (Then a person must answer within 12 hours.)"""

from __future__ import annotations

import re

__all__ = ["is_question"]

_ASKING = re.compile(
    r"[?？]|请问|怎么|怎样|如何|为什么|为何|能否|能不能|可不可以|可以吗|是否|有没有|多少|哪里|哪儿|"
    r"哪个|哪些|什么|几点|几号|何时|什么时候|吗[。！!～~\s]*$|呢[。！!～~\s]*$"
)


def is_question(text: str) -> bool:
    """True when the text asks a question (a question mark or a Chinese question word)."""
    return bool(_ASKING.search(text.strip()))
