"""State and behaviour of the fake WeChat API, independent of HTTP.

Thread-safe: the server runs in its own thread while tests read and steer the state.

Several official accounts (#12): besides its own ``appid``, the fake serves the apps added
with :meth:`FakeWeChatState.add_app` (each with its own secret and access tokens; media,
drafts and jobs are shared, :attr:`FakeWeChatState.draft_apps` says whose a draft is).
:meth:`FakeWeChatState.fail_app` makes every call of one app fail (or hang, ``hold``)
until :meth:`FakeWeChatState.heal_app`, while the other apps are served as usual.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

__all__ = ["Fault", "FaultKind", "FakeWeChatState", "PublishJob", "WeChatReply"]

FaultKind = Literal["http_error", "timeout", "reset", "errcode"]

WeChatReply = dict[str, Any]

AUTH_FREE = frozenset({"/cgi-bin/stable_token"})
PAGE_LIMIT = 50
#: Customer-service messages are accepted within 48 hours of the follower's last message.
MESSAGE_WINDOW_SECONDS = 48 * 3600
#: WeChat's dates (datacube) are China dates.
CHINA = timezone(timedelta(hours=8))
#: datacube: a bad date (61500), a bad range or a day not yet counted (61501).
DATE_FORMAT_ERROR = 61500
DATE_RANGE_ERROR = 61501


@dataclass(frozen=True)
class Fault:
    """One injected failure; ``apply_effect`` says whether the call still takes effect.

    ``timeout`` and ``reset`` default to applying the effect first (the request reached
    WeChat, the answer was lost); ``http_error`` and ``errcode`` default to no effect.
    """

    kind: FaultKind
    status: int = 503
    errcode: int = -1
    errmsg: str = "system error"
    delay: float = 5.0
    apply_effect: bool | None = None
    after: int = 0
    """Calls to let through untouched before this fault strikes."""

    @property
    def effect_applies(self) -> bool:
        """Whether the endpoint's side effect happens despite the fault."""
        if self.apply_effect is not None:
            return self.apply_effect
        return self.kind in ("timeout", "reset")


@dataclass
class PublishJob:
    """A ``freepublish/submit`` job and the outcome the fake will report."""

    publish_id: str
    media_id: str
    msg_data_id: int
    article_count: int
    status: int
    pending_polls: int
    article_id: str = ""

    def as_json(self) -> WeChatReply:
        """The ``freepublish/get`` answer for this job (consumes one pending poll)."""
        if self.pending_polls > 0:
            self.pending_polls -= 1
            return {"publish_id": self.publish_id, "publish_status": 1, "fail_idx": []}
        reply: WeChatReply = {"publish_id": self.publish_id, "publish_status": self.status}
        if self.status in (0, 5, 6):
            reply["article_id"] = self.article_id
            reply["article_detail"] = {"count": self.article_count, "item": self.items()}
            reply["fail_idx"] = []
        else:
            failed = self.status in (2, 3, 4)
            reply["fail_idx"] = list(range(1, self.article_count + 1)) if failed else []
        return reply

    def items(self) -> list[dict[str, Any]]:
        """Article index and URL pairs."""
        return [
            {"idx": i, "article_url": f"https://mp.weixin.qq.com/s?mid={self.msg_data_id}&idx={i}"}
            for i in range(1, self.article_count + 1)
        ]


class _Error(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.reply: WeChatReply = {"errcode": errcode, "errmsg": errmsg}


@dataclass
class FakeWeChatState:
    """Everything the fake remembers: tokens, media, drafts, publish jobs, comments, faults,
    the account's comment replies and customer-service messages, followers' last messages,
    article statistics (datacube); parametric QR codes, the follower list (``user/get``,
    ``user/info``), user statistics (``getusersummary``/``getusercumulate``), the menu."""

    appid: str = "wx-fake-appid"
    secret: str = "fake-secret"
    token_ttl: int = 7200
    publish_status: int = 0
    pending_polls: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    time_offset: float = 0.0
    tokens: dict[str, float] = field(default_factory=dict)
    current_token: str | None = None
    token_requests: list[bool] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    images: dict[str, bytes] = field(default_factory=dict)
    materials: dict[str, bytes] = field(default_factory=dict)
    drafts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    jobs: dict[str, PublishJob] = field(default_factory=dict)
    submits: Counter[str] = field(default_factory=Counter)
    comments: dict[tuple[int, int], list[dict[str, Any]]] = field(default_factory=dict)
    comment_replies: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    last_interaction: dict[str, float] = field(default_factory=dict)
    article_stats: dict[tuple[str, int, str], dict[str, dict[str, Any]]] = field(
        default_factory=dict
    )
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    qrcodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    follower_list: dict[str, dict[str, Any]] = field(default_factory=dict)
    user_summary_rows: list[dict[str, Any]] = field(default_factory=list)
    user_cumulate_rows: dict[str, int] = field(default_factory=dict)
    menu: list[dict[str, Any]] | None = None
    menu_history: list[list[dict[str, Any]] | None] = field(default_factory=list)
    follower_page_size: int = 10_000
    apps: dict[str, str] = field(default_factory=dict)
    """Further apps (appid -> secret) served beside ``appid`` (several accounts)."""
    app_tokens: dict[str, str] = field(default_factory=dict)
    token_apps: dict[str, str] = field(default_factory=dict)
    app_faults: dict[str, Fault] = field(default_factory=dict)
    held_apps: set[str] = field(default_factory=set)
    app_calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    draft_apps: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    # -- controls ----------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything (tokens, drafts, jobs, faults...) but keep appid and secret."""
        with self.lock:
            fresh = FakeWeChatState(appid=self.appid, secret=self.secret, apps=dict(self.apps))
            for spec in fields(self):
                if spec.name != "lock":
                    setattr(self, spec.name, getattr(fresh, spec.name))

    def now(self) -> float:
        """The fake's clock (wall time plus :meth:`advance_time` offsets)."""
        return time.time() + self.time_offset

    def advance_time(self, seconds: float) -> None:
        """Move the fake's clock forward, expiring tokens whose TTL runs out."""
        with self.lock:
            self.time_offset += seconds

    def expire_tokens(self) -> None:
        """Make every issued access_token expired (calls get errcode 42001)."""
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = self.now() - 1
            self.current_token = None

    def inject(self, path: str, kind: FaultKind, *, times: int = 1, **options: Any) -> None:
        """Make the next ``times`` calls to ``path`` fail as ``kind`` (see :class:`Fault`)."""
        with self.lock:
            self.faults.setdefault(path, deque()).extend([Fault(kind, **options)] * times)

    def add_app(self, appid: str, secret: str) -> None:
        """Serve another app (an official account) beside ``appid``, with its own secret."""
        with self.lock:
            self.apps[appid] = secret

    def fail_app(self, appid: str, kind: FaultKind = "errcode", **options: Any) -> None:
        """Make every call of ``appid`` (by its access token, or its token request) fail
        as ``kind`` (see :class:`Fault`) until :meth:`heal_app`; other apps are untouched."""
        with self.lock:
            self.app_faults[appid] = Fault(kind, **options)

    def hold_app(self, appid: str) -> None:
        """Make every call of ``appid`` wait (the server answers nothing) until
        :meth:`heal_app`: that account's WeChat is slow, the others' are not."""
        with self.lock:
            self.held_apps.add(appid)

    def heal_app(self, appid: str) -> None:
        """Serve ``appid`` normally again (held calls go on)."""
        with self.lock:
            self.app_faults.pop(appid, None)
            self.held_apps.discard(appid)

    def is_held(self, appid: str | None) -> bool:
        """Whether calls of ``appid`` are held (see :meth:`hold_app`)."""
        with self.lock:
            return appid is not None and appid in self.held_apps

    def app_of(self, query: dict[str, str], body: dict[str, Any]) -> str | None:
        """The app a call is made by: its access token's, or the appid it asks a token for."""
        with self.lock:
            token = query.get("access_token")
            if token:
                return self.token_apps.get(token, self.appid if token in self.tokens else None)
            appid = body.get("appid") if isinstance(body, dict) else None
            return appid if isinstance(appid, str) else None

    def published_by(self, appid: str) -> int:
        """How many publish jobs were created for drafts of ``appid``."""
        with self.lock:
            return sum(
                count
                for media_id, count in self.submits.items()
                if self.draft_apps.get(media_id, self.appid) == appid
            )

    def set_publish_outcome(self, status: int = 0, *, pending_polls: int = 0) -> None:
        """Outcome of future submits: final ``publish_status`` after ``pending_polls`` polls."""
        with self.lock:
            self.publish_status = status
            self.pending_polls = pending_polls

    def set_job_status(self, publish_id: str, status: int) -> None:
        """Change the final status of an existing job (e.g. 5: deleted by the user)."""
        with self.lock:
            self.jobs[publish_id].status = status
            self.jobs[publish_id].pending_polls = 0

    def add_comment(
        self,
        msg_data_id: int | str,
        index: int,
        content: str,
        *,
        openid: str = "o-fake-reader",
        comment_type: int = 0,
        reply: str | None = None,
    ) -> int:
        """Add a reader comment to article ``index`` of a message; returns its id."""
        with self.lock:
            comment_id = next(self._ids)
            comment: dict[str, Any] = {
                "user_comment_id": comment_id,
                "openid": openid,
                "create_time": int(self.now()),
                "content": content,
                "comment_type": comment_type,
            }
            if reply is not None:
                comment["reply"] = {"content": reply, "create_time": int(self.now())}
            self.comments.setdefault((int(msg_data_id), index), []).append(comment)
            return comment_id

    def set_last_interaction(self, openid: str, *, seconds_ago: float = 0.0) -> None:
        """When follower ``openid`` last wrote to the account, in the fake's time.

        ``message/custom/send`` to a follower whose last message is older than 48 hours
        fails with errcode 45015. Followers never registered here count as within the
        window (the fake does not see the pushes the tests send to the service).
        """
        with self.lock:
            self.last_interaction[openid] = self.now() - seconds_ago

    def today(self) -> date:
        """Today in China on the fake's clock: datacube answers only for days before it."""
        return datetime.fromtimestamp(self.now(), CHINA).date()

    def add_article_stats(
        self,
        msg_data_id: int | str,
        index: int,
        ref_date: date | str,
        *,
        stat_date: date | str | None = None,
        is_delay: bool = False,
        **counters: Any,
    ) -> None:
        """Register the totals of article ``index`` (1-based, as in ``msgid``) of a
        publication on ``ref_date``, up to ``stat_date`` (default: ``ref_date``).

        ``counters`` are the detail row's fields as WeChat names them (``read_user``,
        ``share_user``, ``like_user`` ... any others too). Registering a stat_date again
        replaces its row; ``is_delay`` marks the row not final. A row is served from the
        day after its ``stat_date`` (T+1).
        """
        with self.lock:
            key = (str(msg_data_id), int(index), str(ref_date))
            day = str(stat_date or ref_date)
            row = {"stat_date": day, **counters}
            self.article_stats.setdefault(key, {})[day] = {"row": row, "is_delay": is_delay}

    def add_follower(
        self,
        openid: str,
        *,
        subscribe_time: int | None = None,
        subscribe_scene: str = "ADD_SCENE_SEARCH",
        qr_scene_str: str = "",
        nickname: str = "",
    ) -> None:
        """A follower ``user/get`` lists and ``user/info`` describes (in the order added).

        ``nickname`` is served as WeChat once did, so a test can check it is not kept.
        """
        with self.lock:
            self.follower_list[openid] = {
                "subscribe": 1,
                "openid": openid,
                "nickname": nickname,
                "subscribe_time": int(subscribe_time or self.now()),
                "subscribe_scene": subscribe_scene,
                "qr_scene": 0,
                "qr_scene_str": qr_scene_str,
            }

    def add_user_summary(
        self, ref_date: date | str, *, new_user: int, cancel_user: int, user_source: int = 0
    ) -> None:
        """A ``getusersummary`` row: a day's new and cancelled followers of one source."""
        with self.lock:
            self.user_summary_rows.append(
                {
                    "ref_date": str(ref_date),
                    "user_source": user_source,
                    "new_user": new_user,
                    "cancel_user": cancel_user,
                }
            )

    def set_user_cumulate(self, ref_date: date | str, cumulate_user: int) -> None:
        """The follower total ``getusercumulate`` reports at the end of ``ref_date``."""
        with self.lock:
            self.user_cumulate_rows[str(ref_date)] = cumulate_user

    def qrcode_image(self, ticket: str) -> bytes | None:
        """The PNG ``showqrcode`` serves for ``ticket`` (None if unknown or expired)."""
        import io

        import qrcode

        with self.lock:
            code = self.qrcodes.get(ticket)
            if code is None or (code["expires_at"] and code["expires_at"] <= self.now()):
                return None
            url = code["url"]
        buffer = io.BytesIO()
        qrcode.make(url).save(buffer)
        return buffer.getvalue()

    def messages_to(self, openid: str) -> list[str]:
        """The texts of the customer-service messages sent to ``openid``, in order."""
        with self.lock:
            return [m["content"] for m in self.messages if m["touser"] == openid]

    def published_count(self, media_id: str) -> int:
        """How many publish jobs were created for draft ``media_id``."""
        with self.lock:
            return self.submits[media_id]

    def job_for(self, media_id: str) -> PublishJob | None:
        """The latest publish job of draft ``media_id``, if any."""
        with self.lock:
            matching = [job for job in self.jobs.values() if job.media_id == media_id]
            return matching[-1] if matching else None

    def publish_job_finish_xml(self, publish_id: str) -> bytes:
        """The ``PUBLISHJOBFINISH`` push WeChat would send for a job."""
        with self.lock:
            job = self.jobs[publish_id]
            detail = "".join(
                f"<item><idx>{i['idx']}</idx><article_url><![CDATA[{i['article_url']}]]>"
                "</article_url></item>"
                for i in job.items()
            )
            if job.status in (0, 5, 6):
                body = (
                    f"<article_id><![CDATA[{job.article_id}]]></article_id>"
                    f"<article_detail><count>{job.article_count}</count>{detail}</article_detail>"
                )
            elif job.status in (2, 3, 4):
                body = "".join(f"<fail_idx>{i}</fail_idx>" for i in range(1, job.article_count + 1))
            else:
                body = ""
            return (
                "<xml><ToUserName><![CDATA[gh_fake]]></ToUserName>"
                "<FromUserName><![CDATA[mphelper]]></FromUserName>"
                f"<CreateTime>{int(self.now())}</CreateTime>"
                "<MsgType><![CDATA[event]]></MsgType>"
                "<Event><![CDATA[PUBLISHJOBFINISH]]></Event>"
                f"<PublishEventInfo><publish_id>{job.publish_id}</publish_id>"
                f"<publish_status>{job.status}</publish_status>{body}</PublishEventInfo></xml>"
            ).encode()

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able summary for the HTTP control API."""
        with self.lock:
            return {
                "calls": dict(self.calls),
                "token_requests": len(self.token_requests),
                "forced_token_refreshes": sum(self.token_requests),
                "drafts": list(self.drafts),
                "submits": dict(self.submits),
                "jobs": {pid: vars(job) for pid, job in self.jobs.items()},
                "comment_replies": list(self.comment_replies),
                "messages": list(self.messages),
                "qrcodes": {t: dict(c) for t, c in self.qrcodes.items()},
                "menu": self.menu,
                "apps": sorted(self.apps),
                "app_calls": [
                    {"appid": appid, "path": path, "count": count}
                    for (appid, path), count in self.app_calls.items()
                ],
            }

    # -- request handling (called by the server) ---------------------------------------

    def take_fault(self, path: str, appid: str | None = None) -> Fault | None:
        """Pop the next injected fault for ``path``, recording the call; a call of an app
        made to fail (:meth:`fail_app`) gets that app's fault."""
        with self.lock:
            self.calls[path] += 1
            if appid is not None:
                self.app_calls[(appid, path)] += 1
                if appid in self.app_faults:
                    return self.app_faults[appid]
            queue = self.faults.get(path)
            if queue and queue[0].after > 0:
                queue[0] = replace(queue[0], after=queue[0].after - 1)
                return None
            return queue.popleft() if queue else None

    def handle(
        self,
        path: str,
        query: dict[str, str],
        body: dict[str, Any],
        files: dict[str, bytes],
    ) -> WeChatReply:
        """Apply one API call and return WeChat's JSON answer."""
        handler = _HANDLERS.get(path)
        if handler is None:
            return {"errcode": 404, "errmsg": f"fake has no {path}"}
        with self.lock:
            try:
                if path not in AUTH_FREE:
                    self._check_token(query.get("access_token"))
                reply = handler(self, query, body, files)
            except _Error as exc:
                return exc.reply
            return {"errcode": 0, "errmsg": "ok", **reply}

    def _check_token(self, token: str | None) -> None:
        if not token:
            raise _Error(41001, "access_token missing")
        if token not in self.tokens:
            raise _Error(40001, "invalid credential, access_token is invalid or not latest")
        if self.tokens[token] <= self.now():
            raise _Error(42001, "access_token expired")

    def _stable_token(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        if body.get("grant_type") != "client_credential":
            raise _Error(40002, "invalid grant_type")
        appid = body.get("appid")
        if appid != self.appid and appid in self.apps:
            return self._app_token(str(appid), body)
        if appid != self.appid:
            raise _Error(40013, "invalid appid")
        if body.get("secret") != self.secret:
            raise _Error(40125, "invalid appsecret")
        force = bool(body.get("force_refresh"))
        self.token_requests.append(force)
        token = self.current_token
        if force or token is None or self.tokens[token] <= self.now():
            token = f"fake-token-{next(self._ids)}"
            self.tokens[token] = self.now() + self.token_ttl
            self.current_token = token
        return {"access_token": token, "expires_in": round(self.tokens[token] - self.now())}

    def _app_token(self, appid: str, body: dict[str, Any]) -> WeChatReply:
        """``stable_token`` of a further app: its own secret, its own current token."""
        if body.get("secret") != self.apps[appid]:
            raise _Error(40125, "invalid appsecret")
        force = bool(body.get("force_refresh"))
        self.token_requests.append(force)
        token = self.app_tokens.get(appid)
        if force or token is None or self.tokens[token] <= self.now():
            token = f"fake-token-{appid}-{next(self._ids)}"
            self.tokens[token] = self.now() + self.token_ttl
            self.app_tokens[appid] = token
            self.token_apps[token] = appid
        return {"access_token": token, "expires_in": round(self.tokens[token] - self.now())}

    def _uploadimg(self, _q: dict[str, str], _b: Any, files: dict[str, bytes]) -> WeChatReply:
        if "media" not in files:
            raise _Error(41005, "media data missing")
        url = f"http://mmbiz.qpic.cn/fake/{next(self._ids)}/0"
        self.images[url] = files["media"]
        return {"url": url}

    def _add_material(self, query: dict[str, str], _b: Any, files: dict[str, bytes]) -> WeChatReply:
        if query.get("type") != "image":
            raise _Error(40004, "invalid media type")
        if "media" not in files:
            raise _Error(41005, "media data missing")
        media_id = f"fake-image-{next(self._ids)}"
        self.materials[media_id] = files["media"]
        return {"media_id": media_id, "url": f"http://mmbiz.qpic.cn/fake/{media_id}/0"}

    def _draft_add(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        articles = body.get("articles")
        if not isinstance(articles, list) or not articles:
            raise _Error(47001, "data format error")
        for article in articles:
            if not article.get("title") or not article.get("content"):
                raise _Error(47001, "data format error: title and content required")
            if article.get("thumb_media_id") not in self.materials:
                raise _Error(40007, "invalid media_id")
        media_id = f"fake-draft-{next(self._ids)}"
        self.drafts[media_id] = articles
        self.draft_apps[media_id] = self.token_apps.get(_q.get("access_token", ""), self.appid)
        return {"media_id": media_id}

    def _submit(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        media_id = str(body.get("media_id", ""))
        if media_id not in self.drafts:
            raise _Error(40007, "invalid media_id")
        n = next(self._ids)
        job = PublishJob(
            publish_id=str(2247480000 + n),
            media_id=media_id,
            msg_data_id=2247490000 + n,
            article_count=len(self.drafts[media_id]),
            status=self.publish_status,
            pending_polls=self.pending_polls,
            article_id=f"fake-article-{n}",
        )
        self.jobs[job.publish_id] = job
        self.submits[media_id] += 1
        return {"publish_id": job.publish_id, "msg_data_id": job.msg_data_id}

    def _get(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        job = self.jobs.get(str(body.get("publish_id", "")))
        if job is None:
            raise _Error(40007, "invalid publish_id")
        return job.as_json()

    def _comments(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        try:
            key = (int(body["msg_data_id"]), int(body["index"]))
            begin, count, kind = int(body["begin"]), int(body["count"]), int(body.get("type", 0))
        except (KeyError, TypeError, ValueError) as exc:
            raise _Error(47001, "data format error") from exc
        known = {job.msg_data_id for job in self.jobs.values()}
        if key[0] not in known and key not in self.comments:
            raise _Error(88001, "msg_data is not exists")
        if not 0 < count <= PAGE_LIMIT or begin < 0:
            raise _Error(88010, "count or begin invalid")
        selected = [
            c
            for c in self.comments.get(key, [])
            if kind == 0
            or (kind == 1 and c["comment_type"] == 0)
            or (kind == 2 and c["comment_type"] == 1)
        ]
        return {"total": len(selected), "comment": selected[begin : begin + count]}

    def _comment(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            key = (int(body["msg_data_id"]), int(body["index"]))
            comment_id = int(body["user_comment_id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _Error(47001, "data format error") from exc
        known = {job.msg_data_id for job in self.jobs.values()}
        if key[0] not in known and key not in self.comments:
            raise _Error(88001, "msg_data is not exists")
        for comment in self.comments.get(key, []):
            if comment["user_comment_id"] == comment_id:
                return comment
        raise _Error(88008, "comment is not exists")

    def _reply_comment(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        comment = self._comment(body)
        content = body.get("content")
        if not isinstance(content, str) or not content:
            raise _Error(88007, "reply content beyond max len or content len is zero")
        comment["reply"] = {"content": content, "create_time": int(self.now())}
        self.comment_replies.append(
            {
                "msg_data_id": int(body["msg_data_id"]),
                "index": int(body["index"]),
                "user_comment_id": comment["user_comment_id"],
                "content": content,
                "at": self.now(),
            }
        )
        return {}

    def _custom_send(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        openid = body.get("touser")
        if not isinstance(openid, str) or not openid:
            raise _Error(40003, "invalid openid")
        text = body.get("text")
        content = text.get("content") if isinstance(text, dict) else None
        if body.get("msgtype") != "text" or not isinstance(content, str) or not content:
            raise _Error(47001, "data format error")  # the fake only sends text
        last = self.last_interaction.get(openid)
        if last is not None and self.now() - last > MESSAGE_WINDOW_SECONDS:
            raise _Error(45015, "response out of time limit or subscription is canceled")
        self.messages.append({"touser": openid, "content": content, "at": self.now()})
        return {}

    def _article_total_detail(
        self, _q: dict[str, str], body: dict[str, Any], _f: Any
    ) -> WeChatReply:
        try:
            begin = date.fromisoformat(str(body["begin_date"]))
            end = date.fromisoformat(str(body["end_date"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise _Error(DATE_FORMAT_ERROR, "date format error") from exc
        # one day per call, and only a day WeChat has finished counting (T+1)
        if begin != end or end >= self.today():
            raise _Error(DATE_RANGE_ERROR, "date range error")
        entries: list[dict[str, Any]] = []
        delayed = False
        for (msg_data_id, index, ref_date), by_day in sorted(self.article_stats.items()):
            if ref_date != begin.isoformat():
                continue
            visible = [by_day[d] for d in sorted(by_day) if d < self.today().isoformat()]
            if not visible:
                continue
            delayed = delayed or any(v["is_delay"] for v in visible)
            entries.append(
                {
                    "ref_date": ref_date,
                    "msgid": f"{msg_data_id}_{index}",
                    "publish_type": 0,
                    "detail_list": [dict(v["row"]) for v in visible],
                }
            )
        return {"list": entries, "is_delay": delayed}

    def _qrcode_create(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        action = body.get("action_name")
        scene = ((body.get("action_info") or {}).get("scene") or {}).get("scene_str")
        if action not in ("QR_LIMIT_STR_SCENE", "QR_STR_SCENE"):
            raise _Error(40097, "invalid args: action_name")
        if not isinstance(scene, str) or not 1 <= len(scene) <= 64:
            raise _Error(40097, "invalid args: scene_str must be 1-64 characters")
        expire: int | None = None
        if action == "QR_STR_SCENE":
            expire = int(body.get("expire_seconds") or 30)
            if not 60 <= expire <= 2_592_000:
                raise _Error(40097, "invalid args: expire_seconds")
        else:  # a permanent code for a scene is always the same code
            for ticket, code in self.qrcodes.items():
                if code["scene"] == scene and code["permanent"]:
                    return {"ticket": ticket, "url": code["url"]}
        n = next(self._ids)
        ticket = f"fake-ticket-{n}"
        code = {
            "scene": scene,
            "permanent": expire is None,
            "url": f"http://weixin.qq.com/q/fake{n}",
            "expires_at": self.now() + expire if expire else None,
        }
        self.qrcodes[ticket] = code
        reply: WeChatReply = {"ticket": ticket, "url": code["url"]}
        if expire is not None:
            reply["expire_seconds"] = expire
        return reply

    def _user_get(self, query: dict[str, str], _b: Any, _f: Any) -> WeChatReply:
        openids = list(self.follower_list)
        start = query.get("next_openid") or ""
        begin = 0
        if start:
            if start not in self.follower_list:
                raise _Error(40003, "invalid next_openid")
            begin = openids.index(start) + 1
        page = openids[begin : begin + self.follower_page_size]
        reply: WeChatReply = {"total": len(openids), "count": len(page)}
        if page:
            reply["data"] = {"openid": page}
        reply["next_openid"] = page[-1] if page else ""
        return reply

    def _user_info(self, query: dict[str, str], _b: Any, _f: Any) -> WeChatReply:
        openid = query.get("openid", "")
        info = self.follower_list.get(openid)
        if info is None:
            return {"subscribe": 0, "openid": openid}
        return dict(info)

    def _datacube_days(self, body: dict[str, Any]) -> tuple[date, date]:
        try:
            begin = date.fromisoformat(str(body["begin_date"]))
            end = date.fromisoformat(str(body["end_date"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise _Error(DATE_FORMAT_ERROR, "date format error") from exc
        if not 0 <= (end - begin).days < 7 or end >= self.today():
            raise _Error(DATE_RANGE_ERROR, "date range error")
        return begin, end

    def _user_summary(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        begin, end = self._datacube_days(body)
        rows = [
            dict(r)
            for r in self.user_summary_rows
            if begin.isoformat() <= r["ref_date"] <= end.isoformat()
        ]
        return {"list": rows}

    def _user_cumulate(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        begin, end = self._datacube_days(body)
        rows = []
        day = begin
        while day <= end:
            total = self.user_cumulate_rows.get(day.isoformat())
            if total is not None:
                rows.append({"ref_date": day.isoformat(), "cumulate_user": total})
            day += timedelta(days=1)
        return {"list": rows}

    def _menu_create(self, _q: dict[str, str], body: dict[str, Any], _f: Any) -> WeChatReply:
        buttons = body.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            raise _Error(40016, "invalid button size")
        for button in buttons:
            subs = button.get("sub_button") or []
            if len(subs) > 5:
                raise _Error(40023, "invalid sub button size")
            if len(str(button.get("name", "")).encode()) > 16 and not subs:
                raise _Error(40018, "invalid button name size")
        self.menu = buttons
        self.menu_history.append(buttons)
        return {}

    def _menu_get(self, _q: dict[str, str], _b: Any, _f: Any) -> WeChatReply:
        if self.menu is None:
            raise _Error(46003, "menu no exist")
        return {"menu": {"button": self.menu}}

    def _menu_delete(self, _q: dict[str, str], _b: Any, _f: Any) -> WeChatReply:
        self.menu = None
        self.menu_history.append(None)
        return {}


_HANDLERS = {
    "/cgi-bin/stable_token": FakeWeChatState._stable_token,
    "/cgi-bin/media/uploadimg": FakeWeChatState._uploadimg,
    "/cgi-bin/material/add_material": FakeWeChatState._add_material,
    "/cgi-bin/draft/add": FakeWeChatState._draft_add,
    "/cgi-bin/freepublish/submit": FakeWeChatState._submit,
    "/cgi-bin/freepublish/get": FakeWeChatState._get,
    "/cgi-bin/comment/list": FakeWeChatState._comments,
    "/cgi-bin/comment/reply/add": FakeWeChatState._reply_comment,
    "/cgi-bin/message/custom/send": FakeWeChatState._custom_send,
    "/datacube/getarticletotaldetail": FakeWeChatState._article_total_detail,
    "/cgi-bin/qrcode/create": FakeWeChatState._qrcode_create,
    "/cgi-bin/user/get": FakeWeChatState._user_get,
    "/cgi-bin/user/info": FakeWeChatState._user_info,
    "/datacube/getusersummary": FakeWeChatState._user_summary,
    "/datacube/getusercumulate": FakeWeChatState._user_cumulate,
    "/cgi-bin/menu/create": FakeWeChatState._menu_create,
    "/cgi-bin/menu/get": FakeWeChatState._menu_get,
    "/cgi-bin/menu/delete": FakeWeChatState._menu_delete,
}
