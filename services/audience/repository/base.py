"""The session-aware base every repository shares."""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import MongoDoc

__all__ = ["Repo"]


class Repo:
    """A repository on ``db``, writing in ``session``'s transaction when given one."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self.db = db
        self.session = session
