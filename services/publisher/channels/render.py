"""A post as a standalone, mobile-friendly HTML page (the local channel's article)."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from services.publisher.domain.channel import PublishRequest

__all__ = ["render_post_html"]

_STYLE = """
  :root { color-scheme: light dark; }
  body { margin: 0; background: #f5f5f5; color: #222;
    font: 17px/1.75 -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB",
      "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif; }
  main { max-width: 677px; margin: 0 auto; padding: 20px 16px 48px; background: #fff; }
  h1 { font-size: 22px; line-height: 1.4; margin: 0 0 12px; }
  .meta { color: #888; font-size: 15px; margin-bottom: 20px; }
  .meta .author { color: #576b95; margin-right: 8px; }
  .digest { color: #555; border-left: 3px solid #07c160; padding: 4px 12px; margin: 0 0 20px; }
  img { max-width: 100%; height: auto; }
  .cover { display: block; width: 100%; border-radius: 4px; margin-bottom: 20px; }
  article { word-wrap: break-word; overflow-wrap: anywhere; }
  footer { color: #aaa; font-size: 12px; margin-top: 40px; }
  @media (prefers-color-scheme: dark) {
    body { background: #111; color: #ddd; } main { background: #191919; }
  }
"""


def _safe_url(url: str | None) -> str | None:
    if url and url.lower().startswith(("https://", "http://")):
        return escape(url, quote=True)
    return None


def render_post_html(post: PublishRequest, *, published_at: datetime, zone: ZoneInfo) -> str:
    """The page for ``post``: escaped title, digest and author; the sanitised body as is."""
    title = escape(post.title, quote=True)
    local = published_at.astimezone(zone)
    cover = _safe_url(post.cover_url)
    source = _safe_url(post.content_source_url)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f'<meta name="author" content="{escape(post.author, quote=True)}">',
        f'<meta name="description" content="{escape(post.digest, quote=True)}">',
        f'<meta name="post-id" content="{escape(post.post_id, quote=True)}">',
        f'<meta name="content-hash" content="{escape(post.content_hash, quote=True)}">',
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{title}</h1>",
        '<div class="meta">'
        f'<span class="author">{escape(post.author)}</span>'
        f'<time datetime="{local.isoformat(timespec="minutes")}">'
        f"{local:%Y-%m-%d %H:%M}</time></div>",
    ]
    if post.digest:
        parts.append(f'<p class="digest">{escape(post.digest)}</p>')
    if cover:
        parts.append(f'<img class="cover" src="{cover}" alt="">')
    parts.append(f"<article>\n{post.body_html}\n</article>")
    if source:
        parts.append(f'<p><a href="{source}" rel="noopener">阅读原文</a></p>')
    parts += [f"<footer>{escape(post.post_id)}</footer>", "</main>", "</body>", "</html>", ""]
    return "\n".join(parts)
