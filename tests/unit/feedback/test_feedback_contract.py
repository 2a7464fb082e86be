"""The public ``feedback.received`` contract: how an item names its source."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.feedback.domain.keys import item_key, split_key
from shared.events import FeedbackKind, FeedbackReceivedPayload

AT = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def _payload(source: str, source_id: str = "42") -> FeedbackReceivedPayload:
    return FeedbackReceivedPayload(
        source=source, source_id=source_id, kind=FeedbackKind.COMMENT, text="好", received_at=AT
    )


@pytest.mark.parametrize("source", ["crm", "wechat_comment", "CS-Desk.v2", "cs desk"])
def test_plain_source_names_are_accepted(source: str) -> None:
    assert _payload(source).source == source


@pytest.mark.parametrize("source", ["crm:eu", ":", "a::b"])
def test_a_source_with_a_colon_is_refused_naming_the_field(source: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _payload(source)
    assert [e["loc"] for e in caught.value.errors()] == [("source",)]


def test_a_source_id_may_hold_colons_and_a_reply_still_names_its_item() -> None:
    item = _payload("wechat_comment", "2247:0:15")
    key = item_key(item.source, item.source_id)
    assert split_key(key) == ("wechat_comment", "2247:0:15")
