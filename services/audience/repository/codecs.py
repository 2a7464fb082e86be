"""Domain objects to and from MongoDB documents."""

from __future__ import annotations

from datetime import time
from typing import Any

from services.audience.domain.accounts import scoped_key
from services.audience.domain.branches import Branch, Campaign, QrCode
from services.audience.domain.followers import Follower
from services.audience.domain.menu import Button, ButtonType, Menu
from services.audience.domain.replies import (
    ActiveHours,
    Article,
    KeywordRule,
    MatchMode,
    Reply,
    ReplyKind,
)
from services.audience.domain.scenes import Attribution
from shared.accounts import DEFAULT_ACCOUNT
from shared.events.followers import FollowerSource, FollowerVia
from shared.mongo import MongoDoc

__all__ = [
    "branch_doc",
    "branch_of",
    "button_of",
    "campaign_doc",
    "campaign_of",
    "follower_doc",
    "follower_of",
    "account_of",
    "key_of",
    "reply_doc",
    "reply_of",
    "rule_doc",
    "rule_of",
]


def account_of(doc: MongoDoc) -> str:
    """The document's account (one written before accounts: the default's)."""
    return str(doc.get("account") or DEFAULT_ACCOUNT)


def key_of(doc: MongoDoc, field: str) -> str:
    """The account's own key (code, openid): the field, else the default account's ``_id``."""
    return str(doc.get(field) or doc["_id"])


def _qr_doc(qr: QrCode | None) -> MongoDoc | None:
    if qr is None:
        return None
    return {"scene": qr.scene, "ticket": qr.ticket, "url": qr.url, "expires_at": qr.expires_at}


def _qr_of(doc: MongoDoc | None) -> QrCode | None:
    if not doc:
        return None
    return QrCode(doc["scene"], doc["ticket"], doc["url"], doc.get("expires_at"))


def branch_doc(branch: Branch) -> MongoDoc:
    return {
        "_id": scoped_key(branch.account, branch.code),
        "account": branch.account,
        "code": branch.code,
        "name": branch.name,
        "administrator": branch.administrator,
        "target": branch.target,
        "greeting": branch.greeting,
        "created_at": branch.created_at,
        "qr": _qr_doc(branch.qr),
    }


def branch_of(doc: MongoDoc) -> Branch:
    return Branch(
        code=key_of(doc, "code"),
        name=doc["name"],
        administrator=doc["administrator"],
        target=int(doc["target"]),
        greeting=doc.get("greeting"),
        created_at=doc["created_at"],
        qr=_qr_of(doc.get("qr")),
        account=account_of(doc),
    )


def campaign_doc(campaign: Campaign) -> MongoDoc:
    return {
        "_id": scoped_key(campaign.account, campaign.code),
        "account": campaign.account,
        "code": campaign.code,
        "name": campaign.name,
        "expires_at": campaign.expires_at,
        "greeting": campaign.greeting,
        "created_at": campaign.created_at,
        "qr": _qr_doc(campaign.qr),
    }


def campaign_of(doc: MongoDoc) -> Campaign:
    return Campaign(
        code=key_of(doc, "code"),
        name=doc["name"],
        expires_at=doc["expires_at"],
        greeting=doc.get("greeting"),
        created_at=doc["created_at"],
        qr=_qr_of(doc.get("qr")),
        account=account_of(doc),
    )


def follower_doc(f: Follower) -> MongoDoc:
    a = f.attribution
    return {
        "_id": scoped_key(f.account, f.openid),
        "account": f.account,
        "openid": f.openid,
        "subscribed": f.subscribed,
        "source": a.source.value,
        "branch_code": a.branch_code,
        "campaign_code": a.campaign_code,
        "scene": a.scene,
        "subscribed_at": f.subscribed_at,
        "unsubscribed_at": f.unsubscribed_at,
        "subscriptions": f.subscriptions,
        "via": f.via.value,
        "scans": f.scans,
    }


def follower_of(doc: MongoDoc) -> Follower:
    return Follower(
        openid=key_of(doc, "openid"),
        subscribed=bool(doc["subscribed"]),
        attribution=Attribution(
            FollowerSource(doc["source"]),
            branch_code=doc.get("branch_code"),
            campaign_code=doc.get("campaign_code"),
            scene=doc.get("scene"),
        ),
        subscribed_at=doc.get("subscribed_at"),
        unsubscribed_at=doc.get("unsubscribed_at"),
        subscriptions=int(doc.get("subscriptions", 1)),
        via=FollowerVia(doc.get("via", "push")),
        scans=int(doc.get("scans", 0)),
        account=account_of(doc),
    )


def reply_doc(reply: Reply | None) -> MongoDoc | None:
    if reply is None:
        return None
    return {
        "kind": reply.kind.value,
        "text": reply.text,
        "media_id": reply.media_id,
        "articles": [_article(a) for a in reply.articles],
    }


def _article(a: Article) -> MongoDoc:
    return {"title": a.title, "description": a.description, "pic_url": a.pic_url, "url": a.url}


def reply_of(doc: MongoDoc | None) -> Reply | None:
    if not doc:
        return None
    return Reply(
        kind=ReplyKind(doc["kind"]),
        text=doc.get("text", ""),
        media_id=doc.get("media_id", ""),
        articles=tuple(Article(**a) for a in doc.get("articles", [])),
    )


def rule_doc(rule: KeywordRule) -> MongoDoc:
    hours = rule.hours
    return {
        "_id": rule.rule_id,
        "keyword": rule.keyword,
        "mode": rule.mode.value,
        "priority": rule.priority,
        "reply": reply_doc(rule.reply),
        "hours": (
            {"start": hours.start.isoformat("minutes"), "end": hours.end.isoformat("minutes")}
            if hours
            else None
        ),
        "enabled": rule.enabled,
        "seq": rule.seq,
        "account": rule.account,
    }


def rule_of(doc: MongoDoc) -> KeywordRule:
    hours = doc.get("hours")
    reply = reply_of(doc["reply"])
    assert reply is not None
    return KeywordRule(
        rule_id=doc["_id"],
        keyword=doc["keyword"],
        mode=MatchMode(doc["mode"]),
        reply=reply,
        priority=int(doc.get("priority", 0)),
        hours=(
            ActiveHours(time.fromisoformat(hours["start"]), time.fromisoformat(hours["end"]))
            if hours
            else None
        ),
        enabled=bool(doc.get("enabled", True)),
        seq=int(doc.get("seq", 0)),
        account=account_of(doc),
    )


def button_of(doc: dict[str, Any]) -> Button:
    return Button(
        name=doc["name"],
        type=ButtonType(doc["type"]) if doc.get("type") else None,
        key=doc.get("key"),
        url=doc.get("url"),
        appid=doc.get("appid"),
        pagepath=doc.get("pagepath"),
        sub_buttons=tuple(button_of(b) for b in doc.get("sub_button", [])),
    )


def menu_of(buttons: list[dict[str, Any]]) -> Menu:
    return Menu(tuple(button_of(b) for b in buttons))
