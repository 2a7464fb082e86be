"""A fake WeChat Official Account API served over real HTTP, for tests.

In a test::

    async with running_fake_wechat() as fake:
        client = WeChatClient(fake.state.appid, fake.state.secret, base_url=fake.base_url)
        fake.state.inject("/cgi-bin/freepublish/submit", "timeout", delay=2)
        ...
        assert fake.state.published_count(media_id) == 1

As a process (other services' integration tests)::

    python -m tests.fakes.wechat_server --port 8099 [--appid wx.. --secret ..]

and steer it over HTTP: ``POST /_fake/faults`` ``{"path", "kind", "times", ...Fault
options}``, ``POST /_fake/expire_tokens``, ``POST /_fake/advance_time`` ``{"seconds"}``,
``POST /_fake/publish_outcome`` ``{"status", "pending_polls"}``, ``POST /_fake/comments``
``{"msg_data_id", "index", "content", "openid", "comment_type", "reply"}``,
``POST /_fake/apps`` ``{"appid", "secret"}`` (another official account's app),
``POST /_fake/app_faults`` ``{"appid", "action": "fail"|"hold"|"heal", "kind", ...Fault
options}`` (every call of one app fails, or waits, until healed),
``POST /_fake/interactions`` ``{"openid", "seconds_ago"}`` (a follower's last message, for
the 48-hour window of ``message/custom/send``), ``POST /_fake/article_stats``
``{"msg_data_id", "index", "ref_date", "stat_date", "is_delay", "counters": {...}}`` (served
by ``datacube/getarticletotaldetail``), ``POST /_fake/followers`` ``{"followers": [{"openid",
"subscribe_time", "subscribe_scene", "qr_scene_str"}]}`` (served by ``user/get`` and
``user/info``), ``POST /_fake/user_summary`` ``{"ref_date", "new_user", "cancel_user",
"user_source", "cumulate_user"}`` (``datacube/getusersummary``/``getusercumulate``);
``GET /cgi-bin/showqrcode?ticket=`` serves a code's PNG; ``POST /_fake/reset``, ``GET /_fake/state``
(with the comment replies and messages the account sent), ``GET /_fake/health``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.parser
import email.policy
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

from .wechat_state import FakeWeChatState, Fault

__all__ = ["FakeWeChat", "FakeWeChatApp", "FakeWeChatServer", "running_fake_wechat"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _multipart_files(content_type: str, body: bytes) -> dict[str, bytes]:
    header = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            files[name] = payload
    return files


class FakeWeChatApp:
    """The ASGI application: WeChat's API under ``/cgi-bin``, controls under ``/_fake``."""

    def __init__(self, state: FakeWeChatState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path: str = scope["path"]
        query = dict(parse_qsl(scope["query_string"].decode()))
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        if path.startswith("/_fake/"):
            status, reply = self._control(path, body)
            await _respond(send, status, reply)
            return
        if path == "/cgi-bin/showqrcode":  # an image, not JSON, and no access_token
            image = self.state.qrcode_image(query.get("ticket", ""))
            await _respond_bytes(send, 200 if image else 404, image or b"", "image/png")
            return
        content_type = headers.get("content-type", "")
        files: dict[str, bytes] = {}
        payload: dict[str, Any] = {}
        try:
            if content_type.startswith("multipart/form-data"):
                files = _multipart_files(content_type, body)
            elif body:
                payload = json.loads(body)
        except ValueError:
            await _respond(send, 200, {"errcode": 47001, "errmsg": "data format error"})
            return
        await self._api(send, path, query, payload, files)

    async def _api(
        self,
        send: Send,
        path: str,
        query: dict[str, str],
        payload: dict[str, Any],
        files: dict[str, bytes],
    ) -> None:
        appid = self.state.app_of(query, payload)
        while self.state.is_held(appid):  # that account's WeChat is slow (hold_app)
            await asyncio.sleep(0.02)
        fault = self.state.take_fault(path, appid)
        reply: dict[str, Any] = {}
        if fault is None or fault.effect_applies:
            reply = self.state.handle(path, query, payload, files)
        if fault is None:
            await _respond(send, 200, reply)
        elif fault.kind == "http_error":
            await _respond(send, fault.status, {"error": "injected"})
        elif fault.kind == "errcode":
            await _respond(send, 200, {"errcode": fault.errcode, "errmsg": fault.errmsg})
        elif fault.kind == "timeout":
            await asyncio.sleep(fault.delay)
            await _respond(send, 200, reply)
        else:  # reset: headers and part of the body, then the connection is dropped
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"1000"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b'{"errcode"', "more_body": True})

    def _control(self, path: str, body: bytes) -> tuple[int, Any]:
        args: dict[str, Any] = json.loads(body) if body else {}
        state = self.state
        match path:
            case "/_fake/health":
                return 200, {"ok": True}
            case "/_fake/state":
                return 200, state.snapshot()
            case "/_fake/faults":
                options = {k: v for k, v in args.items() if k in Fault.__dataclass_fields__}
                options.pop("kind", None)
                state.inject(args["path"], args["kind"], times=int(args.get("times", 1)), **options)
            case "/_fake/expire_tokens":
                state.expire_tokens()
            case "/_fake/advance_time":
                state.advance_time(float(args["seconds"]))
            case "/_fake/publish_outcome":
                state.set_publish_outcome(
                    int(args.get("status", 0)), pending_polls=int(args.get("pending_polls", 0))
                )
            case "/_fake/comments":
                comment_id = state.add_comment(
                    args["msg_data_id"],
                    int(args["index"]),
                    str(args["content"]),
                    openid=str(args.get("openid", "o-fake-reader")),
                    comment_type=int(args.get("comment_type", 0)),
                    reply=args.get("reply"),
                )
                return 200, {"user_comment_id": comment_id}
            case "/_fake/interactions":
                state.set_last_interaction(
                    str(args["openid"]), seconds_ago=float(args.get("seconds_ago", 0.0))
                )
            case "/_fake/article_stats":
                state.add_article_stats(
                    args["msg_data_id"],
                    int(args["index"]),
                    str(args["ref_date"]),
                    stat_date=args.get("stat_date"),
                    is_delay=bool(args.get("is_delay", False)),
                    **dict(args.get("counters") or {}),
                )
            case "/_fake/followers":
                for follower in args.get("followers", [args]):
                    state.add_follower(
                        str(follower["openid"]),
                        subscribe_time=follower.get("subscribe_time"),
                        subscribe_scene=str(follower.get("subscribe_scene", "ADD_SCENE_SEARCH")),
                        qr_scene_str=str(follower.get("qr_scene_str", "")),
                    )
            case "/_fake/user_summary":
                state.add_user_summary(
                    str(args["ref_date"]),
                    new_user=int(args.get("new_user", 0)),
                    cancel_user=int(args.get("cancel_user", 0)),
                    user_source=int(args.get("user_source", 0)),
                )
                if "cumulate_user" in args:
                    state.set_user_cumulate(str(args["ref_date"]), int(args["cumulate_user"]))
            case "/_fake/apps":  # several accounts: another app with its own secret
                state.add_app(str(args["appid"]), str(args["secret"]))
            case "/_fake/app_faults":  # one app down ("fail"), slow ("hold") or well ("heal")
                appid, action = str(args["appid"]), str(args.get("action", "fail"))
                if action == "hold":
                    state.hold_app(appid)
                elif action == "heal":
                    state.heal_app(appid)
                else:
                    options = {k: v for k, v in args.items() if k in Fault.__dataclass_fields__}
                    kind = options.pop("kind", "errcode")
                    state.fail_app(appid, kind, **options)
            case "/_fake/reset":
                state.reset()
            case _:
                return 404, {"error": f"no control {path}"}
        return 200, {"ok": True}


async def _respond(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _respond_bytes(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _config(app: FakeWeChatApp, log_level: str) -> uvicorn.Config:
    # No websockets/lifespan/uvloop: fewer moving parts, no third-party deprecation warnings.
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        http="h11",
        ws="none",
        lifespan="off",
        loop="asyncio",
        timeout_graceful_shutdown=1,
    )


@dataclass
class FakeWeChat:
    """Handle on a running fake: where it listens and the state to steer or inspect."""

    base_url: str
    state: FakeWeChatState


class FakeWeChatServer:
    """Runs the fake in a background thread on 127.0.0.1 and a free port."""

    def __init__(self, state: FakeWeChatState | None = None, *, log_level: str = "critical"):
        self.state = state or FakeWeChatState()
        self._server = uvicorn.Server(_config(FakeWeChatApp(self.state), log_level))
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> FakeWeChat:
        """Bind, start serving and wait until the server accepts requests."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="fake-wechat", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fake WeChat server did not start")
            time.sleep(0.01)
        return FakeWeChat(self.base_url, self.state)

    def stop(self) -> None:
        """Stop at once, abandoning requests stuck in injected timeouts."""
        self._server.should_exit = True
        self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FakeWeChat:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@contextlib.asynccontextmanager
async def running_fake_wechat(
    state: FakeWeChatState | None = None, *, log_level: str = "critical"
) -> AsyncIterator[FakeWeChat]:
    """Run a fake WeChat server for the duration of the ``async with`` block."""
    server = FakeWeChatServer(state, log_level=log_level)
    fake = await asyncio.to_thread(server.start)
    try:
        yield fake
    finally:
        await asyncio.to_thread(server.stop)


def main(argv: list[str] | None = None) -> None:
    """Serve the fake in the foreground: ``python -m tests.fakes.wechat_server``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--appid", default="wx-fake-appid")
    parser.add_argument("--secret", default="fake-secret")
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--app",
        action="append",
        default=[],
        metavar="APPID:SECRET",
        help="another official account's app the fake serves (repeatable)",
    )
    args = parser.parse_args(argv)
    state = FakeWeChatState(appid=args.appid, secret=args.secret)
    for app in args.app:
        appid, _, secret = str(app).partition(":")
        state.add_app(appid, secret)
    config = _config(FakeWeChatApp(state), args.log_level)
    config.host, config.port = args.host, args.port
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
