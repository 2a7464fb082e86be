"""The local channel: HTML files, a signed webhook, and never publishing a post twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.publisher.channels import (
    Channel,
    LocalChannel,
    OutcomeUnknown,
    PermanentChannelError,
    PublishRequest,
    PublishState,
    TransientChannelError,
    sign_webhook,
    verify_webhook,
)

SECRET = "test-webhook-secret"
HOOK = "https://hooks.example.test/posts"
Handler = Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


def make_post(**overrides: Any) -> PublishRequest:
    fields: dict[str, Any] = {
        "post_id": "p-2026-11-23-1",
        "draft_id": "d-42",
        "title": '个税 <script>alert("x")</script> & "要点"',
        "digest": "汇算清缴 <b>摘要</b>",
        "body_html": "<p>正文 <strong>加粗</strong></p>",
        "author": "运营部",
        "cover_url": "https://img.example.test/cover.jpg",
        "picture_urls": ("https://img.example.test/1.jpg",),
        "content_hash": hashlib.sha256(b"approved content").hexdigest(),
        "slot_key": "publish:2026-11-23T11:30+08:00",
    }
    fields.update(overrides)
    return PublishRequest(**fields)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 3, 30, 2, tzinfo=UTC))


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


class Recorder:
    """A webhook receiver for ``httpx.MockTransport`` with a scripted series of answers."""

    def __init__(self, *answers: Handler) -> None:
        self.requests: list[httpx.Request] = []
        self.answers = list(answers) or [lambda _: httpx.Response(200, json={})]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request)


def webhook_channel(clock: FakeClock, client: httpx.AsyncClient, **kwargs: Any) -> LocalChannel:
    return LocalChannel(
        clock=clock.now, webhook_url=HOOK, webhook_secret=SECRET, http=client, **kwargs
    )


class TestFiles:
    async def test_the_post_is_rendered_to_a_dated_html_file(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        channel = LocalChannel(clock=clock.now, directory=tmp_path)

        outcome = await channel.publish(make_post())

        path = tmp_path / "2026-11-23" / "p-2026-11-23-1.html"
        assert html_files(tmp_path) == [path]
        page = path.read_text(encoding="utf-8")
        assert (
            "<title>个税 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;要点&quot;"
            in page
        )
        assert "<script>" not in page
        assert "<p>正文 <strong>加粗</strong></p>" in page  # sanitised body kept as is
        assert "汇算清缴 &lt;b&gt;摘要&lt;/b&gt;" in page
        assert 'name="viewport"' in page
        assert "2026-11-23 11:30" in page  # local time of publication
        assert outcome.state is PublishState.PUBLISHED
        assert outcome.channel == "local"
        assert outcome.publish_id == "p-2026-11-23-1"
        assert outcome.url == path.resolve().as_uri()
        assert outcome.published_at == clock.now()
        assert outcome.replayed is False
        assert not list(tmp_path.rglob("*.tmp"))

    async def test_a_public_base_url_gives_the_article_url(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        channel = LocalChannel(
            clock=clock.now, directory=tmp_path, public_base_url="https://mirror.example.test/a/"
        )

        outcome = await channel.publish(make_post())

        assert outcome.url == "https://mirror.example.test/a/2026-11-23/p-2026-11-23-1.html"

    async def test_a_cover_that_is_not_http_is_left_out(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        channel = LocalChannel(clock=clock.now, directory=tmp_path)

        await channel.publish(make_post(cover_url="javascript:alert(1)"))

        assert "javascript:" not in html_files(tmp_path)[0].read_text(encoding="utf-8")


class TestIdempotency:
    async def test_publishing_the_same_post_twice_writes_one_file(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        channel = LocalChannel(clock=clock.now, directory=tmp_path)
        first = await channel.publish(make_post())
        page = html_files(tmp_path)[0].read_bytes()
        clock.advance(timedelta(days=2))

        again = await channel.publish(make_post())

        assert again.replayed is True
        assert again.model_copy(update={"replayed": False}) == first
        assert len(html_files(tmp_path)) == 1
        assert html_files(tmp_path)[0].read_bytes() == page

    async def test_a_restarted_channel_still_knows_the_post(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        first = await LocalChannel(clock=clock.now, directory=tmp_path).publish(make_post())
        clock.advance(timedelta(days=1))

        again = await LocalChannel(clock=clock.now, directory=tmp_path).publish(make_post())

        assert again.replayed is True
        assert again.published_at == first.published_at
        assert len(html_files(tmp_path)) == 1

    async def test_the_same_post_id_with_other_content_is_refused(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        channel = LocalChannel(clock=clock.now, directory=tmp_path)
        await channel.publish(make_post())

        with pytest.raises(PermanentChannelError, match="content hash"):
            await channel.publish(make_post(content_hash="0" * 64))

    async def test_a_post_id_unusable_as_a_file_name_is_refused(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        channel = LocalChannel(clock=clock.now, directory=tmp_path)

        with pytest.raises(PermanentChannelError, match="file name"):
            await channel.publish(make_post(post_id="../escape"))
        assert not list(tmp_path.parent.glob("escape*"))

    async def test_status_reports_published_and_unknown_posts(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        channel = LocalChannel(clock=clock.now, directory=tmp_path)
        outcome = await channel.publish(make_post())

        assert await channel.status(outcome.publish_id or "") == outcome
        never = await channel.status("p-never")
        assert never.state is PublishState.FAILED
        assert never.needs_person is False


class TestWebhook:
    async def test_the_post_is_sent_signed_and_the_signature_verifies(
        self, clock: FakeClock
    ) -> None:
        recorder = Recorder(
            lambda _: httpx.Response(200, json={"url": "https://x.test/a/1", "article_id": "a1"})
        )
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as client:
            channel = webhook_channel(clock, client)

            outcome = await channel.publish(make_post())

        [request] = recorder.requests
        body = request.content
        assert str(request.url) == HOOK
        assert request.headers["Idempotency-Key"] == "p-2026-11-23-1"
        timestamp = request.headers["X-Timestamp"]
        signature = request.headers["X-Signature"]
        assert timestamp == str(int(clock.now().timestamp()))
        assert signature.startswith("sha256=")
        assert verify_webhook(
            SECRET, body, timestamp=timestamp, signature=signature, now=clock.now()
        )
        assert signature == sign_webhook(SECRET.encode(), timestamp, body)
        payload = json.loads(body)
        assert payload["post_id"] == "p-2026-11-23-1"
        assert payload["title"] == make_post().title
        assert payload["body_html"] == make_post().body_html
        assert payload["content_hash"] == make_post().content_hash
        assert payload["slot_key"] == "publish:2026-11-23T11:30+08:00"
        assert outcome.url == "https://x.test/a/1"
        assert outcome.article_id == "a1"
        assert outcome.channel_ids == {"publish_id": "p-2026-11-23-1", "article_id": "a1"}

    async def test_tampered_or_stale_requests_do_not_verify(self, clock: FakeClock) -> None:
        body = b'{"post_id":"p-1"}'
        timestamp = str(int(clock.now().timestamp()))
        signature = sign_webhook(SECRET, timestamp, body)

        assert verify_webhook(
            SECRET, body, timestamp=timestamp, signature=signature, now=clock.now()
        )
        assert not verify_webhook(
            SECRET, body + b" ", timestamp=timestamp, signature=signature, now=clock.now()
        )
        assert not verify_webhook(
            "other", body, timestamp=timestamp, signature=signature, now=clock.now()
        )
        later = clock.now() + timedelta(minutes=10)
        assert not verify_webhook(SECRET, body, timestamp=timestamp, signature=signature, now=later)
        assert not verify_webhook(SECRET, body, timestamp="soon", signature=signature, now=later)

    async def test_a_second_publish_does_not_call_the_webhook_again(self, clock: FakeClock) -> None:
        recorder = Recorder()
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as client:
            channel = webhook_channel(clock, client)
            await channel.publish(make_post())

            again = await channel.publish(make_post())

        assert again.replayed is True
        assert len(recorder.requests) == 1

    async def test_a_server_error_is_transient_and_the_retry_reuses_the_file(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        recorder = Recorder(lambda _: httpx.Response(503), lambda _: httpx.Response(204))
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as client:
            channel = webhook_channel(clock, client, directory=tmp_path)
            with pytest.raises(TransientChannelError) as caught:
                await channel.publish(make_post())
            assert caught.value.retryable is True
            clock.advance(timedelta(days=1))  # even a retry on another day

            outcome = await channel.publish(make_post())

        assert outcome.state is PublishState.PUBLISHED
        assert html_files(tmp_path) == [tmp_path / "2026-11-23" / "p-2026-11-23-1.html"]
        keys = {r.headers["Idempotency-Key"] for r in recorder.requests}
        assert len(recorder.requests) == 2
        assert keys == {"p-2026-11-23-1"}

    @pytest.mark.parametrize(
        ("answer", "error"),
        [
            (lambda r: httpx.Response(429), TransientChannelError),
            (lambda r: httpx.Response(400, text="bad"), PermanentChannelError),
            (lambda r: httpx.Response(401), PermanentChannelError),
        ],
    )
    async def test_http_answers_map_to_channel_errors(
        self, clock: FakeClock, answer: Handler, error: type[Exception]
    ) -> None:
        recorder = Recorder(answer)
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as client:
            with pytest.raises(error):
                await webhook_channel(clock, client).publish(make_post())

    async def test_no_connection_is_transient(self, clock: FakeClock) -> None:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        recorder = Recorder(refuse)
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as client:
            with pytest.raises(TransientChannelError, match="unreachable"):
                await webhook_channel(clock, client).publish(make_post())

    async def test_a_timeout_after_sending_is_an_unknown_outcome(
        self, tmp_path: Path, clock: FakeClock
    ) -> None:
        def hang(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("no answer", request=request)

        recorder = Recorder(hang)
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as client:
            channel = webhook_channel(clock, client, directory=tmp_path)
            with pytest.raises(OutcomeUnknown) as caught:
                await channel.publish(make_post())

            status = await channel.status("p-2026-11-23-1")

        assert caught.value.publish_id == "p-2026-11-23-1"
        assert caught.value.retryable is False
        assert status.state is PublishState.UNKNOWN
        assert status.needs_person is True

    async def test_without_a_directory_records_are_kept_in_memory(self, clock: FakeClock) -> None:
        recorder = Recorder()
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as client:
            channel = webhook_channel(clock, client)
            outcome = await channel.publish(make_post())

            assert outcome.url is None
            assert await channel.status("p-2026-11-23-1") == outcome
            unknown = await channel.status("p-other")

        assert unknown.state is PublishState.UNKNOWN


class TestConstruction:
    def test_a_destination_is_required(self, clock: FakeClock) -> None:
        with pytest.raises(ValueError, match="directory"):
            LocalChannel(clock=clock.now)

    def test_a_webhook_needs_a_secret(self, clock: FakeClock) -> None:
        with pytest.raises(ValueError, match="secret"):
            LocalChannel(clock=clock.now, webhook_url=HOOK)

    async def test_it_is_a_channel(self, tmp_path: Path, clock: FakeClock) -> None:
        channel = LocalChannel(clock=clock.now, directory=tmp_path, name="mirror")

        assert isinstance(channel, Channel)
        assert channel.name == "mirror"
        await channel.aclose()
