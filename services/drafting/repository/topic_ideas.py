"""Topic ideas in MongoDB: the ``topic_ideas`` collection (``_id`` from the document, so a
re-sent report replaces its ideas instead of adding them twice). Each idea carries its
``account`` (#12), which the indexes lead with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.drafting.domain.topics import IdeaSource, TopicIdeaRecord
from shared.events import Category
from shared.mongo import IndexSpec, MongoDoc, account_filter

__all__ = ["TOPIC_IDEA_INDEXES", "MongoTopicIdeaRepository"]

TOPIC_IDEAS = "topic_ideas"
Session = AsyncClientSession | None

TOPIC_IDEA_INDEXES = (
    IndexSpec(
        TOPIC_IDEAS,
        (
            IndexModel([("account", ASCENDING), ("date", DESCENDING)], name="account_date"),
            IndexModel(
                [("account", ASCENDING), ("category", ASCENDING), ("date", DESCENDING)],
                name="account_category",
            ),
        ),
    ),
)


class MongoTopicIdeaRepository:
    """Topic ideas as received (merged and ranked when read)."""

    def __init__(self, db: AsyncDatabase[MongoDoc], session: Session = None) -> None:
        self._session = session
        self._ideas = db[TOPIC_IDEAS]

    async def put(self, records: Sequence[TopicIdeaRecord]) -> None:
        if not records:
            return
        ops: list[ReplaceOne[MongoDoc]] = []
        for record in records:
            doc: dict[str, Any] = record.model_dump(mode="python", exclude={"id"})
            ops.append(ReplaceOne({"_id": record.id}, {"_id": record.id, **doc}, upsert=True))
        await self._ideas.bulk_write(ops, ordered=False, session=self._session)

    async def recent(
        self,
        *,
        accounts: Sequence[str],
        since: datetime,
        category: Category | None,
        source: IdeaSource | None,
        cap: int,
    ) -> list[TopicIdeaRecord]:
        query: MongoDoc = {**account_filter(accounts), "date": {"$gte": since}}
        if category is not None:
            query["category"] = category.value
        if source is not None:
            query["source"] = source.value
        cursor = self._ideas.find(query, session=self._session).sort("date", DESCENDING).limit(cap)
        return [TopicIdeaRecord.model_validate({**d, "id": d["_id"]}) async for d in cursor]
