"""The ``posts`` collection: one document per approved draft revision.

A transition the :class:`~services.publisher.domain.Post` decided is applied as one
conditional update (:meth:`MongoPostRepository.apply`): its guard is the filter, so of a
command and a job racing on one post exactly one changes it.

Every post carries its ``account`` (#12; older ones adopted by the default account at
start-up, :data:`ACCOUNT_COLLECTIONS`); the lists read one account or several, with
indexes that lead with ``account``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.publisher.domain import IN_FLIGHT, NOT_STARTED, Post, PostState, Transition
from services.publisher.domain.transition import HISTORY_LIMIT
from services.publisher.errors import SeatTaken
from services.publisher.repository.calendar import SEATS
from shared.accounts import DEFAULT_ACCOUNT
from shared.mongo import IndexSpec, MongoDoc, account_filter

__all__ = ["ACCOUNT_COLLECTIONS", "POSTS", "PUBLISHER_INDEXES", "MongoPostRepository"]

POSTS = "posts"
ACCOUNT_COLLECTIONS = (POSTS, SEATS)
"""The collections whose documents carry ``account`` (older ones adopted at start-up)."""

PUBLISHER_INDEXES = (
    IndexSpec(
        POSTS,
        (
            IndexModel(
                [("draft_id", ASCENDING), ("revision", ASCENDING)], name="revision", unique=True
            ),
            IndexModel([("slot_key", ASCENDING)], name="slot"),
            IndexModel([("state", ASCENDING), ("slot_at", ASCENDING)], name="state_slot"),
            IndexModel([("account", ASCENDING), ("slot_at", DESCENDING)], name="account_slot_at"),
            IndexModel(
                [("account", ASCENDING), ("state", ASCENDING), ("slot_at", ASCENDING)],
                name="account_state_slot",
            ),
            IndexModel([("account", ASCENDING), ("slot_key", ASCENDING)], name="account_slot"),
        ),
    ),
    IndexSpec(
        SEATS,
        (
            IndexModel([("slot_key", ASCENDING)], name="slot"),
            IndexModel([("at", ASCENDING)], name="at"),
            IndexModel([("account", ASCENDING), ("slot_key", ASCENDING)], name="account_slot"),
            IndexModel([("account", ASCENDING), ("at", ASCENDING)], name="account_at"),
        ),
    ),
)


class MongoPostRepository:
    """Posts, read and changed in ``session``'s transaction when one is given."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._posts = db[POSTS]
        self._session = session

    async def get(self, post_id: str) -> Post | None:
        doc = await self._posts.find_one({"_id": post_id}, session=self._session)
        return None if doc is None else Post.model_validate(doc)

    async def by_revision(self, draft_id: str, revision: int) -> Post | None:
        doc = await self._posts.find_one(
            {"draft_id": draft_id, "revision": revision}, session=self._session
        )
        return None if doc is None else Post.model_validate(doc)

    async def draft_account(self, draft_id: str) -> str | None:
        """The account of the draft's posts stored so far (None: none stored)."""
        doc = await self._posts.find_one(
            {"draft_id": draft_id}, {"account": 1}, session=self._session
        )
        return None if doc is None else str(doc.get("account") or DEFAULT_ACCOUNT)

    async def open_older_revisions(self, draft_id: str, revision: int) -> list[Post]:
        """Earlier revisions of the draft that have not started publishing."""
        docs = await self._posts.find(
            {
                "draft_id": draft_id,
                "revision": {"$lt": revision},
                "state": {"$in": list(NOT_STARTED)},
            },
            session=self._session,
        ).to_list(None)
        return [Post.model_validate(d) for d in docs]

    async def earlier_revision_out(self, draft_id: str, revision: int) -> Post | None:
        """An earlier revision of the draft that went out, or may have (in flight)."""
        doc = await self._posts.find_one(
            {
                "draft_id": draft_id,
                "revision": {"$lt": revision},
                "state": {"$in": [PostState.PUBLISHED, *sorted(IN_FLIGHT)]},
            },
            session=self._session,
        )
        return None if doc is None else Post.model_validate(doc)

    async def insert(self, post: Post) -> None:
        """Store a new post; :class:`SeatTaken` when its revision was stored meanwhile."""
        try:
            await self._posts.insert_one(_to_doc(post), session=self._session)
        except DuplicateKeyError as exc:
            raise SeatTaken(str(exc)) from exc

    async def apply(self, transition: Transition) -> bool:
        """Apply ``transition`` if the post still matches its guard; False otherwise."""
        update: dict[str, Any] = {"$set": _plain(transition.changes)}
        if transition.history is not None:
            update["$push"] = {
                "history": {"$each": [dict(transition.history)], "$slice": -HISTORY_LIMIT}
            }
        if transition.increments:
            update["$inc"] = dict(transition.increments)
        result = await self._posts.update_one(
            {"_id": transition.post_id, **_guard(transition.guard.fields())},
            update,
            session=self._session,
        )
        return result.modified_count == 1

    async def page(
        self, *, accounts: Sequence[str], states: Sequence[PostState], offset: int, limit: int
    ) -> tuple[list[Post], int]:
        query: MongoDoc = account_filter(accounts)
        if states:
            query["state"] = {"$in": [str(s) for s in states]}
        total = await self._posts.count_documents(query, session=self._session)
        docs = (
            await self._posts.find(query, session=self._session)
            .sort([("slot_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
            .to_list(None)
        )
        return [Post.model_validate(d) for d in docs], total

    async def in_slots(self, accounts: Sequence[str], slot_keys: Sequence[str]) -> list[Post]:
        query = {**account_filter(accounts), "slot_key": {"$in": list(slot_keys)}}
        docs = (
            await self._posts.find(query, session=self._session)
            .sort("_id", ASCENDING)
            .to_list(None)
        )
        return [Post.model_validate(d) for d in docs]

    async def in_states(self, accounts: Sequence[str], states: Sequence[PostState]) -> list[Post]:
        query = {**account_filter(accounts), "state": {"$in": [str(s) for s in states]}}
        docs = await self._posts.find(query, session=self._session).to_list(None)
        return [Post.model_validate(d) for d in docs]


def _guard(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The filter of a guard: one state by equality, several with ``$in``."""
    states = fields["state"]
    state = str(states[0]) if len(states) == 1 else {"$in": [str(s) for s in states]}
    return {"state": state, **_plain({k: v for k, v in fields.items() if k != "state"})}


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
