"""Settings of the drafting service (env prefix ``DRAFTING_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

__all__ = ["DraftingSettings"]


class DraftingSettings(ServiceSettings):
    """Drafting service settings; shared infrastructure names come from the base class."""

    model_config = SettingsConfigDict(
        env_prefix="DRAFTING_", env_ignore_empty=True, extra="ignore", populate_by_name=True
    )

    service_name: str = "drafting"
    http_port: int = 8101
    state_gauge_seconds: float = Field(
        default=15.0, gt=0, description="How often drafts are recounted by state for metrics."
    )
    topic_half_life_days: float = Field(
        default=14.0, gt=0, description="Age at which a topic idea's weight is halved."
    )
    topic_window_days: float = Field(
        default=120.0, gt=0, description="Topic ideas older than this are not shown."
    )
