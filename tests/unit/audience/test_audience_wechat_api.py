"""shared.wechat.followers and .replies against the fake WeChat over real HTTP: QR codes,
followers' pages, user statistics, the menu, and the passive replies' XML."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.wechat import WeChatClient, WeChatError, parse_message
from shared.wechat.followers import AudienceApi
from shared.wechat.replies import NewsArticle, image_reply, news_reply
from tests.fakes.wechat_server import running_fake_wechat


async def test_codes_followers_statistics_and_the_menu_through_the_fake() -> None:
    async with running_fake_wechat() as fake:
        state = fake.state
        async with WeChatClient(state.appid, state.secret, base_url=fake.base_url) as client:
            api = AudienceApi(client, qrcode_base_url=fake.base_url)
            permanent = await api.create_qrcode("branch:pudong")
            same = await api.create_qrcode("branch:pudong")
            temporary = await api.create_qrcode("campaign:fair", expire_seconds=3600)
            image = await api.show_qrcode(permanent.ticket)
            with pytest.raises(WeChatError):
                await api.show_qrcode("no-such-ticket")

            state.follower_page_size = 2
            for i in range(3):
                state.add_follower(
                    f"o-{i}",
                    subscribe_scene="ADD_SCENE_QR_CODE",
                    qr_scene_str="branch:pudong",
                    nickname="张三",
                )
            first = await api.followers()
            second = await api.followers(first.next_openid)
            last = await api.followers(second.next_openid)
            info = await api.follower_info("o-1")
            gone = await api.follower_info("o-unknown")

            yesterday = state.today() - timedelta(days=1)
            state.add_user_summary(yesterday, new_user=4, cancel_user=1, user_source=30)
            state.set_user_cumulate(yesterday, 99)
            summary = await api.user_summary(yesterday - timedelta(days=6), yesterday)
            cumulate = await api.user_cumulate(yesterday, yesterday)
            with pytest.raises(ValueError, match="1 to 7 days"):
                await api.user_summary(yesterday - timedelta(days=7), yesterday)
            with pytest.raises(WeChatError):  # today is not counted yet (T+1)
                await api.user_summary(state.today(), state.today())

            assert await api.get_menu() == []
            await api.create_menu([{"type": "click", "name": "最新", "key": "LATEST"}])
            menu = await api.get_menu()
            await api.delete_menu()
            after_delete = await api.get_menu()
            with pytest.raises(WeChatError) as too_many:
                await api.create_menu([{"type": "click", "name": "x", "key": "k"}] * 4)
    assert (permanent.ticket, permanent.expire_seconds) == (same.ticket, None)
    assert temporary.expire_seconds == 3600
    assert image.startswith(b"\x89PNG")
    assert (first.total, first.openids, second.openids, last.openids) == (
        3,
        ("o-0", "o-1"),
        ("o-2",),
        (),
    )
    assert (info.subscribed, info.qr_scene_str, info.subscribe_scene) == (
        True,
        "branch:pudong",
        "ADD_SCENE_QR_CODE",
    )
    assert not hasattr(info, "nickname")
    assert not gone.subscribed
    assert [(r.ref_date, r.new_user, r.cancel_user) for r in summary] == [(yesterday, 4, 1)]
    assert [(r.ref_date, r.cumulate_user) for r in cumulate] == [(yesterday, 99)]
    assert menu == [{"type": "click", "name": "最新", "key": "LATEST"}]
    assert after_delete == []
    assert too_many.value.errcode == 40016


def test_passive_picture_and_article_replies_parse_back() -> None:
    picture = parse_message(
        image_reply(to_user="o-1", from_user="gh", media_id="m-1", create_time=1)
    )
    article = news_reply(
        to_user="o-1",
        from_user="gh",
        articles=[
            NewsArticle("标题", "摘要", "https://p/1.jpg", "https://a/1"),
            NewsArticle("b", "", "", "https://a/2"),
        ],
        create_time=1,
    )
    assert (picture.msg_type, picture.to_user) == ("image", "o-1")
    assert b"<MediaId><![CDATA[m-1]]></MediaId>" in image_reply(
        to_user="o-1", from_user="gh", media_id="m-1", create_time=1
    )
    parsed = parse_message(article)
    assert (parsed.msg_type, parsed.fields["ArticleCount"]) == ("news", "1")
    assert b"https://a/2" not in article  # WeChat shows one card: only one is sent
