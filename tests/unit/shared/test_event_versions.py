"""Contracts: an unknown ``schema_version`` is refused (and dead-lettered under its own
reason), never read as version 1; version 2 carries the account (#12) and version 1 is
still read, as the default account's; ``draft.submitted``'s ``writers`` is an optional
v1.1 field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.consume import _poison
from shared.errors import PoisonMessage
from shared.events import EVENT_TYPES, UNKNOWN_SCHEMA_VERSION, DraftSubmitted
from tests.support.events import sample


def _as_json(event_type: str, **changes: Any) -> dict[str, Any]:
    body = sample(event_type).model_dump(mode="json")
    body.update(changes)
    return body


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_event_refuses_an_unknown_schema_version(event_type: str) -> None:
    model = EVENT_TYPES[event_type]

    with pytest.raises(ValidationError) as caught:
        model.model_validate(_as_json(event_type, schema_version=99))

    [error] = caught.value.errors()
    assert error["loc"] == ("schema_version",)
    assert error["msg"].endswith(f"schema_version 99 of {event_type} is unknown here (known: 1, 2)")
    assert _poison(caught.value)[0] == UNKNOWN_SCHEMA_VERSION


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_version_1_and_a_missing_version_are_read_as_the_default_accounts(
    event_type: str,
) -> None:
    model = EVENT_TYPES[event_type]
    missing = _as_json(event_type)
    del missing["schema_version"]
    del missing["account"]
    # A version-1 producer knew no accounts: whatever it sends, it is the default's.
    older = model.model_validate(_as_json(event_type, schema_version=1, account="talent"))

    assert (older.schema_version, older.account) == (1, "default")
    assert model.model_validate(missing).account == "default"


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_version_2_carries_its_account_in_the_body_and_the_headers(event_type: str) -> None:
    model = EVENT_TYPES[event_type]

    event = model.model_validate(_as_json(event_type, schema_version=2, account="talent"))

    assert (event.schema_version, event.account) == (2, "talent")
    assert event.headers()["account"] == "talent"
    assert sample(event_type).schema_version == 2  # producers write version 2


@pytest.mark.parametrize("account", ["", "Talent", "x" * 33, "has space", "-lead"])
def test_a_malformed_account_is_refused_naming_the_field(account: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DraftSubmitted.model_validate(_as_json("draft.submitted", account=account))

    assert [error["loc"] for error in caught.value.errors()] == [("account",)]


def test_the_consume_rules_dead_letter_an_unknown_version_under_its_own_reason() -> None:
    body = _as_json("draft.submitted", schema_version=99)
    body["payload"]["content"]["category"] = "gossip"  # a v99 payload may differ anyhow
    with pytest.raises(ValidationError) as caught:
        DraftSubmitted.model_validate(body)

    reason, detail = _poison(caught.value)

    assert reason == "unknown_schema_version"
    assert detail == "schema_version 99 of draft.submitted is unknown here (known: 1, 2)"


def test_other_poison_keeps_its_reason() -> None:
    body = _as_json("draft.submitted")
    body["payload"]["content"]["category"] = "gossip"
    with pytest.raises(ValidationError) as caught:
        DraftSubmitted.model_validate(body)

    assert _poison(caught.value)[0] == "validation_failed"
    assert "payload.content.category" in _poison(caught.value)[1]
    assert _poison(PoisonMessage("hash_mismatch", "x")) == ("hash_mismatch", "hash_mismatch: x")
    assert _poison(ValueError("Expecting value"))[0] == "malformed_body"


def test_writers_is_optional_so_older_producers_stay_readable() -> None:
    older = _as_json("draft.submitted")
    del older["payload"]["writers"]

    assert DraftSubmitted.model_validate(older).payload.writers == ()

    newer = _as_json("draft.submitted")
    newer["payload"]["writers"] = ["ed", "erin"]
    assert DraftSubmitted.model_validate(newer).payload.writers == ("ed", "erin")
    newer["payload"]["writers"] = ["ed", ""]
    with pytest.raises(ValidationError, match="payload.writers.1"):
        DraftSubmitted.model_validate(newer)
