"""``python -m tests.support.recorder SERVICE``: a process that only records what it
consumes (the backbone under test, without any service's use cases)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from shared.logging import configure_logging
from tests.support.backbone import recording_runtime


async def main(service: str) -> None:
    configure_logging(f"recorder-{service}", level=os.environ.get("LOG_LEVEL", "WARNING"))
    runtime = recording_runtime(
        service,
        os.environ["CONTENTOPS_NAMESPACE"],
        os.environ["MONGO_URL"],
        prefetch=int(os.environ.get("PREFETCH", "20")),
        retry_delay_ms=int(os.environ.get("RETRY_DELAY_MS", "200")),
        max_retries=int(os.environ.get("MAX_RETRIES", "2")),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await runtime.start()
    print("recorder ready", flush=True)
    await stop.wait()
    await runtime.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
