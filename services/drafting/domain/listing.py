"""The list of drafts: what editors filter it on, and what each line shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.drafting.domain.states import DraftState
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import Category

__all__ = ["DraftFilter", "DraftSummary"]


class DraftSummary(BaseModel):
    """A line of the draft list (no body, history or notices)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    account: str = Field(
        default=DEFAULT_ACCOUNT, description="The official account the draft belongs to."
    )
    state: DraftState
    revision: int
    title: str
    category: Category
    author: str
    wished_slot: datetime | None = None
    scheduled_slot: datetime | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime
    submitted_hash: str | None = None


@dataclass(frozen=True)
class DraftFilter:
    """Criteria of the draft list; ``None`` means any."""

    state: DraftState | None = None
    category: Category | None = None
    author: str | None = None
    slot: datetime | None = None
