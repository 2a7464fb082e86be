"""Receivers that time what reaches them, for benches that judge a sender from outside.

``python -m bench.support.receivers webhook --port P`` answers every POST with ``{}``
(a local channel's webhook endpoint); ``python -m bench.support.receivers wechat --port P
--secret S`` serves the fake WeChat API (:mod:`tests.fakes.wechat_server`). Both note
the wall-clock instant (``time.time()``) at which each watched request arrives: every
webhook POST, keyed by its ``Idempotency-Key`` (the post id), and every WeChat
``freepublish/submit``, keyed by its ``media_id``. ``GET /_bench/arrivals`` lists them
as ``[{"at", "path", "key"}]``; ``GET /_bench/health`` answers when serving.

The arrival is noted when the request reaches the application, before it is answered:
the receiver's time, not the time the sender reports for itself.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

__all__ = ["ArrivalLog", "main"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

SUBMIT = "/cgi-bin/freepublish/submit"


async def _json(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def webhook_ok(scope: Scope, receive: Receive, send: Send) -> None:
    """A webhook endpoint that accepts everything."""
    await _json(send, 200, {})


class ArrivalLog:
    """ASGI wrapper noting when watched requests arrive (see the module docstring)."""

    def __init__(self, app: App, watched: Callable[[str, str], bool]) -> None:
        self.app = app
        self.watched = watched
        self.arrivals: list[dict[str, Any]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        at = time.time()
        path: str = scope["path"]
        if path == "/_bench/arrivals":
            await _json(send, 200, self.arrivals)
            return
        if path == "/_bench/health":
            await _json(send, 200, {"ok": True})
            return
        if not self.watched(scope["method"], path):
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = bool(message.get("more_body"))
        self.arrivals.append({"at": at, "path": path, "key": _key(scope, path, body)})

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _key(scope: Scope, path: str, body: bytes) -> str:
    if path == SUBMIT:
        try:
            return str(json.loads(body).get("media_id", ""))
        except (ValueError, AttributeError):
            return ""
    headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
    return str(headers.get("idempotency-key", ""))


def build(kind: str, appid: str, secret: str) -> ArrivalLog:
    if kind == "webhook":
        return ArrivalLog(webhook_ok, lambda method, _path: method == "POST")
    from tests.fakes.wechat_server import FakeWeChatApp
    from tests.fakes.wechat_state import FakeWeChatState

    fake = FakeWeChatApp(FakeWeChatState(appid=appid, secret=secret))
    return ArrivalLog(fake, lambda _method, path: path == SUBMIT)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("kind", choices=["webhook", "wechat"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--appid", default="wx-fake-appid")
    parser.add_argument("--secret", default="fake-secret")
    args = parser.parse_args(argv)
    app = build(args.kind, args.appid, args.secret)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
