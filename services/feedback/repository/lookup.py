"""Where ingestion finds the windows of a batch's posts, remembering the closed ones."""

from __future__ import annotations

from collections.abc import Iterable

from services.feedback.domain.window import WindowSpan, WindowState
from services.feedback.ports import WindowRepository

__all__ = ["WindowLookup"]


class WindowLookup:
    """Windows by post; a closed window is final, so it is remembered (no query for it).

    Open windows are read each time: a window closing, or a post's window opening, is
    seen by the very next batch. Late feedback for old posts costs no query at all.
    """

    def __init__(self, windows: WindowRepository, *, remember: int = 10_000) -> None:
        self._windows = windows
        self._remember = remember
        self._closed: dict[str, WindowSpan] = {}

    async def windows(
        self, post_ids: Iterable[str], *, with_open: bool
    ) -> tuple[dict[str, WindowSpan | None], list[WindowSpan]]:
        """The windows of these posts (None: no window yet) and, if asked, every open one."""
        wanted = set(post_ids)
        found = {p: self._closed[p] for p in wanted if p in self._closed}
        missing = wanted - found.keys()
        open_windows: list[WindowSpan] = []
        if missing or with_open:
            for window in await self._windows.spans(missing, with_open=with_open):
                if window.state is WindowState.CLOSED:
                    if len(self._closed) >= self._remember:
                        self._closed.clear()
                    self._closed[window.post_id] = window
                else:
                    open_windows.append(window)
                if window.post_id in wanted:
                    found[window.post_id] = window
        return {p: found.get(p) for p in wanted}, open_windows
