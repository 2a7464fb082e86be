"""The core-issues document a window's close issues, and where it is served."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.accounts import DEFAULT_ACCOUNT

__all__ = ["DOCUMENT_FORMATS", "IssuedDocument", "document_paths"]

DOCUMENT_FORMATS: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
"""Format -> content type of the stored document."""


def document_paths(post_id: str, base_url: str = "") -> dict[str, str]:
    """Where each format of a post's document is served."""
    prefix = base_url.rstrip("/")
    return {fmt: f"{prefix}/windows/{post_id}/document.{fmt}" for fmt in DOCUMENT_FORMATS}


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """One post's document: the digest (as JSON) and its three renderings."""

    digest_id: str
    post_id: str
    generated_at: datetime
    window_start: datetime
    window_end: datetime
    digest: Mapping[str, Any]
    markdown: str
    html: str
    docx: bytes
    account: str = DEFAULT_ACCOUNT
