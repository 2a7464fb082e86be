"""Settings: outside connections are off until configured, and refused half-configured."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.feedback.settings import FeedbackSettings

TOKENS = {"system-token-000000000001": {"subject": "crm", "roles": ["system"]}}
AES_KEY = "a" * 43


def _settings(**extra: Any) -> FeedbackSettings:
    return FeedbackSettings(api_tokens=TOKENS, **extra)


def test_by_default_no_push_no_poller_no_delivery() -> None:
    settings = _settings()
    assert not settings.push_enabled
    assert not settings.poller_enabled
    assert settings.delivery_channels == ()
    assert settings.window_hours == 24
    assert settings.reply_limit_hours == 12


def test_a_batch_must_be_able_to_fill_within_the_prefetch() -> None:
    with pytest.raises(ValidationError, match="PREFETCH"):
        _settings(prefetch=50, ingest_batch_size=200)


def test_a_placeholder_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        _settings(wechat_token="changeme")


def test_the_encrypted_mode_needs_a_43_character_key_and_the_app_id() -> None:
    with pytest.raises(ValidationError, match="43"):
        _settings(wechat_token="tok-12345", wechat_app_id="wx1", wechat_encoding_aes_key="short")
    with pytest.raises(ValidationError, match="APP_ID"):
        _settings(wechat_token="tok-12345", wechat_encoding_aes_key=AES_KEY)
    settings = _settings(
        wechat_token="tok-12345", wechat_app_id="wx1", wechat_encoding_aes_key=AES_KEY
    )
    assert settings.push_enabled
    assert settings.encrypted_push


def test_the_poller_needs_the_app_id_and_secret() -> None:
    assert _settings(wechat_app_id="wx1", wechat_app_secret="s3cr3t-value").poller_enabled
    assert not _settings(wechat_app_id="wx1").poller_enabled


def test_a_webhook_needs_its_secret_and_mail_needs_sender_and_recipients() -> None:
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        _settings(digest_webhook_url="https://hooks.example.com/x")
    with pytest.raises(ValidationError, match="SMTP_FROM"):
        _settings(smtp_host="mail.example.com")
    settings = _settings(
        digest_webhook_url="https://hooks.example.com/x",
        digest_webhook_secret="hook-secret-1",
        smtp_host="mail.example.com",
        smtp_from="ops@example.com",
        smtp_to=["liu@example.com"],
    )
    assert settings.delivery_channels == ("email", "webhook")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "API_TOKENS", '{"system-token-000000000001": {"subject": "crm", "roles": ["system"]}}'
    )
    monkeypatch.setenv("FEEDBACK_WINDOW_HOURS", "48")
    monkeypatch.setenv("FEEDBACK_SMTP_TO", '["liu@example.com", "ops@example.com"]')
    monkeypatch.setenv("FEEDBACK_SMTP_HOST", "mail.example.com")
    monkeypatch.setenv("FEEDBACK_SMTP_FROM", "feedback@example.com")
    settings = FeedbackSettings()
    assert settings.window_hours == 48
    assert settings.smtp_to == ["liu@example.com", "ops@example.com"]
