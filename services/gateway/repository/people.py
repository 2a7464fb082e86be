"""The ``users`` collection: one document per person, ``_id`` the user name.

``accounts`` (the accounts the roles hold on; empty or missing: all) and ``account_roles``
(``{account: [roles]}``) came with accounts (#12): a person stored before holds their roles
on every account, as before.
"""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.gateway.domain.people import Person
from shared.mongo import IndexSpec, MongoDoc
from shared.settings import Role

__all__ = ["PEOPLE_INDEXES", "MongoPersonRepository"]

USERS = "users"
PEOPLE_INDEXES = (IndexSpec(USERS, (IndexModel([("roles", ASCENDING)], name="roles"),)),)


def _doc(person: Person) -> MongoDoc:
    return {
        "_id": person.username,
        "display_name": person.display_name,
        "roles": sorted(person.roles),
        "password_hash": person.password_hash,
        "active": person.active,
        "created_at": person.created_at,
        "created_by": person.created_by,
        "updated_at": person.updated_at,
        "accounts": sorted(person.accounts),
        "account_roles": {a: sorted(held) for a, held in sorted(person.account_roles.items())},
    }


def _person(doc: MongoDoc) -> Person:
    return Person(
        username=doc["_id"],
        display_name=doc["display_name"],
        roles=frozenset(Role(r) for r in doc["roles"]),
        password_hash=doc["password_hash"],
        active=bool(doc["active"]),
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        updated_at=doc["updated_at"],
        accounts=frozenset(doc.get("accounts") or ()),
        account_roles={
            str(account): frozenset(Role(r) for r in held)
            for account, held in (doc.get("account_roles") or {}).items()
        },
    )


class MongoPersonRepository:
    """``PersonRepository`` on MongoDB."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._users = db[USERS]
        self._session = session

    async def get(self, username: str) -> Person | None:
        doc = await self._users.find_one({"_id": username}, session=self._session)
        return None if doc is None else _person(doc)

    async def insert(self, person: Person) -> bool:
        try:
            await self._users.insert_one(_doc(person), session=self._session)
        except DuplicateKeyError:
            return False
        return True

    async def replace(self, person: Person) -> None:
        await self._users.replace_one({"_id": person.username}, _doc(person), session=self._session)

    async def find(self, *, offset: int, limit: int) -> tuple[list[Person], int]:
        total = await self._users.count_documents({}, session=self._session)
        cursor = self._users.find({}, session=self._session).sort("_id", ASCENDING)
        docs = await cursor.skip(offset).limit(limit).to_list(None)
        return [_person(d) for d in docs], total

    async def active_admins(self) -> int:
        return await self._users.count_documents(
            {"roles": str(Role.ADMIN), "active": True}, session=self._session
        )
