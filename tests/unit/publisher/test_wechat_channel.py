"""The WeChat channel against the fake WeChat server (real HTTP): never submits twice."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.publisher.channels import (
    Channel,
    MemoryChannelProgress,
    OutcomeUnknown,
    PermanentChannelError,
    PublishRequest,
    PublishState,
    TransientChannelError,
    WeChatChannel,
)
from shared.wechat import RetryPolicy, WeChatClient
from tests.fakes.wechat_server import FakeWeChat, running_fake_wechat
from tests.fakes.wechat_state import FaultKind

SUBMIT = "/cgi-bin/freepublish/submit"
DRAFT = "/cgi-bin/draft/add"
NOW = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
IMAGES = {
    "https://img.example.test/cover.jpg": JPEG,
    "https://img.example.test/chart.png": PNG,
    "https://img.example.test/photo.jpg": JPEG,
}


def make_post(**overrides: Any) -> PublishRequest:
    fields: dict[str, Any] = {
        "post_id": "p-d-42-r1",
        "draft_id": "d-42",
        "title": "2026年个税汇算清缴要点",
        "digest": "三分钟看懂今年的汇算清缴。",
        "body_html": (
            '<p>正文</p><img src="https://img.example.test/chart.png">'
            '<p><img alt="x" src="https://img.example.test/photo.jpg"></p>'
            '<img src="https://img.example.test/chart.png">'
        ),
        "author": "运营部",
        "cover_url": "https://img.example.test/cover.jpg",
        "content_hash": hashlib.sha256(b"approved").hexdigest(),
        "slot_key": "publish:2026-11-23T11:30+08:00",
    }
    fields.update(overrides)
    return PublishRequest(**fields)


def serve_images(request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    if url.endswith("/down.jpg"):
        raise httpx.ConnectError("refused", request=request)
    if url in IMAGES:
        return httpx.Response(200, content=IMAGES[url])
    return httpx.Response(404)


@pytest.fixture(scope="module")
async def fake_server() -> AsyncIterator[FakeWeChat]:
    async with running_fake_wechat() as running:
        yield running


@pytest.fixture
def fake(fake_server: FakeWeChat) -> Iterator[FakeWeChat]:
    fake_server.state.reset()
    yield fake_server
    fake_server.state.reset()


@pytest.fixture
def records() -> MemoryChannelProgress:
    return MemoryChannelProgress()


@pytest.fixture
async def channel(fake: FakeWeChat, records: MemoryChannelProgress) -> AsyncIterator[WeChatChannel]:
    async with (
        WeChatClient(
            fake.state.appid,
            fake.state.secret,
            base_url=fake.base_url,
            # 1 s: a loaded 2-core CI machine once took over 0.5 s for a plain upload;
            # lost answers are injected with a 2 s delay, well past it
            timeout=1.0,
            retry=RetryPolicy(attempts=2, backoff=0.01),
        ) as client,
        httpx.AsyncClient(transport=httpx.MockTransport(serve_images)) as images,
    ):
        yield WeChatChannel(client, progress=records, clock=lambda: NOW, http=images)


async def test_a_post_becomes_a_published_article(fake: FakeWeChat, channel: WeChatChannel) -> None:
    assert isinstance(channel, Channel)
    outcome = await channel.publish(make_post())

    assert outcome.state is PublishState.PUBLISHED
    assert outcome.channel == "wechat"
    assert outcome.url is not None
    assert outcome.url.startswith("https://mp.weixin.qq.com/s?")
    assert set(outcome.channel_ids) == {"publish_id", "article_id", "msg_data_id"}
    assert outcome.published_at == NOW
    # the two distinct body images were re-hosted once each; the cover became material
    assert len(fake.state.images) == 2
    assert list(fake.state.materials.values()) == [JPEG]
    [(media_id, [article])] = fake.state.drafts.items()
    assert "img.example.test" not in article["content"]
    assert article["content"].count("http://mmbiz.qpic.cn/fake/") == 3
    assert article["title"] == "2026年个税汇算清缴要点"
    assert article["thumb_media_id"] in fake.state.materials
    assert article["need_open_comment"] == 1
    assert fake.state.published_count(media_id) == 1


async def test_publishing_again_replays_the_outcome_and_other_content_is_refused(
    fake: FakeWeChat, channel: WeChatChannel
) -> None:
    first = await channel.publish(make_post())
    again = await channel.publish(make_post())

    assert again.replayed is True
    assert again.model_copy(update={"replayed": False}) == first
    assert fake.state.calls[SUBMIT] == 1
    with pytest.raises(PermanentChannelError, match="content hash"):
        await channel.publish(make_post(content_hash="0" * 64))


async def test_a_publication_still_running_is_pending_until_wechat_finishes(
    fake: FakeWeChat, channel: WeChatChannel
) -> None:
    fake.state.set_publish_outcome(0, pending_polls=2)

    outcome = await channel.publish(make_post())
    assert outcome.state is PublishState.PENDING
    assert outcome.publish_id is not None
    assert (await channel.status("p-d-42-r1")).state is PublishState.PENDING

    done = await channel.status("p-d-42-r1")
    assert done.state is PublishState.PUBLISHED
    assert done.url is not None
    by_wechat_id = await channel.status(outcome.publish_id)  # WeChat's own id works too
    assert (by_wechat_id.state, by_wechat_id.url) == (PublishState.PUBLISHED, done.url)
    assert fake.state.calls[SUBMIT] == 1


@pytest.mark.parametrize("fault", ["timeout", "reset"])
async def test_a_lost_submit_answer_is_unknown_and_never_resubmitted(
    fake: FakeWeChat, channel: WeChatChannel, fault: FaultKind
) -> None:
    fake.state.inject(SUBMIT, fault, delay=2.0)  # WeChat took it; the answer never arrives

    with pytest.raises(OutcomeUnknown, match="answer lost"):
        await channel.publish(make_post())
    with pytest.raises(OutcomeUnknown, match="never resubmit"):
        await channel.publish(make_post())

    [media_id] = fake.state.drafts
    assert fake.state.published_count(media_id) == 1
    assert fake.state.calls[SUBMIT] == 1
    status = await channel.status("p-d-42-r1")
    assert status.state is PublishState.UNKNOWN
    assert status.needs_person is True
    assert "publish history" in (status.reason or "")


async def test_a_person_confirming_nothing_went_out_allows_one_more_submit(
    fake: FakeWeChat, channel: WeChatChannel
) -> None:
    fake.state.inject(SUBMIT, "timeout", delay=2.0, apply_effect=False)  # lost, not taken
    with pytest.raises(OutcomeUnknown, match="answer lost"):
        await channel.publish(make_post())
    too_early = make_post(confirmed_unsent_at=NOW - timedelta(seconds=1))
    with pytest.raises(OutcomeUnknown, match="never resubmit"):
        await channel.publish(too_early)  # said before that submit: not about it

    outcome = await channel.publish(make_post(confirmed_unsent_at=NOW))

    assert outcome.state is PublishState.PUBLISHED
    assert fake.state.calls[SUBMIT] == 2
    [media_id] = fake.state.drafts  # the same draft, submitted again
    assert fake.state.published_count(media_id) == 1
    again = await channel.publish(make_post(confirmed_unsent_at=NOW))
    assert again.replayed is True
    assert fake.state.calls[SUBMIT] == 2


async def test_one_confirmation_allows_one_resubmit_only(
    fake: FakeWeChat, channel: WeChatChannel
) -> None:
    fake.state.inject(SUBMIT, "timeout", delay=2.0, apply_effect=False, times=2)
    confirmed = make_post(confirmed_unsent_at=NOW)
    with pytest.raises(OutcomeUnknown, match="answer lost"):
        await channel.publish(make_post())
    with pytest.raises(OutcomeUnknown, match="answer lost"):
        await channel.publish(confirmed)  # resubmitted, and lost again

    with pytest.raises(OutcomeUnknown, match="never resubmit"):
        await channel.publish(confirmed)

    assert fake.state.calls[SUBMIT] == 2
    status = await channel.status("p-d-42-r1")
    assert (status.state, status.needs_person) == (PublishState.UNKNOWN, True)


async def test_a_refused_submit_is_retried_later_reusing_the_uploads(
    fake: FakeWeChat, channel: WeChatChannel
) -> None:
    fake.state.inject(SUBMIT, "errcode", errcode=-1, errmsg="system busy")

    with pytest.raises(TransientChannelError, match="busy"):
        await channel.publish(make_post())
    outcome = await channel.publish(make_post())

    assert outcome.state is PublishState.PUBLISHED
    assert fake.state.calls[SUBMIT] == 2
    assert len(fake.state.drafts) == 1
    assert len(fake.state.materials) == 1
    assert len(fake.state.images) == 2


async def test_a_draft_wechat_rejects_is_a_permanent_failure(
    fake: FakeWeChat, channel: WeChatChannel
) -> None:
    fake.state.inject(DRAFT, "errcode", errcode=87014, errmsg="risky content")

    with pytest.raises(PermanentChannelError, match="87014"):
        await channel.publish(make_post())

    assert fake.state.calls[SUBMIT] == 0
    never = await channel.status("p-d-42-r1")
    assert never.state is PublishState.FAILED
    assert never.needs_person is False  # nothing went out


async def test_a_publication_wechat_fails_needs_a_person(
    fake: FakeWeChat, channel: WeChatChannel
) -> None:
    fake.state.set_publish_outcome(4)  # platform review not passed

    outcome = await channel.publish(make_post())

    assert outcome.state is PublishState.FAILED
    assert outcome.needs_person is True
    assert "review" in (outcome.reason or "")


async def test_pictures_that_cannot_be_fetched(fake: FakeWeChat, channel: WeChatChannel) -> None:
    with pytest.raises(TransientChannelError, match="down.jpg"):
        await channel.publish(make_post(cover_url="https://img.example.test/down.jpg"))
    with pytest.raises(PermanentChannelError, match="404"):
        await channel.publish(make_post(post_id="p-2", cover_url="https://img.example.test/x.jpg"))
    with pytest.raises(PermanentChannelError, match="cover"):
        await channel.publish(make_post(post_id="p-3", cover_url=None))
    assert fake.state.calls[SUBMIT] == 0


async def test_a_default_cover_serves_posts_without_one(
    fake: FakeWeChat, records: MemoryChannelProgress
) -> None:
    async with WeChatClient(fake.state.appid, fake.state.secret, base_url=fake.base_url) as client:
        cover = await client.add_permanent_image(JPEG, "default.jpg")
        channel = WeChatChannel(
            client, progress=records, clock=lambda: NOW, default_thumb_media_id=cover
        )
        outcome = await channel.publish(make_post(cover_url=None, body_html="<p>正文</p>"))
        await channel.aclose()

    assert outcome.state is PublishState.PUBLISHED
    [[article]] = fake.state.drafts.values()
    assert article["thumb_media_id"] == cover


async def test_two_attempts_at_once_submit_once(fake: FakeWeChat, channel: WeChatChannel) -> None:
    fake.state.inject(SUBMIT, "timeout", delay=0.3, apply_effect=True)  # slow, not lost

    results = await asyncio.gather(
        channel.publish(make_post()), channel.publish(make_post()), return_exceptions=True
    )

    assert fake.state.calls[SUBMIT] == 1
    published = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(published) == 1
    assert published[0].state is PublishState.PUBLISHED
    assert all(isinstance(r, TransientChannelError | OutcomeUnknown) for r in refused)


async def test_preparing_ahead_uploads_and_drafts_but_publishes_nothing(
    fake: FakeWeChat, channel: WeChatChannel
) -> None:
    await channel.prepare(make_post())

    assert len(fake.state.drafts) == 1
    assert fake.state.calls[SUBMIT] == 0
    assert (await channel.status("p-d-42-r1")).state is PublishState.FAILED  # not out yet

    outcome = await channel.publish(make_post())

    assert outcome.state is PublishState.PUBLISHED
    assert len(fake.state.drafts) == 1  # the prepared draft was submitted, not a new one
    assert len(fake.state.materials) == 1
    assert fake.state.calls[SUBMIT] == 1
