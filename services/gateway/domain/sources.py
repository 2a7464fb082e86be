"""The editor's sources box: one source a line, ``kind | name | url`` (url optional)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["SOURCE_KINDS", "parse_sources", "sources_text"]

SOURCE_KINDS = ("portal", "authority", "news", "internal")


def parse_sources(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """The sources written in ``text``, and why any line is wrong (naming its number)."""
    sources: list[dict[str, str]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        kind, name = parts[0].lower(), parts[1] if len(parts) > 1 else ""
        url = parts[2] if len(parts) > 2 else ""
        if kind not in SOURCE_KINDS:
            problems.append(f"line {number}: kind must be one of {', '.join(SOURCE_KINDS)}")
            continue
        if not name:
            problems.append(f"line {number}: name the source")
            continue
        source = {"kind": kind, "name": name}
        if url:
            source["url"] = url
        sources.append(source)
    return sources, problems


def sources_text(sources: Sequence[Mapping[str, Any]]) -> str:
    """The box's text for stored sources."""
    lines = []
    for s in sources:
        line = f"{s.get('kind', '')} | {s.get('name', '')}"
        if s.get("url"):
            line += f" | {s['url']}"
        lines.append(line)
    return "\n".join(lines)
