"""The branches promote the account (#14, plan §八 推广方式), as the demo plays it.

On the first day's morning the director sets up three branches (each gets its permanent QR
code from WeChat, simulated by ``tests.fakes.wechat_server`` in the demo) and prints their
posters; the promotion specialist adds a keyword rule. Then, every day from 09:00 to
20:00, staff of each branch scan their branch's code and follow the account (WeChat pushes
``subscribe`` with ``EventKey qrscene_branch:<code>`` to the audience service's push URL,
signed as WeChat signs), a few people find the account by search, some followers ask about
invoices by keyword and are answered in the push's own reply, and after some posts a few
followers leave within hours (``unsubscribe``): "did a post drive people away?".

One branch (苏州分公司) brings far fewer followers than its head-count target, so the
reports' followers section has a lagging branch to recommend action on. Every push is sent
once (WeChat may repeat a push: the audience service counts it once; the demo repeats one
subscribe on purpose) and is recorded in :class:`PromotionRecord`.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from demo.client import ApiClient
from demo.config import ZONE, DemoPlan
from demo.progress import DemoProgress
from shared.clock import Clock

__all__ = ["BRANCHES", "DemoBranch", "Promotion", "PromotionRecord", "push_xml"]

KEYWORD = "发票"
SET_UP_AT = timedelta(hours=8, minutes=30)
KEYWORD_REPLY = "开具发票请登录融智服务平台“发票管理”栏目在线申请，一般 2 个工作日内开出。"


@dataclass(frozen=True)
class DemoBranch:
    """A branch of the company and how many of its staff follow per working day."""

    code: str
    name: str
    administrator: str
    target: int
    per_day: int


BRANCHES = (
    DemoBranch("pudong", "浦东分公司", "王经理", target=40, per_day=4),
    DemoBranch("minhang", "闵行分公司", "李经理", target=30, per_day=3),
    DemoBranch("suzhou", "苏州分公司", "赵经理", target=30, per_day=1),  # lags behind
)


@dataclass
class PromotionRecord:
    """What the promotion sent, for the summary and the e2e test."""

    branches: dict[str, int] = field(default_factory=dict)  # code -> subscribes sent
    search: int = 0
    unsubscribes: int = 0
    repeated_pushes: int = 0
    keyword_questions: int = 0
    keyword_answered: int = 0  # passive replies carrying the rule's text
    posters: list[str] = field(default_factory=list)


def push_xml(
    sender: str, create_time: int, event: str | None, *, key: str = "", text: str = ""
) -> bytes:
    """A WeChat push: an event (subscribe, unsubscribe) or, without one, a text message."""
    head = (
        "<xml><ToUserName><![CDATA[gh_rongzhi]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime>"
    )
    if event is None:
        msg_id = secrets.randbelow(10**15) + 10**15
        return (
            head + f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
            f"<MsgId>{msg_id}</MsgId></xml>"
        ).encode()
    event_key = f"<EventKey><![CDATA[{key}]]></EventKey>" if key else ""
    return (
        head + f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>"
        f"{event_key}</xml>"
    ).encode()


def sha1_signature(*parts: str) -> str:
    """WeChat's push signature: sha1 of the parts sorted and joined (as the platform's
    shared.wechat checks it; computed here so the demo needs no WeChat crypto library)."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


class Promotion:
    """Sets up the branches, then plays their staff following the account."""

    def __init__(
        self,
        *,
        plan: DemoPlan,
        clock: Clock,
        api: ApiClient,
        audience_url: str,
        token: str,
        progress: DemoProgress,
        at: Callable[[datetime], Awaitable[None]],
        seed: int,
        record: PromotionRecord,
    ) -> None:
        self.plan = plan
        self.clock = clock
        self.api = api
        self.url = audience_url
        self.token = token
        self.progress = progress
        self.at = at
        self.rng = random.Random(seed * 31 + 5)
        self.record = record
        self.followers: list[str] = []  # openids following now, oldest first
        self._http = httpx.AsyncClient(timeout=30.0)

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- set-up -----------------------------------------------------------------------
    async def set_up(self) -> None:
        """The branches with their codes and posters, and the keyword rule."""
        folder = Path(self.plan.run_dir) / "posters"
        folder.mkdir(parents=True, exist_ok=True)
        for branch in BRANCHES:
            await self.api.create_branch(
                {
                    "code": branch.code,
                    "name": branch.name,
                    "administrator": branch.administrator,
                    "target": branch.target,
                    "greeting": f"欢迎{branch.name}的同事关注融智财税！",
                }
            )
            path = folder / f"branch-{branch.code}.pdf"
            path.write_bytes(await self.api.branch_poster(branch.code, "pdf"))
            self.record.posters.append(str(path))
            self.record.branches[branch.code] = 0
        await self.api.create_rule(
            {
                "keyword": KEYWORD,
                "mode": "contains",
                "reply": {"kind": "text", "text": KEYWORD_REPLY},
            }
        )
        self.progress.event(
            f"推广：{len(BRANCHES)} 个网点的二维码和海报已生成，关键词「{KEYWORD}」自动回复已设置",
            style="cyan",
        )

    # -- the days ---------------------------------------------------------------------
    async def run(self, days: list[date], post_days: set[date]) -> None:
        """Every simulated day: branch staff follow, some ask by keyword; on a push day,
        a few followers leave in the afternoon."""
        # on the first day's morning: a branch saved on the Sunday before would make that
        # week one with data, and the reporting service would report it
        await self.at(datetime.combine(days[0], datetime.min.time(), tzinfo=ZONE) + SET_UP_AT)
        await self.set_up()
        for day in days:
            await self.run_day(day, leaving=day in post_days)
        await self.aclose()

    async def run_day(self, day: date, *, leaving: bool) -> None:
        actions: list[tuple[datetime, Callable[[], Awaitable[None]]]] = []
        start = datetime.combine(day, datetime.min.time(), tzinfo=ZONE) + timedelta(hours=9)
        for branch in BRANCHES:
            count = branch.per_day if day.weekday() < 5 else 0
            for _ in range(count):
                when = start + timedelta(minutes=self.rng.randrange(0, 11 * 60))
                actions.append((when, self._subscriber(f"qrscene_branch:{branch.code}", branch)))
        if self.rng.random() < 0.7:  # someone finds the account by search
            when = start + timedelta(minutes=self.rng.randrange(0, 11 * 60))
            actions.append((when, self._subscriber("", None)))
        for _ in range(2):
            when = start + timedelta(minutes=self.rng.randrange(30, 11 * 60))
            actions.append((when, self._keyword_question))
        if leaving:  # after the 11:30 push, a few leave within hours
            for _ in range(self.rng.choice((0, 1, 2))):
                when = start + timedelta(hours=4, minutes=self.rng.randrange(0, 5 * 60))
                actions.append((when, self._unsubscribe))
        for when, act in sorted(actions, key=lambda a: a[0]):
            await self.at(when)
            await act()

    def _subscriber(self, key: str, branch: DemoBranch | None) -> Callable[[], Awaitable[None]]:
        async def subscribe() -> None:
            openid = f"o{secrets.token_hex(13)}"
            body = push_xml(openid, self._now(), "subscribe", key=key)
            await self._push(body)
            if branch is not None and self.record.branches[branch.code] == 0:
                await self._push(body)  # WeChat repeats a push: counted once
                self.record.repeated_pushes += 1
            self.followers.append(openid)
            if branch is None:
                self.record.search += 1
            else:
                self.record.branches[branch.code] += 1

        return subscribe

    async def _unsubscribe(self) -> None:
        if not self.followers:
            return
        openid = self.followers.pop(self.rng.randrange(len(self.followers)))
        await self._push(push_xml(openid, self._now(), "unsubscribe"))
        self.record.unsubscribes += 1

    async def _keyword_question(self) -> None:
        if not self.followers:
            return
        openid = self.rng.choice(self.followers)
        # a keyword, not a question: answered in the push's reply, not handed to feedback
        answer = await self._push(push_xml(openid, self._now(), None, text=f"开{KEYWORD}"))
        self.record.keyword_questions += 1
        if KEYWORD_REPLY in answer:
            self.record.keyword_answered += 1

    # -- WeChat's side ----------------------------------------------------------------
    def _now(self) -> int:
        """The push's CreateTime: the simulated instant (the platform's shared clock)."""
        return int(self.clock.now().timestamp())

    async def _push(self, body: bytes) -> str:
        """POST one push, signed with the account's token (real time, as WeChat signs)."""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        params: dict[str, Any] = {
            "signature": sha1_signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        response = await self._http.post(f"{self.url}/wechat/push", params=params, content=body)
        response.raise_for_status()
        return response.text
