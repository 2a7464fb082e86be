"""The dead-letter reasons the consume rules give (shared.consume), whichever consumer
decoded the body: FastStream (``json.loads``) or a direct consumer (``model_validate_json``)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from shared.consume import _poison
from shared.events import FeedbackReceived
from tests.support.events import sample


def _error(body: bytes) -> Exception:
    try:
        FeedbackReceived.model_validate_json(body)
    except ValidationError as exc:
        return exc
    raise AssertionError("the body was valid")


def test_a_body_that_is_not_json_is_malformed_for_either_decoder() -> None:
    with pytest.raises(json.JSONDecodeError) as loads:
        json.loads(b"{not json")
    assert _poison(loads.value)[0] == "malformed_body"
    assert _poison(_error(b"{not json"))[0] == "malformed_body"


def test_an_invalid_payload_and_an_unknown_version_keep_their_reasons() -> None:
    event = json.loads(sample("feedback.received").model_dump_json())
    event["payload"]["kind"] = "not-a-kind"
    reason, detail = _poison(_error(json.dumps(event).encode()))
    assert reason == "validation_failed"
    assert "payload.kind" in detail
    future = {**json.loads(sample("feedback.received").model_dump_json()), "schema_version": 99}
    assert _poison(_error(json.dumps(future).encode()))[0] == "unknown_schema_version"
