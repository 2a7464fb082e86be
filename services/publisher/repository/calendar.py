"""Seats in slots (``slot_assignments``) and the calendar holds (``calendar``), per account.

A seat is ``_id = "<slot_key>#<seat>"`` (another account's: ``"<account>:<slot_key>#<seat>"``)
with seat in ``0..posts_per_slot-1``: the unique ``_id`` makes a slot's capacity race-safe
across replicas (two transactions cannot take the same seat), and two accounts with a slot
at the same instant each keep their own seats. A hold is one document per account
(``hold``: the default account's, as before; ``hold:<account>``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.publisher.errors import SeatTaken
from shared.accounts import DEFAULT_ACCOUNT
from shared.mongo import MongoDoc

__all__ = ["CALENDAR", "SEATS", "MongoCalendar", "MongoSeatRepository", "hold_id", "seat_id"]

SEATS = "slot_assignments"
CALENDAR = "calendar"
_HOLD_ID = "hold"


def seat_id(account: str, slot_key: str, seat: int) -> str:
    """The seat's document id (the default account's as before accounts)."""
    key = f"{slot_key}#{seat}"
    return key if account == DEFAULT_ACCOUNT else f"{account}:{key}"


def hold_id(account: str) -> str:
    """The id of ``account``'s hold document (the default account's as before accounts)."""
    return _HOLD_ID if account == DEFAULT_ACCOUNT else f"{_HOLD_ID}:{account}"


class MongoSeatRepository:
    """Taken seats, in ``session``'s transaction when one is given."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._seats = db[SEATS]
        self._session = session

    async def occupancy(self, account: str, since: datetime) -> dict[str, int]:
        """Taken seats of ``account`` per slot key, for slots at or after ``since``."""
        cursor = await self._seats.aggregate(
            [
                {"$match": {"account": account, "at": {"$gte": since}}},
                {"$group": {"_id": "$slot_key", "n": {"$sum": 1}}},
            ],
            session=self._session,
        )
        return {doc["_id"]: int(doc["n"]) async for doc in cursor}

    async def taken(self, account: str, slot_key: str) -> set[int]:
        docs = await self._seats.find(
            {"account": account, "slot_key": slot_key}, {"seat": 1}, session=self._session
        ).to_list(None)
        return {int(d["seat"]) for d in docs}

    async def take(
        self, account: str, slot_key: str, seat: int, *, at: datetime, post_id: str
    ) -> None:
        """Insert the seat; :class:`SeatTaken` when another transaction took it."""
        try:
            await self._seats.insert_one(
                {
                    "_id": seat_id(account, slot_key, seat),
                    "account": account,
                    "slot_key": slot_key,
                    "seat": seat,
                    "at": at,
                    "post_id": post_id,
                },
                session=self._session,
            )
        except DuplicateKeyError as exc:
            raise SeatTaken(str(exc)) from exc

    async def free(self, account: str, slot_key: str, seat: int | None) -> None:
        if seat is not None:
            await self._seats.delete_one(
                {"_id": seat_id(account, slot_key, seat)}, session=self._session
            )


class MongoCalendar:
    """The calendar's hold documents, one per account."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._calendar = db[CALENDAR]
        self._session = session

    async def hold(self, account: str = DEFAULT_ACCOUNT) -> MongoDoc:
        key = hold_id(account)
        doc = await self._calendar.find_one({"_id": key}, session=self._session)
        return doc or {"_id": key, "account": account, "held": False}

    async def is_held(self, account: str = DEFAULT_ACCOUNT) -> bool:
        doc = await self._calendar.find_one(
            {"_id": hold_id(account)}, {"held": 1}, session=self._session
        )
        return bool(doc and doc.get("held"))

    async def held(self, accounts: Iterable[str]) -> set[str]:
        """Which of ``accounts`` are held, in one query (what the publishing loop skips)."""
        ids = {hold_id(account): account for account in accounts}
        docs = await self._calendar.find(
            {"_id": {"$in": list(ids)}, "held": True}, {"_id": 1}, session=self._session
        ).to_list(None)
        return {ids[str(doc["_id"])] for doc in docs}

    async def set_hold(
        self, account: str, *, held: bool, actor: str, reason: str, at: datetime
    ) -> bool:
        """Hold or release ``account``'s calendar; False when it already was in that state."""
        key = hold_id(account)
        fields = {"account": account, "held": held, "by": actor, "reason": reason, "at": at}
        result = await self._calendar.update_one(
            {"_id": key, "held": {"$ne": held}},
            {"$set": fields},
            upsert=False,
            session=self._session,
        )
        if result.modified_count == 1:
            return True
        found = await self._calendar.find_one({"_id": key}, session=self._session)
        if held and found is None:
            await self._calendar.insert_one({"_id": key, **fields}, session=self._session)
            return True
        return False
