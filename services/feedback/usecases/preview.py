"""Preview the analysis of texts (#17): the console's live window, and the method testable
from outside. Nothing is stored; the analysis runs off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.feedback.analysis import FeedbackInsight, analyse_feedback
from services.feedback.deps import FeedbackDeps
from shared.settings import Principal

__all__ = ["preview_analysis", "warm_up_analysis"]

_WARM_UP = ("请问数电发票怎么开通？", "写得很清楚，收藏了", "文章太长了", "代 开 发 票 V：fp8899")


async def preview_analysis(
    texts: Sequence[str], *, deps: FeedbackDeps, actor: Principal | None = None
) -> FeedbackInsight:
    """Stance, intent, polarity, question and spam of each text, and the groups by meaning."""
    del deps, actor  # pure: no store, no event; the signature is every use case's
    return await asyncio.to_thread(analyse_feedback, list(texts))


async def warm_up_analysis(*, deps: FeedbackDeps) -> None:
    """Load the analysis (jieba, OpenCC, the taxonomy and lexicons) once at start, in a
    thread, so the first preview or document does not wait seconds for it."""
    del deps
    await asyncio.to_thread(analyse_feedback, list(_WARM_UP))
