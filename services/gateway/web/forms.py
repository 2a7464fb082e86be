"""Reading ``application/x-www-form-urlencoded`` forms (no multipart: the console sends none)."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

from services.gateway.errors import InvalidInput

__all__ = ["Form", "read_form"]

MAX_FORM_BYTES = 256 * 1024


class Form:
    """A submitted form: ``get`` the first value of a field, ``all`` its values."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def all(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))


async def read_form(request: Request) -> Form:
    """The request's form fields; 422 naming ``body`` if it is not a form."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise InvalidInput({"body": "send an application/x-www-form-urlencoded form"})
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        raise InvalidInput({"body": f"the form is larger than {MAX_FORM_BYTES} bytes"})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput({"body": "the form is not UTF-8"}) from exc
    return Form(parse_qs(text, keep_blank_values=True, max_num_fields=500))
