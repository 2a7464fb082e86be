"""Materials (pictures and their origin) in MongoDB: the ``materials`` collection; each
carries its ``account`` (#12), which the list's indexes lead with."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.drafting.domain.content import Material
from shared.mongo import IndexSpec, MongoDoc, account_filter

__all__ = ["MATERIAL_INDEXES", "MongoMaterialRepository"]

MATERIALS = "materials"
Session = AsyncClientSession | None

MATERIAL_INDEXES = (
    IndexSpec(
        MATERIALS,
        (
            IndexModel(
                [("account", ASCENDING), ("created_at", DESCENDING)], name="account_created_at"
            ),
            IndexModel(
                [("account", ASCENDING), ("has_origin", ASCENDING), ("created_at", DESCENDING)],
                name="account_origin",
            ),
        ),
    ),
)


def _material_doc(material: Material) -> MongoDoc:
    doc = material.model_dump(mode="python", exclude={"id"})
    doc["_id"] = material.id
    doc["has_origin"] = material.origin is not None
    return doc


def _material(doc: MongoDoc) -> Material:
    return Material.model_validate({**doc, "id": doc["_id"]})


class MongoMaterialRepository:
    """Pictures and their recorded origin."""

    def __init__(self, db: AsyncDatabase[MongoDoc], session: Session = None) -> None:
        self._session = session
        self._materials = db[MATERIALS]

    async def get(self, material_id: str) -> Material | None:
        doc = await self._materials.find_one({"_id": material_id}, session=self._session)
        return _material(doc) if doc is not None else None

    async def get_many(self, material_ids: Sequence[str]) -> dict[str, Material]:
        if not material_ids:
            return {}
        cursor = self._materials.find({"_id": {"$in": list(material_ids)}}, session=self._session)
        return {doc["_id"]: _material(doc) async for doc in cursor}

    async def insert(self, material: Material) -> None:
        await self._materials.insert_one(_material_doc(material), session=self._session)

    async def replace(self, material: Material) -> None:
        await self._materials.replace_one(
            {"_id": material.id}, _material_doc(material), session=self._session
        )

    async def find(
        self, *, accounts: Sequence[str], missing_origin: bool | None, offset: int, limit: int
    ) -> tuple[list[Material], int]:
        query: MongoDoc = account_filter(accounts)
        if missing_origin is not None:
            query["has_origin"] = not missing_origin
        total = await self._materials.count_documents(query, session=self._session)
        cursor = (
            self._materials.find(query, session=self._session)
            .sort([("created_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return [_material(d) for d in await cursor.to_list(None)], total
