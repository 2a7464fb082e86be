"""What an on-demand report request accepts: local days, or instants with an offset."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.reporting.schemas import ReportCreate


def test_local_days_and_aware_instants_are_told_apart_by_their_shape() -> None:
    body = ReportCreate.model_validate_json(
        '{"start": "2026-11-30", "end": "2026-12-01T00:00:00+08:00"}'
    )
    assert body.start == date(2026, 11, 30)
    assert body.end == datetime(2026, 12, 1, tzinfo=timezone(timedelta(hours=8)))
    assert isinstance(body.end, datetime)
    utc = ReportCreate.model_validate({"start": "2026-11-30T16:00:00Z", "end": "2026-12-01"})
    assert utc.start == datetime(2026, 11, 30, 16, tzinfo=UTC)


@pytest.mark.parametrize("value", ["2026-11-30T00:00", "2026-11-30 08:00", "monday", "2026-13-01"])
def test_a_naive_instant_or_a_non_date_is_refused_under_its_own_name(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        ReportCreate.model_validate({"start": value, "end": "2026-12-01"})
    (error,) = info.value.errors()
    assert error["loc"] == ("start",)
    assert "UTC offset" in error["msg"]


def test_only_custom_ranges_and_no_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        ReportCreate.model_validate({"kind": "weekly", "start": "2026-11-30", "end": "2026-12-01"})
    with pytest.raises(ValidationError):
        ReportCreate.model_validate({"start": "2026-11-30", "end": "2026-12-01", "zone": "UTC"})
