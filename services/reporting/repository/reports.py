"""Reports, their rendered files, and the schedule watermark."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from services.reporting.repository.indexes import (
    MAX_FILE_BYTES,
    REPORT_FILES,
    REPORTS,
    SCHEDULE_STATE,
    SessionRepository,
)
from shared.mongo import MongoDoc, account_filter

__all__ = ["MongoReportRepository", "MongoScheduleState"]
_LIST_FIELDS = {"report_json": 0}


class MongoReportRepository(SessionRepository):
    """``reports`` and their rendered files in ``report_files``."""

    async def insert(self, doc: MongoDoc, files: Mapping[str, MongoDoc]) -> None:
        """Store a report and its rendered files (inside the caller's transaction)."""
        await self._db[REPORTS].insert_one(doc, session=self._session)
        stored = [
            {"_id": f"{doc['_id']}:{fmt}", "report_id": doc["_id"], "format": fmt, **f}
            for fmt, f in files.items()
            if f["size"] <= MAX_FILE_BYTES
        ]
        if stored:
            await self._db[REPORT_FILES].insert_many(stored, session=self._session)

    async def get(self, report_id: str) -> MongoDoc | None:
        return await self._db[REPORTS].find_one({"_id": report_id}, session=self._session)

    async def get_file(self, report_id: str, fmt: str) -> MongoDoc | None:
        return await self._db[REPORT_FILES].find_one(
            {"_id": f"{report_id}:{fmt}"}, session=self._session
        )

    async def page(
        self,
        *,
        kind: str | None,
        accounts: Sequence[str],
        combined: bool,
        offset: int,
        limit: int,
    ) -> tuple[list[MongoDoc], int]:
        """A page of the reports of ``accounts`` (and the combined ones when ``combined``),
        newest first, and how many there are."""
        scopes: list[dict[str, Any]] = [account_filter(accounts)] if accounts else []
        if combined:
            scopes.append({"combined": True})
        if not scopes:
            return [], 0
        query: dict[str, Any] = scopes[0] if len(scopes) == 1 else {"$or": scopes}
        if kind is not None:
            query = {**query, "kind": kind}
        total = await self._db[REPORTS].count_documents(query, session=self._session)
        cursor = (
            self._db[REPORTS]
            .find(query, _LIST_FIELDS, session=self._session)
            .sort([("generated_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return await cursor.to_list(None), total

    async def latest_generated(self, kinds: Sequence[str]) -> dict[str, datetime]:
        """When the newest report of each kind was generated (kinds without one omitted)."""
        out: dict[str, datetime] = {}
        for kind in kinds:
            doc = await self._db[REPORTS].find_one(
                {"kind": kind},
                {"generated_at": 1},
                sort=[("generated_at", DESCENDING)],
                session=self._session,
            )
            if doc is not None:
                out[kind] = doc["generated_at"]
        return out


class MongoScheduleState(SessionRepository):
    """``schedule_state``: per report kind, up to when due periods were scheduled."""

    async def watermark(self, kind: str, *, default: datetime) -> datetime:
        """Up to when ``kind``'s due periods were scheduled; ``default`` on first use."""
        # DuplicateKeyError: another replica created it at the same moment.
        with contextlib.suppress(DuplicateKeyError):
            await self._db[SCHEDULE_STATE].update_one(
                {"_id": kind},
                {"$setOnInsert": {"since": default}},
                upsert=True,
                session=self._session,
            )
        doc = await self._db[SCHEDULE_STATE].find_one({"_id": kind}, session=self._session)
        assert doc is not None
        since: datetime = doc["since"]
        return since

    async def advance(self, kind: str, until: datetime) -> None:
        """Move the watermark forward (never back: ``$max``)."""
        await self._db[SCHEDULE_STATE].update_one(
            {"_id": kind}, {"$max": {"since": until}}, session=self._session
        )
