"""Build and run services in-process or as subprocesses, with isolated names."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aio_pika

from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.topology import Topology
from tests.support.servers import RABBIT_URL, ROOT, die_with_parent

TOKENS = {
    "editor-token-000000000001": {"subject": "erin", "roles": ["editor"]},
    "editor-token-000000000002": {"subject": "ed", "roles": ["editor"]},
    "reviewer-token-0000000001": {"subject": "rita", "roles": ["reviewer"]},
    "reviewer-token-0000000002": {"subject": "erin", "roles": ["reviewer", "editor"]},
    "director-token-0000000001": {"subject": "liu", "roles": ["director"]},
    "admin-token-0000000000001": {"subject": "root", "roles": ["admin"]},
    "system-token-000000000001": {"subject": "crm", "roles": ["system"]},
    # Limited to one account (#12): see tests.support.accounts.
    "editor-a-token-0000000001": {"subject": "ann", "roles": ["editor"], "accounts": ["default"]},
    "editor-b-token-0000000001": {"subject": "tina", "roles": ["editor"], "accounts": ["talent"]},
    "reviewer-a-token-00000001": {
        "subject": "rao",
        "roles": ["reviewer"],
        "accounts": ["default"],
    },
    "reviewer-b-token-00000001": {
        "subject": "tom",
        "roles": ["reviewer"],
        "accounts": ["talent"],
    },
    "director-a-token-00000001": {
        "subject": "dai",
        "roles": ["director"],
        "accounts": ["default"],
    },
    "system-b-token-0000000001": {"subject": "hr", "roles": ["system"], "accounts": ["talent"]},
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_namespace() -> str:
    return f"t{uuid.uuid4().hex[:10]}."


def settings_kwargs(namespace: str, mongo_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "namespace": namespace,
        "mongo_url": mongo_url,
        "rabbit_url": RABBIT_URL,
        "api_tokens": TOKENS,
        "retry_delay_ms": 200,
        "max_retries": 2,
        "outbox_poll_seconds": 0.2,
        "shutdown_grace_seconds": 5,
        **extra,
    }


def service_env(namespace: str, mongo_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "CONTENTOPS_NAMESPACE": namespace,
            "MONGO_URL": mongo_url,
            "RABBIT_URL": RABBIT_URL,
            "API_TOKENS": json.dumps(TOKENS),
            "LOG_LEVEL": "INFO",
            **extra,
        }
    )
    return env


def spawn_service(name: str, env: dict[str, str], log: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**env, f"{name.upper()}_HTTP_PORT": str(port)}
    with open(log, "ab") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )


@contextlib.asynccontextmanager
async def running(runtime: ServiceRuntime) -> AsyncIterator[ServiceRuntime]:
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def delete_namespace(namespace: str) -> None:
    """Remove every queue and exchange a test namespace may have declared."""
    topology = Topology(namespace=namespace)
    connection = await aio_pika.connect(RABBIT_URL)
    try:
        channel = await connection.channel()
        for queue in topology.queue_names():
            with contextlib.suppress(Exception):
                await channel.queue_delete(queue)
        for exchange in topology.exchange_names():
            with contextlib.suppress(Exception):
                await channel.exchange_delete(exchange)
    finally:
        await connection.close()


def make_settings(cls: type[ServiceSettings], namespace: str, mongo_url: str, **extra: Any) -> Any:
    return cls(**settings_kwargs(namespace, mongo_url, **extra))


async def queue_depths(namespace: str, service: str, event: str) -> dict[str, int]:
    """Ready messages in a consumer queue, its DLQ and its retry queue."""
    names = Topology(namespace=namespace).names(service, event)
    connection = await aio_pika.connect(RABBIT_URL)
    depths: dict[str, int] = {}
    async with connection:
        channel = await connection.channel()
        for label, name in (("main", names.main), ("dlq", names.dlq), ("retry", names.retry)):
            queue = await channel.declare_queue(name, passive=True)
            depths[label] = queue.declaration_result.message_count or 0
    return depths
