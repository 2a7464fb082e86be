"""The chaos run's store: a SecantusDB process that can be killed and restarted on the same
port and data, and that can hold one service's next commit so a replica is killed while it
is inside a transaction.

:meth:`ChaosStore.hold_next_commit` arms a ``failCommand`` failpoint (a test command, hence
``--enable-test-commands``) on ``commitTransaction`` for connections of one application
(the services name their Mongo client after themselves): the first such commit is held by
the store for ``hold_ms`` and then refused, so the transaction stays open with its writes
and locks. The connection that carries it is found in ``currentOp`` (its last command turns
to ``commitTransaction``) and its process by its local port (``/proc``): that replica is
then inside a transaction, and ``kill -9`` leaves the transaction orphaned, as a crash
would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from shared.mongo import MongoDoc
from tests.support.servers import SECANTUSD, SecantusServer, die_with_parent

__all__ = ["ChaosStore", "InTransaction", "pid_of_client_port"]


class InTransaction:
    """A commit the store holds: which process sent it, on which connection."""

    def __init__(self, pid: int, connection: str) -> None:
        self.pid = pid
        self.connection = connection


class ChaosStore(SecantusServer):
    """SecantusDB with the test commands on; ``kill`` + ``start`` keeps port and data."""

    def __init__(self, storage: Path) -> None:
        storage.mkdir(parents=True, exist_ok=True)
        super().__init__(storage=storage)
        self.starts = 0

    def _spawn(self, log: Any) -> subprocess.Popen[bytes]:
        self.starts += 1
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
                "--enable-test-commands",
                "--log-level",
                "WARNING",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )

    def client(self) -> AsyncMongoClient[MongoDoc]:
        return AsyncMongoClient(
            self.url, tz_aware=True, appname="chaos-observer", serverSelectionTimeoutMS=5000
        )

    async def hold_next_commit(
        self, app: str, pids: Iterable[int], *, hold_ms: int, within: float
    ) -> InTransaction | None:
        """Hold ``app``'s next commit; the process (among ``pids``) that sent it, or None
        when none of them committed within ``within`` seconds (the failpoint is then off).
        The store being away meanwhile (another fault) only costs time."""
        candidates = set(pids)
        deadline = time.monotonic() + within
        client = self.client()
        try:
            before: dict[int, int] | None = None
            while time.monotonic() < deadline:
                try:
                    if before is None:
                        before = await _commit_connections(client, app)
                        await client.admin.command(_hold(app, hold_ms))
                    now = await _commit_connections(client, app)
                except PyMongoError:
                    before = None  # the store restarted: arm it again
                    await asyncio.sleep(0.2)
                    continue
                for conn_id, port in now.items():
                    if conn_id in before:
                        continue
                    pid = pid_of_client_port(port, self.port, candidates)
                    if pid is not None:
                        return InTransaction(pid, f"conn{conn_id}:{port}")
                # a connection whose last command moved away from a commit is fresh again
                before = {c: p for c, p in before.items() if c in now}
                await asyncio.sleep(0.02)
            with contextlib.suppress(PyMongoError):
                await self.disarm(client)
            return None
        finally:
            await client.close()

    async def disarm(self, client: AsyncMongoClient[MongoDoc] | None = None) -> None:
        own = client is None
        client = client or self.client()
        try:
            await client.admin.command({"configureFailPoint": "failCommand", "mode": "off"})
        finally:
            if own:
                await client.close()


def _hold(app: str, hold_ms: int) -> dict[str, Any]:
    return {
        "configureFailPoint": "failCommand",
        "mode": {"times": 1},
        "data": {
            "failCommands": ["commitTransaction"],
            "appName": app,
            "blockConnection": True,
            "blockTimeMS": hold_ms,
            "errorCode": 251,  # NoSuchTransaction: the commit never happens
        },
    }


async def _commit_connections(client: AsyncMongoClient[MongoDoc], app: str) -> dict[int, int]:
    """Connections of ``app`` whose last command is ``commitTransaction``: id -> local port."""
    reply = await client.admin.command({"currentOp": 1})
    found: dict[int, int] = {}
    for op in reply.get("inprog", []):
        meta = op.get("clientMetadata") or {}
        if (meta.get("application") or {}).get("name") != app:
            continue
        if op.get("op") == "commitTransaction" and op.get("client"):
            found[int(op["connectionId"])] = int(str(op["client"]).rsplit(":", 1)[1])
    return found


def pid_of_client_port(local_port: int, server_port: int, pids: Iterable[int]) -> int | None:
    """The process among ``pids`` owning the TCP connection from ``local_port`` to the
    store (``/proc/net/tcp`` for the socket's inode, ``/proc/<pid>/fd`` for its owner)."""
    inode = _socket_inode(local_port, server_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


def _socket_inode(local_port: int, remote_port: int) -> str | None:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(local.rsplit(":", 1)[1], 16) == local_port and (
                int(remote.rsplit(":", 1)[1], 16) == remote_port
            ):
                return inode
    return None
