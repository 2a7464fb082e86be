"""Branches and campaigns, with their QR code images; a code is unique within its account."""

from __future__ import annotations

from collections.abc import Sequence

from services.audience.domain.accounts import scoped_key
from services.audience.domain.branches import Branch, Campaign
from services.audience.repository.base import Repo
from services.audience.repository.codecs import (
    branch_doc,
    branch_of,
    campaign_doc,
    campaign_of,
)
from services.audience.repository.indexes import BRANCHES, CAMPAIGNS
from shared.mongo import account_filter

__all__ = ["MongoBranches", "MongoCampaigns"]

_NO_IMAGE = {"image": 0}
_ORDER = [("account", 1), ("_id", 1)]


class MongoBranches(Repo):
    async def get(self, account: str, code: str) -> Branch | None:
        doc = await self.db[BRANCHES].find_one(
            {"_id": scoped_key(account, code)}, _NO_IMAGE, session=self.session
        )
        return branch_of(doc) if doc else None

    async def insert(self, branch: Branch, image: bytes | None) -> None:
        await self.db[BRANCHES].insert_one(
            {**branch_doc(branch), "image": image}, session=self.session
        )

    async def image(self, account: str, code: str) -> bytes | None:
        doc = await self.db[BRANCHES].find_one(
            {"_id": scoped_key(account, code)}, {"image": 1}, session=self.session
        )
        return bytes(doc["image"]) if doc and doc.get("image") else None

    async def all(self, accounts: Sequence[str]) -> list[Branch]:
        cursor = (
            self.db[BRANCHES]
            .find(account_filter(accounts), _NO_IMAGE, session=self.session)
            .sort(_ORDER)
        )
        return [branch_of(d) async for d in cursor]


class MongoCampaigns(Repo):
    async def get(self, account: str, code: str) -> Campaign | None:
        doc = await self.db[CAMPAIGNS].find_one(
            {"_id": scoped_key(account, code)}, _NO_IMAGE, session=self.session
        )
        return campaign_of(doc) if doc else None

    async def insert(self, campaign: Campaign, image: bytes | None) -> None:
        await self.db[CAMPAIGNS].insert_one(
            {**campaign_doc(campaign), "image": image}, session=self.session
        )

    async def image(self, account: str, code: str) -> bytes | None:
        doc = await self.db[CAMPAIGNS].find_one(
            {"_id": scoped_key(account, code)}, {"image": 1}, session=self.session
        )
        return bytes(doc["image"]) if doc and doc.get("image") else None

    async def all(self, accounts: Sequence[str]) -> list[Campaign]:
        cursor = (
            self.db[CAMPAIGNS]
            .find(account_filter(accounts), _NO_IMAGE, session=self.session)
            .sort(_ORDER)
        )
        return [campaign_of(d) async for d in cursor]
