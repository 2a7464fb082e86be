"""Data written before accounts (#12) becomes the default account's, once, on the store."""

from __future__ import annotations

import uuid

import pytest
from pymongo import AsyncMongoClient

from shared.mongo import MIGRATIONS, MongoDoc, account_filter, adopt_default_account

pytestmark = pytest.mark.integration


async def test_older_documents_join_the_default_account_and_the_marker_stops_a_rescan(
    mongo_url: str,
) -> None:
    client: AsyncMongoClient[MongoDoc] = AsyncMongoClient(mongo_url, tz_aware=True)
    db = client[f"t{uuid.uuid4().hex[:10]}_accounts"]
    try:
        await db["posts"].insert_many(
            [
                {"_id": "old"},
                {"_id": "new", "account": "talent"},
                {"_id": "mine", "account": "default"},
            ]
        )

        await adopt_default_account(db, ["posts"])
        await db["posts"].insert_one({"_id": "later"})  # a write after the migration ran
        await adopt_default_account(db, ["posts"])  # a restart: the marker says done

        accounts = {doc["_id"]: doc.get("account") async for doc in db["posts"].find()}
        assert accounts == {"old": "default", "new": "talent", "mine": "default", "later": None}
        assert await db[MIGRATIONS].count_documents({}) == 1
        default = [d["_id"] async for d in db["posts"].find(account_filter(["default"]))]
        both = [d["_id"] async for d in db["posts"].find(account_filter(["default", "talent"]))]
        assert sorted(default) == ["mine", "old"]
        assert sorted(both) == ["mine", "new", "old"]
    finally:
        await client.drop_database(db.name)
        await client.close()


async def test_a_service_adopts_older_documents_before_it_starts_serving(
    mongo_url: str, namespace: str
) -> None:
    from shared.runtime import ServiceRuntime
    from shared.settings import ServiceSettings
    from tests.support.services import make_settings

    settings = make_settings(ServiceSettings, namespace, mongo_url, service_name="drafting")
    runtime = ServiceRuntime(settings, account_collections=["drafts"])
    runtime.adopts_default_account("materials")
    await runtime.db["drafts"].insert_one({"_id": "d-old"})
    await runtime.db["materials"].insert_one({"_id": "m-old"})
    try:
        await runtime.start()
        assert (await runtime.db["drafts"].find_one({"_id": "d-old"}) or {})["account"] == "default"
        assert (await runtime.db["materials"].find_one({})) == {
            "_id": "m-old",
            "account": "default",
        }
    finally:
        await runtime.stop()
