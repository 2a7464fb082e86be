"""The demo's live display (rich): simulated time, the current phase, what happens.

A progress bar runs over the simulated span (start → biweekly report); each event is
printed above it with its simulated time. On a terminal that is not interactive (the e2e
test, a CI log) rich prints the events as plain lines and skips the live bar.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from demo.config import ZONE
from shared.clock import Clock

__all__ = ["DemoProgress", "fmt_sim"]

_WEEKDAYS = "一二三四五六日"


def fmt_sim(at: datetime, *, seconds: bool = False) -> str:
    """``11-23 周一 11:30`` in China time (``11:30:52`` with ``seconds``)."""
    local = at.astimezone(ZONE)
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local:%m-%d} 周{_WEEKDAYS[local.weekday()]} {clock}"


class DemoProgress:
    """Shows simulated time and the phase; logs events with their simulated time."""

    def __init__(self, clock: Clock, start: datetime, end: datetime, console: Console) -> None:
        self._clock = clock
        self._start = start
        self._span = max((end - start).total_seconds(), 1.0)
        self.console = console
        self._progress = Progress(
            TextColumn("[bold cyan]{task.fields[sim]}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[phase]}"),
            console=console,
            transient=False,
        )
        self._task: TaskID | None = None
        self._phase = "starting"

    def _tick(self) -> None:
        if self._task is None:
            return
        now = self._clock.now()
        done = min(max((now - self._start).total_seconds(), 0.0), self._span)
        self._progress.update(self._task, completed=done, sim=fmt_sim(now), phase=self._phase)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[DemoProgress]:
        """Show the bar while the block runs."""
        self._task = self._progress.add_task(
            "demo", total=self._span, sim=fmt_sim(self._clock.now()), phase=self._phase
        )

        async def refresh() -> None:
            while True:
                self._tick()
                await asyncio.sleep(0.2)

        with self._progress:
            task = asyncio.create_task(refresh())
            try:
                yield self
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                self._tick()

    def phase(self, text: str) -> None:
        self._phase = text
        self._tick()

    def note(self, text: str) -> None:
        """An indented line under the previous event (a link, a detail)."""
        self._progress.console.print(f"[dim]{' ' * 20}{text}[/dim]", soft_wrap=True)

    def event(
        self, text: str, *, style: str = "", at: datetime | None = None, seconds: bool = False
    ) -> None:
        """One line: simulated time (now, or ``at`` when it happened), then what happened."""
        stamp = fmt_sim(self._clock.now() if at is None else at, seconds=seconds)
        line = f"[dim]{stamp}[/dim]  {text}"
        self._progress.console.print(f"[{style}]{line}[/{style}]" if style else line)
