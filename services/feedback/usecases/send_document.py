"""Sending the core-issues document out: e-mail (SMTP) and a signed webhook, both off by default.

Each configured channel gets its own claimed job per document
(``digest-delivery:<digest>:<channel>``), scheduled in the transaction that issued the
document, so a crash loses no delivery and one channel's failure does not re-send the
other. A failed attempt is retried after ``FEEDBACK_JOB_RETRY_SECONDS``, up to
``FEEDBACK_DELIVERY_MAX_ATTEMPTS``. Delivery is at-least-once: the webhook carries
``Idempotency-Key: <digest id>`` and the e-mail a ``Message-ID`` made from it, so
receivers can drop a repeat.

Webhook signature (:mod:`shared.webhooks`, as the publisher's local channel): ``X-Timestamp: <unix
seconds>`` and ``X-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">``.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
import time
from email.message import EmailMessage

import httpx
import structlog

from services.feedback.deps import DIGEST_DELIVERY, FeedbackDeps
from services.feedback.domain.document import DOCUMENT_FORMATS, IssuedDocument, document_paths
from services.feedback.settings import FeedbackSettings
from shared.jobs import Claim
from shared.webhooks import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign_webhook,
)

__all__ = [
    "email_message",
    "run_document_sender",
    "send_document",
    "send_email",
    "webhook_body",
]

_log = structlog.get_logger("feedback.delivery")


def webhook_body(document: IssuedDocument, base_url: str) -> bytes:
    """The webhook's JSON: the headline numbers, links to the three formats, the Markdown."""
    digest = document.digest
    return json.dumps(
        {
            "type": "feedback.digest.ready",
            "digest_id": document.digest_id,
            "post_id": document.post_id,
            "account": document.account,
            "title": digest["post"]["title"],
            "generated_at": digest["generated_at"],
            "window_start": digest["window_start"],
            "window_end": digest["window_end"],
            "headline": digest["headline"],
            "findings": digest["findings"],
            "documents": document_paths(document.post_id, base_url),
            "markdown": document.markdown,
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")


async def _send_webhook(document: IssuedDocument, settings: FeedbackSettings) -> None:
    assert settings.digest_webhook_url
    assert settings.digest_webhook_secret
    body = webhook_body(document, settings.public_base_url)
    # Real time, not the business clock: the receiver checks freshness against its own.
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign_webhook(
            settings.digest_webhook_secret.get_secret_value(), timestamp, body
        ),
        IDEMPOTENCY_HEADER: document.digest_id,
    }
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds) as client:
        response = await client.post(settings.digest_webhook_url, content=body, headers=headers)
    response.raise_for_status()


def email_message(document: IssuedDocument, settings: FeedbackSettings) -> EmailMessage:
    """The e-mail: Markdown as text, HTML as the alternative, the .docx attached."""
    digest = document.digest
    message = EmailMessage()
    message["Subject"] = f"《{digest['title']}》{digest['post']['title']}"
    message["From"] = settings.smtp_from or ""
    message["To"] = ", ".join(settings.smtp_to)
    message["Message-ID"] = f"<{document.digest_id}@contentops.feedback>"
    message.set_content(document.markdown)
    message.add_alternative(document.html, subtype="html")
    maintype, _, subtype = DOCUMENT_FORMATS["docx"].partition("/")
    message.add_attachment(
        document.docx,
        maintype=maintype,
        subtype=subtype,
        filename=f"{document.post_id}-core-issues.docx",
    )
    return message


def send_email(message: EmailMessage, settings: FeedbackSettings) -> None:
    """Send with stdlib ``smtplib`` (blocking: call it in a thread)."""
    assert settings.smtp_host
    timeout = settings.smtp_timeout_seconds
    smtp: smtplib.SMTP
    if settings.smtp_ssl:
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with smtp:
        if settings.smtp_starttls and not settings.smtp_ssl:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


async def send_document(claim: Claim, *, deps: FeedbackDeps) -> None:
    """Send one document through one channel; give up after the configured attempts."""
    channel = str(claim.payload["channel"])
    document = await deps.documents.get(str(claim.payload["digest_id"]))
    if document is None:
        await deps.jobs.complete(claim, outcome="failed", result={"error": "no document"})
        return
    try:
        if channel == "webhook":
            await _send_webhook(document, deps.settings)
        elif channel == "email":
            message = email_message(document, deps.settings)
            await asyncio.to_thread(send_email, message, deps.settings)
        else:
            raise ValueError(f"unknown delivery channel {channel!r}")
    except Exception as exc:
        deps.metrics.deliveries.labels(channel, "error").inc()
        _log.warning(
            "digest_delivery_failed", channel=channel, attempt=claim.attempts, error=repr(exc)
        )
        if claim.attempts < deps.settings.delivery_max_attempts:
            raise  # released by the job loop, retried later
        await deps.jobs.complete(claim, outcome="failed", result={"error": repr(exc)[:500]})
        return
    deps.metrics.deliveries.labels(channel, "sent").inc()
    await deps.jobs.complete(claim, result={"channel": channel})
    _log.info("digest_delivered", channel=channel, digest_id=document.digest_id)


async def run_document_sender(*, deps: FeedbackDeps) -> None:
    """The background loop delivering issued documents."""
    await deps.job_loop(DIGEST_DELIVERY, lambda claim: send_document(claim, deps=deps)).run()
