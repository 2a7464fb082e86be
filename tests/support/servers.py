"""Real servers for integration and e2e tests: SecantusDB processes and RabbitMQ control.

Every test that stops a server starts it again in a ``finally`` (CI runs next on the
same machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[2]
SECANTUSD = ROOT / ".venv-secantus" / "bin" / "secantusd-py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serve_asgi(
    app: Any,
    *,
    lifespan: Literal["auto", "on", "off"],
    name: str,
    start_within: float,
    stop_within: float,
) -> AsyncIterator[str]:
    """``app`` served by uvicorn on a free local port (its base URL), in this event loop;
    ``lifespan="on"`` starts what the app's lifespan starts (a service's runtime)."""
    import uvicorn  # only the tests that serve an app over HTTP need it

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan=lifespan, log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        deadline = time.monotonic() + start_within
        while not (server.started or task.done()) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert server.started, f"uvicorn did not start {name} on port {port}"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=stop_within)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=2.0).close()
    except OSError:
        return False
    return True


def die_with_parent() -> None:
    """In the child: be killed when the test process dies (Linux), so a pytest killed
    by a CI timeout leaves no store server behind on the machine CI runs on next."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class SecantusServer:
    """A SecantusDB process on a free port with its own storage directory."""

    def __init__(self, port: int | None = None, storage: Path | None = None) -> None:
        self.port = port or free_port()
        self._own_storage = storage is None
        self.storage = storage or Path(tempfile.mkdtemp(prefix="secantus-test-"))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def start(self, timeout: float = 60.0) -> None:
        if not SECANTUSD.exists():
            raise RuntimeError(f"{SECANTUSD} missing: run `make install`")
        with open(self.storage.parent / f"secantus-{self.port}.log", "ab") as log:
            self.proc = self._spawn(log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"secantusd exited with {self.proc.returncode}")
            if port_open(self.port):
                return
            time.sleep(0.2)
        raise RuntimeError("secantusd did not start in time")

    def _spawn(self, log: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                str(SECANTUSD),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--storage-path",
                str(self.storage),
                "--sync-on-commit",
                "--log-level",
                "WARNING",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        if self._own_storage:
            shutil.rmtree(self.storage, ignore_errors=True)


@contextlib.contextmanager
def secantus() -> Iterator[SecantusServer]:
    server = SecantusServer()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


def rabbitmqctl(*args: str, timeout: float = 120) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=timeout)


def wait_rabbit(timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(5672):
            return
        time.sleep(0.5)
    raise RuntimeError("RabbitMQ did not come back")


@contextlib.contextmanager
def rabbit_stopped() -> Iterator[None]:
    """Stop the RabbitMQ application for the block; always start it again."""
    rabbitmqctl("stop_app")
    try:
        yield
    finally:
        for _ in range(3):
            try:
                rabbitmqctl("start_app")
                break
            except subprocess.SubprocessError:
                # last resort: the node itself may be gone
                subprocess.run(["rabbitmq-server", "-detached"], capture_output=True, check=False)
                time.sleep(5)
        wait_rabbit()


RABBIT_URL = os.environ.get("RABBIT_URL", "amqp://guest:guest@127.0.0.1:5672/")
