"""Keyword rules, the default replies and the rules' revision, each of one account."""

from __future__ import annotations

from services.audience.domain.accounts import scoped_key
from services.audience.domain.replies import KeywordRule, Reply
from services.audience.repository.base import Repo
from services.audience.repository.codecs import reply_doc, reply_of, rule_doc, rule_of
from services.audience.repository.indexes import META, RULES
from shared.accounts import DEFAULT_ACCOUNT

__all__ = ["MongoRules"]

_REVISION = "rules-revision"
_DEFAULTS = "default-replies"
_SEQ = "rules-seq"


class MongoRules(Repo):
    async def get(self, rule_id: str) -> KeywordRule | None:
        doc = await self.db[RULES].find_one({"_id": rule_id}, session=self.session)
        return rule_of(doc) if doc else None

    async def all(self, account: str) -> list[KeywordRule]:
        cursor = self.db[RULES].find({"account": account}, session=self.session).sort("seq", 1)
        return [rule_of(d) async for d in cursor]

    async def count(self, account: str) -> int:
        return await self.db[RULES].count_documents({"account": account}, session=self.session)

    async def save(self, rule: KeywordRule) -> None:
        await self.db[RULES].replace_one(
            {"_id": rule.rule_id}, rule_doc(rule), upsert=True, session=self.session
        )

    async def delete(self, rule_id: str) -> bool:
        result = await self.db[RULES].delete_one({"_id": rule_id}, session=self.session)
        return result.deleted_count == 1

    async def _counter(self, name: str) -> int:
        await self.db[META].update_one(
            {"_id": name}, {"$inc": {"n": 1}}, upsert=True, session=self.session
        )
        doc = await self.db[META].find_one({"_id": name}, session=self.session)
        assert doc is not None
        return int(doc["n"])

    async def next_seq(self, account: str) -> int:
        return await self._counter(scoped_key(account, _SEQ))

    async def bump_revision(self, account: str = DEFAULT_ACCOUNT) -> int:
        return await self._counter(scoped_key(account, _REVISION))

    async def revision(self, account: str) -> int:
        doc = await self.db[META].find_one(
            {"_id": scoped_key(account, _REVISION)}, session=self.session
        )
        return int(doc["n"]) if doc else 0

    async def defaults(self, account: str) -> tuple[Reply | None, Reply | None]:
        doc = await self.db[META].find_one(
            {"_id": scoped_key(account, _DEFAULTS)}, session=self.session
        )
        if not doc:
            return None, None
        return reply_of(doc.get("default")), reply_of(doc.get("greeting"))

    async def set_defaults(
        self, account: str, default: Reply | None, greeting: Reply | None
    ) -> None:
        await self.db[META].replace_one(
            {"_id": scoped_key(account, _DEFAULTS)},
            {"account": account, "default": reply_doc(default), "greeting": reply_doc(greeting)},
            upsert=True,
            session=self.session,
        )
