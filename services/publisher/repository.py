"""The only code that touches the publisher's collections.

* ``posts`` — one document per approved draft revision (:class:`~.domain.Post`).
* ``slot_assignments`` — one document per taken seat, ``_id = "<slot_key>#<seat>"`` with
  seat in ``0..posts_per_slot-1``: the unique ``_id`` makes a slot's capacity race-safe
  across replicas (two transactions cannot take the same seat).
* ``calendar`` — the single ``hold`` document (the whole calendar held or not).
* ``channel_records`` — what a channel remembers per post (the WeChat channel's progress).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.publisher.domain import IN_FLIGHT, Post, PostState
from shared.mongo import IndexSpec, MongoDoc

__all__ = ["PUBLISHER_INDEXES", "MongoChannelRecords", "PostRepository"]

POSTS = "posts"
SEATS = "slot_assignments"
CALENDAR = "calendar"
CHANNEL_RECORDS = "channel_records"
_HOLD_ID = "hold"
_HISTORY_LIMIT = 200

PUBLISHER_INDEXES = (
    IndexSpec(
        POSTS,
        (
            IndexModel(
                [("draft_id", ASCENDING), ("revision", ASCENDING)], name="revision", unique=True
            ),
            IndexModel([("slot_key", ASCENDING)], name="slot"),
            IndexModel([("state", ASCENDING), ("slot_at", ASCENDING)], name="state_slot"),
        ),
    ),
    IndexSpec(
        SEATS,
        (
            IndexModel([("slot_key", ASCENDING)], name="slot"),
            IndexModel([("at", ASCENDING)], name="at"),
        ),
    ),
)

Session = AsyncClientSession | None


class PostRepository:
    """Posts, seats, the calendar hold and audit lines, in the service's own database."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self.db = db
        self._posts = db[POSTS]
        self._seats = db[SEATS]
        self._calendar = db[CALENDAR]

    # -- posts -------------------------------------------------------------------------
    async def get(self, post_id: str, *, session: Session = None) -> Post | None:
        doc = await self._posts.find_one({"_id": post_id}, session=session)
        return None if doc is None else Post.model_validate(doc)

    async def by_revision(self, draft_id: str, revision: int, *, session: Session) -> Post | None:
        doc = await self._posts.find_one(
            {"draft_id": draft_id, "revision": revision}, session=session
        )
        return None if doc is None else Post.model_validate(doc)

    async def open_older_revisions(
        self, draft_id: str, revision: int, *, session: Session
    ) -> list[Post]:
        """Earlier revisions of the draft that have not started publishing."""
        docs = await self._posts.find(
            {
                "draft_id": draft_id,
                "revision": {"$lt": revision},
                "state": {"$in": [PostState.SCHEDULED, PostState.PAUSED, PostState.MISSED]},
            },
            session=session,
        ).to_list(None)
        return [Post.model_validate(d) for d in docs]

    async def earlier_revision_out(
        self, draft_id: str, revision: int, *, session: Session
    ) -> Post | None:
        """An earlier revision of the draft that went out, or may have (in flight)."""
        doc = await self._posts.find_one(
            {
                "draft_id": draft_id,
                "revision": {"$lt": revision},
                "state": {"$in": [PostState.PUBLISHED, *sorted(IN_FLIGHT)]},
            },
            session=session,
        )
        return None if doc is None else Post.model_validate(doc)

    async def insert(self, post: Post, *, session: Session) -> None:
        await self._posts.insert_one(_to_doc(post), session=session)

    async def transition(
        self,
        post_id: str,
        *,
        expect: Mapping[str, Any],
        set_: Mapping[str, Any],
        history: Mapping[str, Any] | None = None,
        unset: Sequence[str] = (),
        inc: Mapping[str, int] | None = None,
        session: Session = None,
    ) -> bool:
        """Conditional update: applies only when the post matches ``expect``."""
        update: dict[str, Any] = {"$set": _plain(set_)}
        if history is not None:
            update["$push"] = {"history": {"$each": [dict(history)], "$slice": -_HISTORY_LIMIT}}
        if unset:
            update["$unset"] = dict.fromkeys(unset, "")
        if inc:
            update["$inc"] = dict(inc)
        result = await self._posts.update_one(
            {"_id": post_id, **_plain(expect)}, update, session=session
        )
        return result.modified_count == 1

    async def page(
        self, *, states: Sequence[PostState], offset: int, limit: int
    ) -> tuple[list[Post], int]:
        query: MongoDoc = {"state": {"$in": [str(s) for s in states]}} if states else {}
        total = await self._posts.count_documents(query)
        docs = (
            await self._posts.find(query)
            .sort([("slot_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
            .to_list(None)
        )
        return [Post.model_validate(d) for d in docs], total

    async def in_slots(self, slot_keys: Sequence[str]) -> list[Post]:
        docs = (
            await self._posts.find({"slot_key": {"$in": list(slot_keys)}})
            .sort("_id", ASCENDING)
            .to_list(None)
        )
        return [Post.model_validate(d) for d in docs]

    async def in_states(self, states: Sequence[PostState]) -> list[Post]:
        docs = await self._posts.find({"state": {"$in": [str(s) for s in states]}}).to_list(None)
        return [Post.model_validate(d) for d in docs]

    # -- seats -------------------------------------------------------------------------
    async def occupancy(self, since: datetime, *, session: Session) -> dict[str, int]:
        """Taken seats per slot key, for slots at or after ``since``."""
        cursor = await self._seats.aggregate(
            [
                {"$match": {"at": {"$gte": since}}},
                {"$group": {"_id": "$slot_key", "n": {"$sum": 1}}},
            ],
            session=session,
        )
        return {doc["_id"]: int(doc["n"]) async for doc in cursor}

    async def taken_seats(self, slot_key: str, *, session: Session) -> set[int]:
        docs = await self._seats.find({"slot_key": slot_key}, {"seat": 1}, session=session).to_list(
            None
        )
        return {int(d["seat"]) for d in docs}

    async def take_seat(
        self, slot_key: str, seat: int, *, at: datetime, post_id: str, session: Session
    ) -> None:
        """Insert the seat; a concurrent taker makes this (or its commit) fail."""
        await self._seats.insert_one(
            {
                "_id": f"{slot_key}#{seat}",
                "slot_key": slot_key,
                "seat": seat,
                "at": at,
                "post_id": post_id,
            },
            session=session,
        )

    async def free_seat(self, slot_key: str, seat: int | None, *, session: Session) -> None:
        if seat is not None:
            await self._seats.delete_one({"_id": f"{slot_key}#{seat}"}, session=session)

    # -- calendar hold -----------------------------------------------------------------
    async def hold(self, *, session: Session = None) -> MongoDoc:
        doc = await self._calendar.find_one({"_id": _HOLD_ID}, session=session)
        return doc or {"_id": _HOLD_ID, "held": False}

    async def is_held(self) -> bool:
        doc = await self._calendar.find_one({"_id": _HOLD_ID}, {"held": 1})
        return bool(doc and doc.get("held"))

    async def set_hold(
        self, *, held: bool, actor: str, reason: str, at: datetime, session: Session
    ) -> bool:
        """Hold or release the calendar; False when it already was in that state."""
        result = await self._calendar.update_one(
            {"_id": _HOLD_ID, "held": {"$ne": held}},
            {"$set": {"held": held, "by": actor, "reason": reason, "at": at}},
            upsert=False,
            session=session,
        )
        if result.modified_count == 1:
            return True
        if held and await self._calendar.find_one({"_id": _HOLD_ID}, session=session) is None:
            await self._calendar.insert_one(
                {"_id": _HOLD_ID, "held": True, "by": actor, "reason": reason, "at": at},
                session=session,
            )
            return True
        return False


class MongoChannelRecords:
    """Per-post progress a channel keeps (e.g. WeChat media ids), compare-and-set by version."""

    def __init__(self, db: AsyncDatabase[MongoDoc], *, channel: str) -> None:
        self._coll = db[CHANNEL_RECORDS]
        self._channel = channel

    def _id(self, post_id: str) -> str:
        return f"{self._channel}:{post_id}"

    async def load(self, post_id: str) -> dict[str, Any] | None:
        doc = await self._coll.find_one({"_id": self._id(post_id)})
        return None if doc is None else dict(doc.get("record") or {})

    async def save(
        self, post_id: str, record: Mapping[str, Any], *, expected_version: int | None
    ) -> bool:
        if expected_version is None:
            try:
                await self._coll.insert_one(
                    {
                        "_id": self._id(post_id),
                        "version": record.get("version", 0),
                        "record": dict(record),
                    }
                )
            except DuplicateKeyError:
                return False
            return True
        result = await self._coll.update_one(
            {"_id": self._id(post_id), "version": expected_version},
            {"$set": {"version": record.get("version", 0), "record": dict(record)}},
        )
        return result.modified_count == 1


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Enum members as their string values (BSON knows no StrEnum subclass)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, PostState):
            out[key] = str(value)
        elif isinstance(value, dict):
            out[key] = _plain(value)
        elif isinstance(value, list | tuple | set | frozenset):
            out[key] = [str(v) if isinstance(v, PostState) else v for v in value]
        else:
            out[key] = value
    return out


def _to_doc(post: Post) -> MongoDoc:
    return post.model_dump(by_alias=True, mode="python") | {
        "state": str(post.state),
        "category": str(post.category),
    }
