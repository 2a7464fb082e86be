"""Preview the analysis of texts (#17): the console's live window, and the method testable
from outside. Nothing is stored; the analysis runs off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.feedback.analysis import FeedbackInsight, analyse_feedback
from services.feedback.deps import FeedbackDeps
from shared.settings import Principal

__all__ = ["preview_analysis"]


async def preview_analysis(
    texts: Sequence[str], *, deps: FeedbackDeps, actor: Principal | None = None
) -> FeedbackInsight:
    """Stance, intent, polarity, question and spam of each text, and the groups by meaning."""
    del deps, actor  # pure: no store, no event; the signature is every use case's
    return await asyncio.to_thread(analyse_feedback, list(texts))
