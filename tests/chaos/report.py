"""What a chaos run prints at its end: its faults, the slot recoveries, the counts."""

from __future__ import annotations

from tests.chaos.accounting import Accounting
from tests.chaos.faults import Fault
from tests.chaos.script import SlotRecovery
from tests.chaos.workload import Ledger

__all__ = ["summary"]


def summary(
    *,
    run: str,
    seed: int,
    result: Accounting,
    dead: dict[str, int],
    faults: list[Fault],
    recoveries: list[SlotRecovery],
    ledger: Ledger,
    lease: float,
    timings: dict[str, float],
    retries: dict[str, int],
) -> list[str]:
    c = result.counts
    verdict = "HELD" if result.ok and not dead else "BROKEN"
    lines = [f"== chaos run {run} (seed {seed}): {verdict}"]
    lines += [f"  fault    {f.line()}" for f in faults]
    lines += [f"  measure  {r.line(lease)}" for r in recoveries]
    lines += [
        f"  drafts   accepted {c.get('drafts_accepted')}, in their final state "
        f"{c.get('drafts_final')}",
        f"  posts    approved {c.get('posts_approved')}, published exactly once "
        f"{c.get('posts_published_once')}",
        f"  feedback accepted {c.get('feedback_accepted')} (and {c.get('feedback_duplicates_sent')}"
        f" duplicates sent), stored {c.get('feedback_stored')}",
        f"  windows  closed once {c.get('windows_closed_once')}; dead letters {sum(dead.values())}",
        "  timing   " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
        "  retries  " + ", ".join(f"{k} {v}" for k, v in retries.items()),
    ]
    lines += [f"  note     {n}" for n in ledger.notes]
    lines += [f"  MISSING  {p}" for p in result.problems]
    lines += [f"  DLQ      {q}: {n}" for q, n in dead.items()]
    return lines
