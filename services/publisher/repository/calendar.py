"""Seats in slots (``slot_assignments``) and the calendar hold (``calendar``).

A seat is ``_id = "<slot_key>#<seat>"`` with seat in ``0..posts_per_slot-1``: the unique
``_id`` makes a slot's capacity race-safe across replicas (two transactions cannot take
the same seat).
"""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.publisher.errors import SeatTaken
from shared.mongo import MongoDoc

__all__ = ["CALENDAR", "SEATS", "MongoCalendar", "MongoSeatRepository"]

SEATS = "slot_assignments"
CALENDAR = "calendar"
_HOLD_ID = "hold"


class MongoSeatRepository:
    """Taken seats, in ``session``'s transaction when one is given."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._seats = db[SEATS]
        self._session = session

    async def occupancy(self, since: datetime) -> dict[str, int]:
        """Taken seats per slot key, for slots at or after ``since``."""
        cursor = await self._seats.aggregate(
            [
                {"$match": {"at": {"$gte": since}}},
                {"$group": {"_id": "$slot_key", "n": {"$sum": 1}}},
            ],
            session=self._session,
        )
        return {doc["_id"]: int(doc["n"]) async for doc in cursor}

    async def taken(self, slot_key: str) -> set[int]:
        docs = await self._seats.find(
            {"slot_key": slot_key}, {"seat": 1}, session=self._session
        ).to_list(None)
        return {int(d["seat"]) for d in docs}

    async def take(self, slot_key: str, seat: int, *, at: datetime, post_id: str) -> None:
        """Insert the seat; :class:`SeatTaken` when another transaction took it."""
        try:
            await self._seats.insert_one(
                {
                    "_id": f"{slot_key}#{seat}",
                    "slot_key": slot_key,
                    "seat": seat,
                    "at": at,
                    "post_id": post_id,
                },
                session=self._session,
            )
        except DuplicateKeyError as exc:
            raise SeatTaken(str(exc)) from exc

    async def free(self, slot_key: str, seat: int | None) -> None:
        if seat is not None:
            await self._seats.delete_one({"_id": f"{slot_key}#{seat}"}, session=self._session)


class MongoCalendar:
    """The calendar's single hold document."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._calendar = db[CALENDAR]
        self._session = session

    async def hold(self) -> MongoDoc:
        doc = await self._calendar.find_one({"_id": _HOLD_ID}, session=self._session)
        return doc or {"_id": _HOLD_ID, "held": False}

    async def is_held(self) -> bool:
        doc = await self._calendar.find_one({"_id": _HOLD_ID}, {"held": 1}, session=self._session)
        return bool(doc and doc.get("held"))

    async def set_hold(self, *, held: bool, actor: str, reason: str, at: datetime) -> bool:
        """Hold or release the calendar; False when it already was in that state."""
        result = await self._calendar.update_one(
            {"_id": _HOLD_ID, "held": {"$ne": held}},
            {"$set": {"held": held, "by": actor, "reason": reason, "at": at}},
            upsert=False,
            session=self._session,
        )
        if result.modified_count == 1:
            return True
        found = await self._calendar.find_one({"_id": _HOLD_ID}, session=self._session)
        if held and found is None:
            await self._calendar.insert_one(
                {"_id": _HOLD_ID, "held": True, "by": actor, "reason": reason, "at": at},
                session=self._session,
            )
            return True
        return False
