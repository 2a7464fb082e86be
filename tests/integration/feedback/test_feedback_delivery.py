"""Sending the document out: a signed webhook (retried) and an e-mail, when configured."""

from __future__ import annotations

import contextlib
import json
import socketserver
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from feedback_support import (
    ShiftedClock,
    feedback_event,
    feedback_settings,
    post_published,
    publish,
    replicas,
    store,
)

from shared.events import FeedbackKind
from shared.webhooks import verify_webhook
from tests.support.backbone import wait_for

pytestmark = pytest.mark.integration

SECRET = "digest-webhook-secret-42"


class _Webhook(BaseHTTPRequestHandler):
    """Records every request; answers 500 to the first one (a receiver having a bad day)."""

    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers.items()), body))
        self.send_response(500 if len(self.received) == 1 else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message per connection."""

    messages: list[bytes] = []

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 fake ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._say("250 fake")
            elif command == "DATA":
                self._say("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.messages.append(data)
                self._say("250 queued")
            elif command == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")


@contextlib.contextmanager
def _serving(server: socketserver.ThreadingTCPServer | ThreadingHTTPServer) -> Iterator[int]:
    # Handler threads must never hold up the test's end (a client that left a socket open).
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


async def test_the_document_reaches_the_webhook_signed_and_the_mailbox_once(
    namespace: str, mongo_url: str
) -> None:
    _Webhook.received, _Smtp.messages = [], []
    clock = ShiftedClock()
    post_id = f"p-{uuid.uuid4().hex[:6]}"
    webhook = ThreadingHTTPServer(("127.0.0.1", 0), _Webhook)
    smtp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    with _serving(webhook) as webhook_port, _serving(smtp) as smtp_port:
        settings = feedback_settings(
            namespace,
            mongo_url,
            digest_webhook_url=f"http://127.0.0.1:{webhook_port}/digests",
            digest_webhook_secret=SECRET,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            smtp_starttls=False,
            smtp_from="feedback@example.com",
            smtp_to=["liu@example.com"],
            job_retry_seconds=0.2,
            public_base_url="https://ops.example.com/feedback",
        )
        async with replicas(settings, clock, 2) as apps:
            await publish(namespace, post_published(post_id, at=clock.now(), channel="local"))
            await publish(
                namespace,
                feedback_event("m1", at=clock.now(), kind=FeedbackKind.MESSAGE, post_id=post_id),
            )
            repo = store(apps[0])

            async def stored() -> bool:
                return await repo.items.count_documents({}) == 1

            await wait_for(stored)
            clock.advance(timedelta(hours=24, minutes=5))

            async def delivered() -> bool:
                done = await repo.db["jobs"].count_documents(
                    {"kind": "digest-delivery", "state": "done"}
                )
                return done == 2

            await wait_for(delivered)
            document = await repo.get_document(post_id)

    assert document is not None
    assert len(_Webhook.received) == 2  # refused once, then delivered
    (first_headers, first_body), (headers, body) = _Webhook.received
    assert first_body == body
    assert headers["Idempotency-Key"] == document["_id"]
    assert verify_webhook(
        SECRET,
        body,
        timestamp=headers["X-Timestamp"],
        signature=headers["X-Signature"],
        now=datetime.now(UTC),
    )
    assert not verify_webhook(
        SECRET,
        body + b" ",
        timestamp=headers["X-Timestamp"],
        signature=headers["X-Signature"],
        now=datetime.now(UTC),
    )
    sent = json.loads(body)
    assert sent["post_id"] == post_id
    assert sent["headline"]["messages"] == 1
    assert sent["documents"]["docx"] == (
        f"https://ops.example.com/feedback/windows/{post_id}/document.docx"
    )
    assert "推送反馈核心问题汇总" in sent["markdown"]

    assert len(_Smtp.messages) == 1
    mail = message_from_bytes(_Smtp.messages[0], policy=policy.default)
    assert mail["To"] == "liu@example.com"
    assert "推送反馈核心问题汇总" in str(mail["Subject"])
    attachments = [part.get_filename() for part in mail.iter_attachments()]
    assert attachments == [f"{post_id}-core-issues.docx"]
