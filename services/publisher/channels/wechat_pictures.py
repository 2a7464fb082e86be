"""The pictures of a WeChat article: fetched from where the draft keeps them, re-hosted.

WeChat shows only pictures it hosts: the body's images are uploaded with
``media/uploadimg`` and the cover as permanent material. Network trouble fetching a
picture is transient (try again later); a picture that is not there is permanent.
"""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

import httpx

from services.publisher.channels.errors import PermanentChannelError, TransientChannelError
from services.publisher.domain.channel import PublishRequest
from shared.wechat import WeChatClient

__all__ = ["WeChatPictures"]


class WeChatPictures:
    """Fetches a post's pictures over ``http`` and uploads its cover through ``client``."""

    def __init__(
        self,
        client: WeChatClient,
        http: httpx.AsyncClient,
        *,
        timeout: float,
        channel: str,
        default_thumb_media_id: str | None = None,
    ) -> None:
        self._client = client
        self._http = http
        self._timeout = timeout
        self._channel = channel
        self._default_thumb = default_thumb_media_id

    async def cover(self, post: PublishRequest) -> str:
        """The ``thumb_media_id`` of the post's cover (or of the configured default)."""
        if post.cover_url is None:
            if self._default_thumb:
                return self._default_thumb
            raise PermanentChannelError(
                "a WeChat article needs a cover picture and none is set", channel=self._channel
            )
        content = await self.fetch(post.cover_url)
        return await self._client.add_permanent_image(content, _filename(post.cover_url))

    async def fetch(self, url: str) -> bytes:
        """The bytes of a picture to re-host; network trouble is transient."""
        try:
            response = await self._http.get(url, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise TransientChannelError(f"fetching {url}: {exc!r}", channel=self._channel) from exc
        status = response.status_code
        if status >= 500 or status == 429:
            raise TransientChannelError(f"fetching {url}: {status}", channel=self._channel)
        if not response.is_success:
            raise PermanentChannelError(f"fetching {url}: {status}", channel=self._channel)
        return response.content


def _filename(url: str) -> str:
    return posixpath.basename(urlsplit(url).path) or "cover"
