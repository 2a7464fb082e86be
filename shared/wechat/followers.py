"""The follower side of the Official Account API: parametric QR codes, followers, their
statistics (datacube) and the custom menu.

:class:`AudienceApi` wraps a :class:`~.client.WeChatClient` (same token, same retry
rules). Reads (``user/get``, ``user/info``, ``menu/get``, datacube) retry; ``qrcode/create``
is safe to repeat for a permanent string scene (WeChat answers the same code for the same
scene), so it retries too; ``menu/create`` replaces the whole menu, so repeating it is
harmless. Dates are China dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .client import WeChatClient
from .errors import WeChatError

__all__ = [
    "DEFAULT_QRCODE_BASE_URL",
    "AudienceApi",
    "FollowerInfo",
    "FollowerPage",
    "QrTicket",
    "UserCumulateRow",
    "UserSummaryRow",
]

DEFAULT_QRCODE_BASE_URL = "https://mp.weixin.qq.com"
#: Longest span of one datacube user call (WeChat: 7 days).
DATACUBE_MAX_DAYS = 7


@dataclass(frozen=True, slots=True)
class QrTicket:
    """A parametric QR code: show it with ``showqrcode?ticket=``; ``url`` is its content."""

    ticket: str
    url: str
    expire_seconds: int | None


@dataclass(frozen=True, slots=True)
class FollowerPage:
    """One page of ``user/get``: up to 10,000 openids and where the next page starts."""

    total: int
    openids: tuple[str, ...]
    next_openid: str


@dataclass(frozen=True, slots=True)
class FollowerInfo:
    """What ``user/info`` says of a follower, without the personal details we do not keep."""

    openid: str
    subscribed: bool
    subscribe_time: int | None
    subscribe_scene: str | None
    qr_scene_str: str | None


@dataclass(frozen=True, slots=True)
class UserSummaryRow:
    """``getusersummary``: one day and user source's new and cancelled followers."""

    ref_date: date
    user_source: int
    new_user: int
    cancel_user: int


@dataclass(frozen=True, slots=True)
class UserCumulateRow:
    """``getusercumulate``: the follower total at the end of a day."""

    ref_date: date
    cumulate_user: int


def _int(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = data.get(key, default)
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise WeChatError(None, f"{key} is not an integer: {value!r}") from exc


class AudienceApi:
    """QR codes, followers, user statistics and the menu, through one client."""

    def __init__(
        self, client: WeChatClient, *, qrcode_base_url: str = DEFAULT_QRCODE_BASE_URL
    ) -> None:
        self.client = client
        self._qrcode_base_url = qrcode_base_url.rstrip("/")

    async def create_qrcode(self, scene: str, *, expire_seconds: int | None = None) -> QrTicket:
        """A permanent (``QR_LIMIT_STR_SCENE``) or, with ``expire_seconds``, temporary
        (``QR_STR_SCENE``, at most 30 days) code for the string ``scene`` (1-64 chars)."""
        body: dict[str, Any] = {"action_info": {"scene": {"scene_str": scene}}}
        if expire_seconds is None:
            body["action_name"] = "QR_LIMIT_STR_SCENE"
        else:
            body["action_name"] = "QR_STR_SCENE"
            body["expire_seconds"] = expire_seconds
        data = await self.client.call("/cgi-bin/qrcode/create", body=body, idempotent=True)
        expires = data.get("expire_seconds")
        return QrTicket(
            ticket=str(data["ticket"]),
            url=str(data.get("url", "")),
            expire_seconds=int(expires) if expires is not None else None,
        )

    async def show_qrcode(self, ticket: str) -> bytes:
        """The code's image (JPEG or PNG), from ``showqrcode``."""
        return await self.client.fetch_bytes(
            f"{self._qrcode_base_url}/cgi-bin/showqrcode", {"ticket": ticket}
        )

    async def followers(self, next_openid: str = "") -> FollowerPage:
        """One page of followers' openids, from ``next_openid`` ("" for the first)."""
        data = await self.client.call(
            "/cgi-bin/user/get",
            query={"next_openid": next_openid},
            idempotent=True,
            method="GET",
        )
        openids = data.get("data", {}).get("openid", []) if data.get("data") else []
        return FollowerPage(
            total=_int(data, "total"),
            openids=tuple(str(o) for o in openids),
            next_openid=str(data.get("next_openid") or ""),
        )

    async def follower_info(self, openid: str) -> FollowerInfo:
        """A follower's subscription and how they came (``subscribe_scene``, ``qr_scene_str``)."""
        data = await self.client.call(
            "/cgi-bin/user/info",
            query={"openid": openid, "lang": "zh_CN"},
            idempotent=True,
            method="GET",
        )
        subscribed = _int(data, "subscribe") == 1
        return FollowerInfo(
            openid=str(data.get("openid") or openid),
            subscribed=subscribed,
            subscribe_time=_int(data, "subscribe_time") if subscribed else None,
            subscribe_scene=str(data["subscribe_scene"]) if data.get("subscribe_scene") else None,
            qr_scene_str=str(data["qr_scene_str"]) if data.get("qr_scene_str") else None,
        )

    async def _datacube(self, path: str, begin: date, end: date) -> list[dict[str, Any]]:
        if not 0 <= (end - begin).days < DATACUBE_MAX_DAYS:
            raise ValueError(f"a datacube span is 1 to {DATACUBE_MAX_DAYS} days")
        body = {"begin_date": begin.isoformat(), "end_date": end.isoformat()}
        data = await self.client.call(path, body=body, idempotent=True)
        rows = data.get("list", [])
        return [r for r in rows if isinstance(r, dict)]

    async def user_summary(self, begin: date, end: date) -> list[UserSummaryRow]:
        """New and cancelled followers per day and user source (T+1, 7 days at most)."""
        rows = await self._datacube("/datacube/getusersummary", begin, end)
        return [
            UserSummaryRow(
                ref_date=date.fromisoformat(str(r["ref_date"])),
                user_source=_int(r, "user_source"),
                new_user=_int(r, "new_user"),
                cancel_user=_int(r, "cancel_user"),
            )
            for r in rows
        ]

    async def user_cumulate(self, begin: date, end: date) -> list[UserCumulateRow]:
        """The follower total at the end of each day (T+1, 7 days at most)."""
        rows = await self._datacube("/datacube/getusercumulate", begin, end)
        return [
            UserCumulateRow(
                ref_date=date.fromisoformat(str(r["ref_date"])),
                cumulate_user=_int(r, "cumulate_user"),
            )
            for r in rows
        ]

    async def create_menu(self, buttons: Sequence[Mapping[str, Any]]) -> None:
        """Replace the custom menu with ``buttons`` (WeChat's JSON shape)."""
        await self.client.call(
            "/cgi-bin/menu/create", body={"button": list(buttons)}, idempotent=True
        )

    async def get_menu(self) -> list[dict[str, Any]]:
        """The custom menu's buttons as WeChat holds them ([] when none)."""
        try:
            data = await self.client.call("/cgi-bin/menu/get", idempotent=True, method="GET")
        except WeChatError as exc:
            if exc.errcode == 46003:  # menu no exist
                return []
            raise
        menu = data.get("menu") or {}
        return list(menu.get("button", []))

    async def delete_menu(self) -> None:
        """Remove the custom menu."""
        await self.client.call("/cgi-bin/menu/delete", idempotent=True, method="GET")
