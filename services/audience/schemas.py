"""HTTP schemas of the audience API (``XCreate`` in, ``XPublic`` out). Every field is
bounded; WeChat's own limits on the menu are checked by the domain, naming the button."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, Self

from pydantic import BaseModel, Field, model_validator

from services.audience.domain.branches import Branch, Campaign
from services.audience.domain.followers import Follower
from services.audience.domain.menu import Button, ButtonType, Menu
from services.audience.domain.replies import (
    MAX_KEYWORD_CHARS,
    ActiveHours,
    Article,
    KeywordRule,
    MatchMode,
    Reply,
    ReplyKind,
)
from services.audience.domain.scenes import CODE_PATTERN
from shared.accounts import ACCOUNT_ID_PATTERN, DEFAULT_ACCOUNT
from shared.bounds import Instant

__all__ = [
    "AccountIn",
    "BranchCreate",
    "BranchPublic",
    "CampaignCreate",
    "CampaignPublic",
    "DefaultsIn",
    "FollowerPublic",
    "MenuCreate",
    "MenuVersionPublic",
    "ReplyIn",
    "RuleCreate",
    "RuleFields",
    "RulePublic",
]

MAX_REPLY_TEXT = 600  # WeChat takes 2,048 bytes of text: 600 Chinese characters fit


def _account(what: str) -> Any:
    return Field(
        default=DEFAULT_ACCOUNT,
        pattern=ACCOUNT_ID_PATTERN,
        description=f"The official account (公众号) {what}; unknown: 404 naming `account`.",
        examples=["default", "talent"],
    )


def _belongs() -> Any:
    return Field(description="The official account (公众号) it belongs to.", examples=["default"])


class AccountIn(BaseModel):
    """Names the official account an action is for (back-fill, reconciliation)."""

    account: str = _account("to act for")


class BranchCreate(BaseModel):
    """A branch: its code (letters, digits, - and _), name, administrator, head-count."""

    code: str = Field(pattern=CODE_PATTERN, examples=["sh-pudong"])
    name: str = Field(min_length=1, max_length=40, examples=["浦东分公司"])
    administrator: str = Field(min_length=1, max_length=64, examples=["王经理"])
    target: int = Field(ge=0, le=1_000_000, description="Staff head-count to reach.")
    greeting: str | None = Field(
        default=None, max_length=MAX_REPLY_TEXT, description="Greets followers of its code."
    )
    account: str = _account("the branch belongs to (its code is unique within it)")


class BranchPublic(BaseModel):
    account: str = _belongs()
    code: str
    name: str
    administrator: str
    target: int
    greeting: str | None
    scene: str | None
    qrcode_url: str | None = Field(description="The code's content (what it encodes).")
    created_at: datetime

    @classmethod
    def of(cls, b: Branch) -> Self:
        return cls(
            account=b.account,
            code=b.code,
            name=b.name,
            administrator=b.administrator,
            target=b.target,
            greeting=b.greeting,
            scene=b.qr.scene if b.qr else None,
            qrcode_url=b.qr.url if b.qr else None,
            created_at=b.created_at,
        )


class CampaignCreate(BaseModel):
    """A campaign (an event, an article) with a temporary code, at most 30 days."""

    code: str = Field(pattern=CODE_PATTERN, examples=["spring-fair"])
    name: str = Field(min_length=1, max_length=40)
    expires_at: Instant = Field(description="When the code stops working (30 days at most).")
    greeting: str | None = Field(default=None, max_length=MAX_REPLY_TEXT)
    account: str = _account("the campaign belongs to (its code is unique within it)")


class CampaignPublic(BaseModel):
    account: str = _belongs()
    code: str
    name: str
    expires_at: datetime
    greeting: str | None
    scene: str | None
    qrcode_url: str | None
    created_at: datetime

    @classmethod
    def of(cls, c: Campaign) -> Self:
        return cls(
            account=c.account,
            code=c.code,
            name=c.name,
            expires_at=c.expires_at,
            greeting=c.greeting,
            scene=c.qr.scene if c.qr else None,
            qrcode_url=c.qr.url if c.qr else None,
            created_at=c.created_at,
        )


class ArticleIn(BaseModel):
    title: str = Field(min_length=1, max_length=64)
    description: str = Field(default="", max_length=120)
    pic_url: str = Field(default="", max_length=1024)
    url: str = Field(min_length=1, max_length=1024, pattern=r"^https?://")


class ReplyIn(BaseModel):
    """A passive reply: ``text``, a picture (``image``: a media_id) or an article (``news``)."""

    kind: ReplyKind
    text: str = Field(default="", max_length=MAX_REPLY_TEXT)
    media_id: str = Field(default="", max_length=128)
    articles: list[ArticleIn] = Field(default_factory=list, max_length=1)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.kind is ReplyKind.TEXT and not self.text.strip():
            raise ValueError("text is required for a text reply")
        if self.kind is ReplyKind.IMAGE and not self.media_id:
            raise ValueError("media_id is required for an image reply")
        if self.kind is ReplyKind.NEWS and not self.articles:
            raise ValueError("articles (one) is required for a news reply")
        return self

    def to_domain(self) -> Reply:
        return Reply(
            kind=self.kind,
            text=self.text,
            media_id=self.media_id,
            articles=tuple(Article(**a.model_dump()) for a in self.articles),
        )

    @classmethod
    def of(cls, r: Reply) -> Self:
        return cls(
            kind=r.kind,
            text=r.text,
            media_id=r.media_id,
            articles=[ArticleIn(**vars_of(a)) for a in r.articles],
        )


def vars_of(a: Article) -> dict[str, Any]:
    return {"title": a.title, "description": a.description, "pic_url": a.pic_url, "url": a.url}


class HoursIn(BaseModel):
    """China wall-clock hours; ``end`` before ``start`` runs past midnight."""

    start: time
    end: time

    @model_validator(mode="after")
    def _naive_and_distinct(self) -> Self:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("hours are China wall-clock times, without a zone")
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self


class RuleFields(BaseModel):
    """A keyword rule (a replacement keeps the rule's account)."""

    keyword: str = Field(min_length=1, max_length=MAX_KEYWORD_CHARS, examples=["发票"])
    mode: MatchMode = MatchMode.CONTAINS
    priority: int = Field(default=0, ge=-1000, le=1000)
    reply: ReplyIn
    hours: HoursIn | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _keyword_not_blank(self) -> Self:
        if not self.keyword.strip():
            raise ValueError("keyword is blank")
        return self

    def to_domain(self, account: str = DEFAULT_ACCOUNT) -> KeywordRule:
        return KeywordRule(
            rule_id="",
            keyword=self.keyword.strip(),
            mode=self.mode,
            reply=self.reply.to_domain(),
            priority=self.priority,
            hours=ActiveHours(self.hours.start, self.hours.end) if self.hours else None,
            enabled=self.enabled,
            account=account,
        )


class RuleCreate(RuleFields):
    """A keyword rule of an account (it answers that account's followers only)."""

    account: str = _account("whose followers the rule answers")


class RulePublic(RuleCreate):
    rule_id: str

    @classmethod
    def of(cls, r: KeywordRule) -> RulePublic:
        return cls(
            account=r.account,
            rule_id=r.rule_id,
            keyword=r.keyword,
            mode=r.mode,
            priority=r.priority,
            reply=ReplyIn.of(r.reply),
            hours=HoursIn(start=r.hours.start, end=r.hours.end) if r.hours else None,
            enabled=r.enabled,
        )


class DefaultsIn(BaseModel):
    """An account's reply to a message no rule answers, and its greeting when a branch
    has none."""

    account: str = _account("whose followers these answer")
    default: ReplyIn | None = None
    greeting: ReplyIn | None = None


class SubButtonIn(BaseModel):
    name: str = Field(max_length=60)
    type: ButtonType
    key: str | None = Field(default=None, max_length=256)
    url: str | None = Field(default=None, max_length=2048)
    appid: str | None = Field(default=None, max_length=64)
    pagepath: str | None = Field(default=None, max_length=512)

    def to_domain(self) -> Button:
        return Button(
            name=self.name,
            type=self.type,
            key=self.key,
            url=self.url,
            appid=self.appid,
            pagepath=self.pagepath,
        )


class ButtonIn(BaseModel):
    """A top-level button: an action (``type`` ...) or a group (``sub_buttons``)."""

    name: str = Field(max_length=60)
    type: ButtonType | None = None
    key: str | None = Field(default=None, max_length=256)
    url: str | None = Field(default=None, max_length=2048)
    appid: str | None = Field(default=None, max_length=64)
    pagepath: str | None = Field(default=None, max_length=512)
    sub_buttons: list[SubButtonIn] = Field(default_factory=list, max_length=10)

    def to_domain(self) -> Button:
        return Button(
            name=self.name,
            type=self.type,
            key=self.key,
            url=self.url,
            appid=self.appid,
            pagepath=self.pagepath,
            sub_buttons=tuple(b.to_domain() for b in self.sub_buttons),
        )


class MenuCreate(BaseModel):
    """A version of the menu (checked against WeChat's limits: 3 x 5 buttons ...)."""

    buttons: list[ButtonIn] = Field(max_length=10)
    note: str = Field(default="", max_length=200)
    account: str = _account("whose menu this is (versions are numbered per account)")

    def to_domain(self) -> Menu:
        return Menu(tuple(b.to_domain() for b in self.buttons))


class MenuVersionPublic(BaseModel):
    account: str = _belongs()
    version: int = Field(description="Numbered per account.")
    buttons: list[dict[str, Any]] = Field(description="As sent to WeChat's menu/create.")
    note: str
    created_at: datetime
    created_by: str
    published_at: datetime | None
    current: bool


class FollowerPublic(BaseModel):
    """A follower as stored: openid as received, attribution, no personal data."""

    account: str = _belongs()
    openid: str
    subscribed: bool
    source: str
    branch_code: str | None
    campaign_code: str | None
    scene: str | None
    subscribed_at: datetime | None
    unsubscribed_at: datetime | None
    subscriptions: int
    via: str
    scans: int

    @classmethod
    def of(cls, f: Follower) -> Self:
        a = f.attribution
        return cls(
            account=f.account,
            openid=f.openid,
            subscribed=f.subscribed,
            source=a.source.value,
            branch_code=a.branch_code,
            campaign_code=a.campaign_code,
            scene=a.scene,
            subscribed_at=f.subscribed_at,
            unsubscribed_at=f.unsubscribed_at,
            subscriptions=f.subscriptions,
            via=f.via.value,
            scans=f.scans,
        )
