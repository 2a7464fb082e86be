"""A RabbitMQ node of the chaos run's own: never the machine's shared broker.

Its own node name, AMQP and distribution ports, Erlang cookie (``HOME``), mnesia and log
directories under the run's folder, and no plugins (so no management listener). It is
started from Debian's ``/usr/lib/rabbitmq/bin/rabbitmq-server`` in a new session, so the
whole process group (the start script and ``beam.smp``) is killed or stopped at once.
The epmd daemon on the machine is shared (a node only registers its own name there).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.support.servers import free_port, port_open

__all__ = ["RabbitNode"]

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


class RabbitNode:
    """One RabbitMQ node in ``root``; :meth:`kill` then :meth:`start` keeps its data."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.name = f"chaos{secrets.token_hex(4)}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _env(self) -> dict[str, str]:
        (self.root / "home").mkdir(parents=True, exist_ok=True)  # and the root
        (self.root / "enabled_plugins").write_text("[].\n")
        (self.root / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = {self.port}\nlog.console = false\nlog.file.level = warning\n"
        )
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
        return {
            **keep,
            "HOME": str(self.root / "home"),  # its own .erlang.cookie
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.root / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq"),
            "RABBITMQ_PID_FILE": str(self.root / "node.pid"),
        }

    def start(self, timeout: float = 90.0) -> float:
        """Start the node and wait until it accepts AMQP; returns the seconds it took."""
        if not SERVER.exists():
            raise RuntimeError(f"{SERVER} missing: RabbitMQ is not installed (make infra-rabbit)")
        started = time.monotonic()
        env = self._env()
        with open(self.root / "node.out", "ab") as out:
            self.proc = subprocess.Popen(
                [str(SERVER)],
                env=env,
                cwd=self.root,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"rabbitmq node {self.name} exited with {self.proc.returncode}; "
                    f"see {self.root / 'node.out'} and {self.root / 'log'}"
                )
            if port_open(self.port) and _amqp_answers(self.port):
                return time.monotonic() - started
            time.sleep(0.25)
        self.kill()
        raise RuntimeError(f"rabbitmq node {self.name} did not accept AMQP in {timeout} s")

    def kill(self) -> None:
        """``kill -9`` of the node's whole process group."""
        self._signal(signal.SIGKILL, wait=15.0)

    def stop(self) -> None:
        """Stop the node (TERM, then KILL after 30 s); idempotent."""
        self._signal(signal.SIGTERM, wait=30.0)
        self._signal(signal.SIGKILL, wait=15.0)

    def _signal(self, sig: signal.Signals, *, wait: float) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            return
        _wait_group_gone(self.proc.pid, wait)
        if sig is signal.SIGKILL or _group_gone(self.proc.pid):
            self.proc = None


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _wait_group_gone(pgid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not _group_gone(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)


def _amqp_answers(port: int) -> bool:
    """The node answers an AMQP 0-9-1 protocol header with ``Connection.Start`` (a method
    frame), which it sends only once the broker application is up."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
            sock.sendall(b"AMQP\x00\x00\x09\x01")
            return sock.recv(1) == b"\x01"
    except OSError:
        return False
