"""Which replies go out through WeChat, where to, and what a failed send means."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.feedback.domain.enquiry import (
    SENDABLE_SOURCES,
    CommentTarget,
    Delivery,
    Enquiry,
    EnquiryState,
    comment_target,
    send_target,
)
from services.feedback.domain.item import FeedbackItem
from services.feedback.domain.keys import COMMENT_SOURCE, MESSAGE_SOURCE
from services.feedback.schemas import EnquiryPublic
from services.feedback.settings import FeedbackSettings
from services.feedback.usecases.send_reply import Verdict, classify
from shared.events import FeedbackKind
from shared.wechat import (
    AccessTokenInvalid,
    ConnectionFailed,
    ContentRejected,
    InvalidCredential,
    InvalidRequest,
    OutcomeUnknown,
    QuotaExceeded,
    TransientWeChatError,
    WeChatError,
)
from shared.wechat.errors import error_for

TOKENS = {"system-token-000000000001": {"subject": "crm", "roles": ["system"]}}


def _enquiry(source: str, source_id: str, author: str = "o-follower") -> tuple[str, str, str]:
    return (source, source_id, author)


def test_the_wechat_sources_are_the_ones_the_doors_store() -> None:
    assert {COMMENT_SOURCE, MESSAGE_SOURCE} == SENDABLE_SOURCES


@pytest.mark.parametrize(
    ("source_id", "target"),
    [
        ("2247480001:0:17", CommentTarget(2247480001, 0, 17)),
        ("2247480001:2:5", CommentTarget(2247480001, 2, 5)),
        ("2247480001:0", None),
        ("2247480001:0:17:9", None),
        ("abc:0:17", None),
        ("2247480001:-1:17", None),
        ("2247480001::17", None),
        ("１２:0:17", None),  # full-width digits are digits to str.isdigit, not to WeChat
    ],
)
def test_a_comment_source_id_names_message_article_and_comment(
    source_id: str, target: CommentTarget | None
) -> None:
    assert comment_target(source_id) == target


def test_a_comment_is_answered_on_the_comment() -> None:
    assert send_target(*_enquiry(COMMENT_SOURCE, "2247480001:1:42", "o-reader")) == {
        "channel": "wechat_comment",
        "msg_data_id": 2247480001,
        "index": 1,
        "user_comment_id": 42,
    }


def test_a_message_is_answered_to_its_sender() -> None:
    assert send_target(*_enquiry(MESSAGE_SOURCE, "9001", "o-follower-1")) == {
        "channel": "wechat_message",
        "openid": "o-follower-1",
    }


@pytest.mark.parametrize(
    "enquiry",
    [
        _enquiry("crm", "ticket-1"),
        _enquiry("wechat_comment_reply", "2247480001:0:17"),
        _enquiry(COMMENT_SOURCE, "not-a-comment-key"),
        _enquiry(MESSAGE_SOURCE, "9001", "anonymous"),
        _enquiry(MESSAGE_SOURCE, "9001", ""),
    ],
)
def test_nothing_is_sent_for_other_sources_or_without_an_addressee(
    enquiry: tuple[str, str, str],
) -> None:
    assert send_target(*enquiry) is None


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (TransientWeChatError(-1, "system busy"), Verdict.RETRY),
        (TransientWeChatError(None, "HTTP 500"), Verdict.RETRY),
        (ConnectionFailed(None, "could not connect"), Verdict.RETRY),
        (QuotaExceeded(45009, "reach max api daily quota limit"), Verdict.RETRY),
        (AccessTokenInvalid(40001, "invalid credential"), Verdict.RETRY),
        (OutcomeUnknown(None, "answer lost (ReadTimeout)"), Verdict.UNKNOWN),
        (error_for(45015, "response out of time limit"), Verdict.FAILED),
        (error_for(88008, "comment is not exists"), Verdict.FAILED),
        (InvalidRequest(40003, "invalid openid"), Verdict.FAILED),
        (ContentRejected(87014, "risky content"), Verdict.FAILED),
        (InvalidCredential(40164, "ip not in whitelist"), Verdict.FAILED),
        (WeChatError(None, "unexpected HTTP 404"), Verdict.FAILED),
    ],
)
def test_only_what_wechat_certainly_did_not_do_is_retried(
    error: WeChatError, verdict: Verdict
) -> None:
    assert classify(error) is verdict


def test_sending_needs_the_app_credentials_and_can_be_turned_off() -> None:
    credentials: dict[str, Any] = {"wechat_app_id": "wx1", "wechat_app_secret": "s3cr3t-value"}
    assert FeedbackSettings(api_tokens=TOKENS, **credentials).reply_sending
    assert not FeedbackSettings(api_tokens=TOKENS).reply_sending
    assert not FeedbackSettings(
        api_tokens=TOKENS, reply_send_enabled=False, **credentials
    ).reply_sending
    assert FeedbackSettings(api_tokens=TOKENS).reply_send_max_attempts == 5


def test_the_enquiry_shows_its_delivery_without_internal_marks() -> None:
    asked_at = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    answer = Enquiry(
        deadline=asked_at + timedelta(hours=12),
        state=EnquiryState.ANSWERED,
        delivery=Delivery(MESSAGE_SOURCE, in_flight_since=asked_at),
    )
    item = FeedbackItem(
        source=MESSAGE_SOURCE,
        source_id="9001",
        event_id="e-1",
        kind=FeedbackKind.MESSAGE,
        received_at=asked_at,
        via="push",
        ingested_at=asked_at,
        author="o-follower",
        text="请问？",
        needs_reply=True,
        enquiry=answer,
    )
    public = EnquiryPublic.of(item)
    assert public.delivery is not None
    assert public.delivery.model_dump() == {
        "state": "pending",
        "channel": "wechat_message",
        "attempts": 0,
        "error": None,
        "sent_at": None,
    }
    without = dataclasses.replace(item, enquiry=dataclasses.replace(answer, delivery=None))
    assert EnquiryPublic.of(without).delivery is None
