"""The document as it leaves: webhook signatures and the e-mail's parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.feedback.domain.document import IssuedDocument
from services.feedback.settings import FeedbackSettings
from services.feedback.usecases.send_document import email_message
from shared.webhooks import sign_webhook, verify_webhook

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp()))


def test_a_signature_verifies_only_for_the_same_body_secret_and_a_fresh_time() -> None:
    body = b'{"digest_id": "dg-1"}'
    signature = sign_webhook("s3cret-key", STAMP, body)
    assert signature.startswith("sha256=")
    assert verify_webhook("s3cret-key", body, timestamp=STAMP, signature=signature, now=NOW)
    assert not verify_webhook("other-key", body, timestamp=STAMP, signature=signature, now=NOW)
    assert not verify_webhook(
        "s3cret-key", body + b" ", timestamp=STAMP, signature=signature, now=NOW
    )
    assert not verify_webhook(
        "s3cret-key", body, timestamp=STAMP, signature=signature, now=NOW + timedelta(hours=1)
    )
    assert not verify_webhook("s3cret-key", body, timestamp="soon", signature=signature, now=NOW)


def test_the_email_has_text_html_and_the_word_file() -> None:
    settings = FeedbackSettings(
        api_tokens={"system-token-000000000001": {"subject": "crm", "roles": ["system"]}},
        smtp_host="mail.example.com",
        smtp_from="feedback@example.com",
        smtp_to=["liu@example.com", "ops@example.com"],
    )
    document = IssuedDocument(
        digest_id="dg-123",
        post_id="p1",
        generated_at=NOW,
        window_start=NOW - timedelta(hours=24),
        window_end=NOW,
        digest={"title": "推送反馈核心问题汇总", "post": {"title": "个税汇算清缴全攻略"}},
        markdown="# 《推送反馈核心问题汇总》",
        html="<html><body>汇总</body></html>",
        docx=b"PK\x03\x04fake-docx",
    )
    message = email_message(document, settings)
    assert message["Subject"] == "《推送反馈核心问题汇总》个税汇算清缴全攻略"
    assert message["To"] == "liu@example.com, ops@example.com"
    assert message["Message-ID"] == "<dg-123@contentops.feedback>"
    body = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert body is not None
    assert html is not None
    assert "推送反馈核心问题汇总" in body.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "p1-core-issues.docx"
    assert attachment.get_content() == b"PK\x03\x04fake-docx"
