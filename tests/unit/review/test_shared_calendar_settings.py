"""One calendar for review and the publisher: SLOT_* configures both."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from services.publisher.settings import PublisherSettings
from services.review.settings import ReviewSettings
from shared.calendar import next_slot, review_deadline

TOKENS = json.dumps({"editor-token-00000000001": {"subject": "erin", "roles": ["editor"]}})


@pytest.fixture(autouse=True)
def _tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKENS", TOKENS)


def test_host_wide_slot_settings_reach_both_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOT_WEEKDAYS", "tue,thu")
    monkeypatch.setenv("SLOT_TIMES", "14:00")
    monkeypatch.setenv("SLOT_ZONE", "Europe/Berlin")
    review, publisher = ReviewSettings(), PublisherSettings()
    for settings in (review, publisher):
        assert (settings.slot_weekdays, settings.slot_times, settings.slot_zone) == (
            "tue,thu",
            "14:00",
            "Europe/Berlin",
        )
    # review's next slot is the publisher's next slot: Tuesday 14:00 in Berlin
    monday = datetime.fromisoformat("2026-11-23T00:00:00+00:00")
    slot = next_slot(publisher.slot_policy, monday)
    assert slot.at == review.calendar.slot_at_or_after(monday)
    assert slot.at.isoformat() == "2026-11-24T13:00:00+00:00"
    # and review's deadline of that slot is the shared calendar's
    assert review.calendar.deadline_for(slot.at) == review_deadline(publisher.slot_policy, slot)
    assert review.calendar.deadline_for(slot.at).isoformat() == "2026-11-24T09:00:00+00:00"


def test_there_is_no_per_service_calendar_that_could_drift(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLOT_ZONE", "Europe/Berlin")
    monkeypatch.setenv("REVIEW_SLOT_ZONE", "Asia/Shanghai")
    monkeypatch.setenv("PUBLISHER_SLOT_ZONE", "Asia/Tokyo")
    assert ReviewSettings().slot_zone == PublisherSettings().slot_zone == "Europe/Berlin"


def test_defaults_are_the_plans_calendar() -> None:
    for settings in (ReviewSettings(), PublisherSettings()):
        assert (settings.slot_weekdays, settings.slot_times, settings.slot_zone) == (
            "mon,wed,fri",
            "11:30",
            "Asia/Shanghai",
        )
