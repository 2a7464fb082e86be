"""``make stop`` / ``make stop-all`` (deploy/local/stop.sh): the services stop, and it says
plainly what keeps running: the store until ``make stop-all``, RabbitMQ always."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import ROOT

pytestmark = pytest.mark.integration

SERVICES = ("drafting", "review", "publisher", "feedback", "reporting")


Checkout = tuple[Path, dict[str, int]]


def _detached_sleep() -> int:
    """A process that is not ours (as run.sh's nohup services are not stop.sh's)."""
    out = subprocess.run(
        ["bash", "-c", "sleep 300 >/dev/null 2>&1 </dev/null & echo $!"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Checkout]:
    """A copy of stop.sh in a checkout whose var/run holds stand-in processes."""
    (tmp_path / "deploy/local").mkdir(parents=True)
    shutil.copy(ROOT / "deploy/local/stop.sh", tmp_path / "deploy/local/stop.sh")
    (tmp_path / "var/run").mkdir(parents=True)
    pids = {name: _detached_sleep() for name in (*SERVICES[:2], "secantus")}
    for name, pid in pids.items():
        (tmp_path / f"var/run/{name}.pid").write_text(str(pid))
    try:
        yield tmp_path, pids
    finally:
        for pid in pids.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _stop(root: Path, *args: str, **env: str) -> str:
    done = subprocess.run(
        ["bash", str(root / "deploy/local/stop.sh"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", **env},
        check=True,
    )
    return done.stdout


def test_stop_stops_the_services_and_says_the_store_and_rabbitmq_keep_running(
    checkout: Checkout,
) -> None:
    root, pids = checkout
    out = _stop(root)
    assert _gone(pids["drafting"])
    assert _gone(pids["review"])
    assert _alive(pids["secantus"])  # the store is left running
    assert "drafting: stopped" in out
    assert "review: stopped" in out
    assert not (root / "var/run/drafting.pid").exists()
    pid = pids["secantus"]
    assert f"still running: the store, SecantusDB (pid {pid}, 127.0.0.1:27117)" in out
    assert "`make stop-all` stops it too" in out
    # the tests' broker answers on 5672, so the hint about it is given
    assert "still running: RabbitMQ (127.0.0.1:5672)" in out
    assert "make never stops it" in out


def test_stop_all_stops_the_store_too_and_still_names_rabbitmq(checkout: Checkout) -> None:
    root, pids = checkout
    out = _stop(root, "all")
    assert _gone(pids["secantus"])
    assert "secantus: stopped" in out
    assert "the store" not in out
    assert "still running: RabbitMQ" in out


def test_quiet_for_the_demo_which_says_it_itself(checkout: Checkout) -> None:
    root, _ = checkout
    out = _stop(root, STOP_HINTS="0")
    assert "drafting: stopped" in out
    assert "still running" not in out
