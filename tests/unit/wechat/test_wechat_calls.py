"""Happy paths of every API call against the fake WeChat server."""

from __future__ import annotations

import pytest
from wechat_support import JPEG, PNG, make_draft, publish_one

from shared.wechat import DraftArticle, InvalidRequest, PublishState, WeChatClient
from tests.fakes.wechat_server import FakeWeChat


async def test_upload_image_returns_a_wechat_url(client: WeChatClient, fake: FakeWeChat) -> None:
    url = await client.upload_image(PNG, "chart")

    assert url.startswith("http://mmbiz.qpic.cn/")
    assert fake.state.images[url] == PNG


async def test_add_permanent_image_returns_a_media_id(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    media_id = await client.add_permanent_image(JPEG, "cover.jpg")

    assert fake.state.materials[media_id] == JPEG


async def test_add_draft_keeps_chinese_text_unescaped(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    cover = await client.add_permanent_image(JPEG, "cover.jpg")
    article = DraftArticle(
        title="春季新品",
        author="市场部",
        digest="摘要",
        content="<p>内容</p>",
        thumb_media_id=cover,
        need_open_comment=True,
        content_source_url="https://example.com/a",
    )

    media_id = await client.add_draft([article])

    [saved] = fake.state.drafts[media_id]
    assert saved["title"] == "春季新品"
    assert saved["need_open_comment"] == 1
    assert saved["thumb_media_id"] == cover


async def test_add_draft_with_unknown_cover_is_an_invalid_request(client: WeChatClient) -> None:
    article = DraftArticle(title="t", content="<p>c</p>", thumb_media_id="missing")

    with pytest.raises(InvalidRequest) as info:
        await client.add_draft([article])

    assert info.value.errcode == 40007


async def test_submit_publish_returns_publish_and_message_ids(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    media_id = await make_draft(client)

    submission = await client.submit_publish(media_id)

    job = fake.state.jobs[submission.publish_id]
    assert job.media_id == media_id
    assert submission.msg_data_id == str(job.msg_data_id)
    assert fake.state.published_count(media_id) == 1


async def test_get_publish_reports_publishing_then_success(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    fake.state.set_publish_outcome(0, pending_polls=2)
    submission = await client.submit_publish(await make_draft(client))

    first = await client.get_publish(submission.publish_id)
    second = await client.get_publish(submission.publish_id)
    final = await client.get_publish(submission.publish_id)

    assert first.state is second.state is PublishState.PUBLISHING
    assert not first.state.is_final
    assert final.state is PublishState.SUCCEEDED
    assert final.article_id
    assert len(final.article_urls) == 1
    assert final.article_urls[0].startswith("https://mp.weixin.qq.com/")


async def test_rewrite_body_images_uploads_each_external_image_once(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    fetched: list[str] = []

    async def fetch(url: str) -> bytes:
        fetched.append(url)
        return PNG

    body = (
        '<p><img src="https://cdn.example.com/a.png?x=1&amp;y=2" alt="a"></p>'
        "<p><IMG class='w' SRC='https://cdn.example.com/a.png?x=1&y=2'></p>"
        '<img src="http://mmbiz.qpic.cn/already/0">'
    )

    rewritten = await client.rewrite_body_images(body, fetch)

    assert fetched == ["https://cdn.example.com/a.png?x=1&y=2"]
    assert "cdn.example.com" not in rewritten
    [url] = fake.state.images
    assert rewritten.count(url) == 2
    assert 'alt="a"' in rewritten
    assert "http://mmbiz.qpic.cn/already/0" in rewritten


async def test_list_comments_returns_comments_with_replies(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    msg_data_id = await publish_one(client)
    first = fake.state.add_comment(msg_data_id, 0, "写得好", reply="谢谢")
    fake.state.add_comment(msg_data_id, 0, "精选", comment_type=1)
    fake.state.add_comment(msg_data_id, 1, "second article")

    comments = await client.list_comments(msg_data_id, 0)

    assert [c.content for c in comments] == ["写得好", "精选"]
    assert comments[0].user_comment_id == first
    assert comments[0].reply is not None
    assert comments[0].reply.content == "谢谢"
    assert comments[1].is_featured
    assert comments[1].reply is None


async def test_list_comments_pages_and_filters(client: WeChatClient, fake: FakeWeChat) -> None:
    msg_data_id = await publish_one(client)
    for n in range(5):
        fake.state.add_comment(msg_data_id, 0, f"c{n}", comment_type=int(n == 4))

    page = await client.list_comments(msg_data_id, 0, begin=2, count=2)
    featured = await client.list_comments(msg_data_id, 0, type=2)

    assert [c.content for c in page] == ["c2", "c3"]
    assert [c.content for c in featured] == ["c4"]


async def test_list_comments_of_an_unknown_message_is_an_invalid_request(
    client: WeChatClient,
) -> None:
    with pytest.raises(InvalidRequest) as info:
        await client.list_comments("123", 0)

    assert info.value.errcode == 88001
