"""Test doubles and data shared by the WeChat tests (unique module name: tests are rootless)."""

from __future__ import annotations

from shared.wechat import DraftArticle, WeChatClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordingSleep:
    """Records backoff delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def make_draft(client: WeChatClient, title: str = "标题：新品发布") -> str:
    """Upload a cover and save a one-article draft; returns the draft media_id."""
    cover = await client.add_permanent_image(JPEG, "cover.jpg")
    article = DraftArticle(title=title, content="<p>正文</p>", thumb_media_id=cover)
    return await client.add_draft([article])


async def publish_one(client: WeChatClient) -> str:
    """Publish a fresh draft and return its msg_data_id."""
    submission = await client.submit_publish(await make_draft(client))
    assert submission.msg_data_id is not None
    return submission.msg_data_id
