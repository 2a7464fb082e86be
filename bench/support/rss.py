"""Peak resident set size (RSS) of the process that runs the service code.

In-process (the service's runtime or pure code runs in the bench process):
:func:`reset_peak` before the service's part, :func:`own_peak_mb` after it (Linux resets
the high-water mark through ``/proc/self/clear_refs``; elsewhere the peak is since the
process started, and says so). A service run as a child process: :func:`peak_of` reads
its ``VmHWM`` from ``/proc/<pid>/status`` (read it before stopping the child).
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

__all__ = ["own_peak_mb", "peak_of", "reset_peak"]

_MB = 1024 * 1024


def _hwm_kib(status: Path) -> int | None:
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def reset_peak() -> bool:
    """Reset this process's peak RSS to its current RSS; False where that is impossible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def own_peak_mb() -> float:
    """This process's peak RSS in MB (since :func:`reset_peak`, or since it started)."""
    kib = _hwm_kib(Path("/proc/self/status"))
    if kib is not None:
        return kib * 1024 / _MB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / _MB if sys.platform == "darwin" else peak * 1024 / _MB


def peak_of(pid: int) -> float | None:
    """The peak RSS in MB of the running process ``pid``; None if it cannot be read."""
    kib = _hwm_kib(Path(f"/proc/{pid}/status"))
    return None if kib is None else kib * 1024 / _MB
