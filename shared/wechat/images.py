"""Re-host the images of an article body on WeChat's CDN.

WeChat strips ``<img>`` sources that are not on its own image hosts from article bodies,
so each image must be fetched, uploaded with ``media/uploadimg`` and its URL replaced.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

__all__ = ["WECHAT_IMAGE_HOSTS", "Fetch", "Upload", "guess_image_type", "rewrite_body_images"]

#: Hosts whose images WeChat keeps in article bodies.
WECHAT_IMAGE_HOSTS = frozenset({"mmbiz.qpic.cn", "mmbiz.qlogo.cn", "mmecoa.qpic.cn"})

Fetch = Callable[[str], Awaitable[bytes]]
"""Fetches the bytes of an image given its (unescaped) URL."""

Upload = Callable[[bytes, str], Awaitable[str]]
"""Uploads image bytes under a file name and returns the WeChat-hosted URL."""

_IMG_SRC = re.compile(
    r"""(?P<head><img\b[^>]*?\bsrc\s*=\s*)(?P<quote>["'])(?P<src>.*?)(?P=quote)""",
    re.IGNORECASE | re.DOTALL,
)


def guess_image_type(content: bytes) -> tuple[str, str]:
    """Return ``(mime type, file extension)`` sniffed from the image's magic bytes."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", ".png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", ".jpg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif", ".gif"
    if content.startswith(b"BM"):
        return "image/bmp", ".bmp"
    return "application/octet-stream", ""


def _is_wechat_hosted(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() in WECHAT_IMAGE_HOSTS


def _filename_for(url: str, index: int) -> str:
    name = posixpath.basename(urlsplit(url).path)
    return name if name else f"image-{index}"


async def rewrite_body_images(body_html: str, *, fetch: Fetch, upload: Upload) -> str:
    """Upload every non-WeChat ``<img src>`` of ``body_html`` and point it at WeChat's copy.

    Each distinct source is fetched and uploaded once; images already on WeChat's hosts
    are left alone. Errors from ``fetch`` or ``upload`` propagate unchanged.
    """
    replacements: dict[str, str] = {}
    for match in _IMG_SRC.finditer(body_html):
        src = html.unescape(match["src"]).strip()
        if not src or src in replacements or _is_wechat_hosted(src):
            continue
        content = await fetch(src)
        replacements[src] = await upload(content, _filename_for(src, len(replacements)))

    def substitute(match: re.Match[str]) -> str:
        src = html.unescape(match["src"]).strip()
        if src not in replacements:
            return match[0]
        new = html.escape(replacements[src], quote=True)
        return f"{match['head']}{match['quote']}{new}{match['quote']}"

    return _IMG_SRC.sub(substitute, body_html)
