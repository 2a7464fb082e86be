"""The custom menu and WeChat's limits, checked before anything is sent.

Up to 3 buttons, each either an action or a group of up to 5 actions. Names are counted
in UTF-8 bytes as WeChat counts them: a top-level name up to 16 bytes (4 Chinese
characters), a sub-button's up to 60; a ``click`` key up to 128 bytes; a URL up to 1,024
bytes, http(s) only. A mini-program button needs the ``appid``, its ``pagepath`` and a
``url`` for old clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.accounts import DEFAULT_ACCOUNT

__all__ = [
    "MAX_BUTTONS",
    "MAX_SUB_BUTTONS",
    "Button",
    "ButtonType",
    "Menu",
    "MenuProblem",
    "MenuVersion",
    "menu_problems",
]

MAX_BUTTONS = 3
MAX_SUB_BUTTONS = 5
MAX_TOP_NAME_BYTES = 16
MAX_SUB_NAME_BYTES = 60
MAX_KEY_BYTES = 128
MAX_URL_BYTES = 1024


class ButtonType(StrEnum):
    CLICK = "click"
    VIEW = "view"
    MINIPROGRAM = "miniprogram"


@dataclass(frozen=True, slots=True)
class Button:
    """A menu button: an action (``type``) or, top-level only, a group (``sub_buttons``)."""

    name: str
    type: ButtonType | None = None
    key: str | None = None
    url: str | None = None
    appid: str | None = None
    pagepath: str | None = None
    sub_buttons: tuple[Button, ...] = ()

    def to_wechat(self) -> dict[str, Any]:
        """WeChat's JSON for this button."""
        if self.sub_buttons:
            return {"name": self.name, "sub_button": [b.to_wechat() for b in self.sub_buttons]}
        out: dict[str, Any] = {"type": str(self.type), "name": self.name}
        for name in ("key", "url", "appid", "pagepath"):
            if (value := getattr(self, name)) is not None:
                out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class Menu:
    buttons: tuple[Button, ...]

    def to_wechat(self) -> list[dict[str, Any]]:
        return [b.to_wechat() for b in self.buttons]


@dataclass(frozen=True, slots=True)
class MenuVersion:
    """A kept version of the menu; ``published_at`` when it was last sent to WeChat."""

    version: int
    menu: Menu
    created_at: datetime
    created_by: str
    note: str
    published_at: datetime | None
    account: str = DEFAULT_ACCOUNT
    """Versions are numbered per account (1, 2, ...); each account has its own menu."""


@dataclass(frozen=True, slots=True)
class MenuProblem:
    """A limit a button breaks: ``field`` names it (``buttons[1].sub_buttons[0].url``)."""

    field: str
    message: str


def _bytes(text: str | None) -> int:
    return len((text or "").encode("utf-8"))


def _action_problems(button: Button, where: str, name_limit: int) -> list[MenuProblem]:
    problems: list[MenuProblem] = []
    if not button.name.strip():
        problems.append(MenuProblem(f"{where}.name", "is empty"))
    elif _bytes(button.name) > name_limit:
        problems.append(
            MenuProblem(f"{where}.name", f"is {_bytes(button.name)} bytes, at most {name_limit}")
        )
    if button.type is None:
        problems.append(MenuProblem(f"{where}.type", "an action needs a type"))
        return problems
    needs = {
        ButtonType.CLICK: ("key",),
        ButtonType.VIEW: ("url",),
        ButtonType.MINIPROGRAM: ("url", "appid", "pagepath"),
    }[button.type]
    for name in needs:
        if not getattr(button, name):
            problems.append(MenuProblem(f"{where}.{name}", f"is required for {button.type}"))
    if button.key and _bytes(button.key) > MAX_KEY_BYTES:
        problems.append(MenuProblem(f"{where}.key", f"at most {MAX_KEY_BYTES} bytes"))
    if button.url:
        if _bytes(button.url) > MAX_URL_BYTES:
            problems.append(MenuProblem(f"{where}.url", f"at most {MAX_URL_BYTES} bytes"))
        if not button.url.startswith(("http://", "https://")):
            problems.append(MenuProblem(f"{where}.url", "must start with http:// or https://"))
    return problems


def menu_problems(menu: Menu) -> list[MenuProblem]:
    """Every limit the menu breaks ([] when WeChat will take it)."""
    problems: list[MenuProblem] = []
    if not 1 <= len(menu.buttons) <= MAX_BUTTONS:
        problems.append(MenuProblem("buttons", f"1 to {MAX_BUTTONS} buttons"))
    for i, button in enumerate(menu.buttons[:MAX_BUTTONS]):
        where = f"buttons[{i}]"
        if not button.sub_buttons:
            problems.extend(_action_problems(button, where, MAX_TOP_NAME_BYTES))
            continue
        if _bytes(button.name) > MAX_TOP_NAME_BYTES or not button.name.strip():
            problems.append(MenuProblem(f"{where}.name", f"1 to {MAX_TOP_NAME_BYTES} bytes"))
        if button.type is not None:
            problems.append(MenuProblem(f"{where}.type", "a group of buttons has no type"))
        if len(button.sub_buttons) > MAX_SUB_BUTTONS:
            problems.append(
                MenuProblem(f"{where}.sub_buttons", f"at most {MAX_SUB_BUTTONS} buttons")
            )
        for j, sub in enumerate(button.sub_buttons[:MAX_SUB_BUTTONS]):
            if sub.sub_buttons:
                problems.append(
                    MenuProblem(f"{where}.sub_buttons[{j}]", "only two levels of buttons")
                )
            problems.extend(_action_problems(sub, f"{where}.sub_buttons[{j}]", MAX_SUB_NAME_BYTES))
    return problems
