"""POST /analysis/preview (#17): texts in, stance, intent, polarity, questions, spam and
groups out; for the console's readers only, bounded, documented, nothing stored."""

from __future__ import annotations

import pytest
from feedback_support import ShiftedClock, client, feedback_settings, replicas, store

from tests.support.services import auth

pytestmark = pytest.mark.integration

SYSTEM = auth("system-token-000000000001")
EDITOR = auth("editor-token-000000000001")
DIRECTOR = auth("director-token-0000000001")
TEXTS = [
    "开错的数电发票怎么红冲？",
    "跨月的数电发票还能红冲不",
    "写得很清楚，正好下个月切换数电发票，收藏了",
    "开通速度真是高效，等了十天还在审核中",
    "文章太长了，手机上看得眼花",
    "代 开 各 类 发 票，点数低，V：fp8899",
    "签约两周了，客户经理也一直没联系我们，麻烦帮忙看下",
]


async def test_preview_analyses_texts_for_readers_and_stores_nothing(
    namespace: str, mongo_url: str
) -> None:
    async with replicas(feedback_settings(namespace, mongo_url), ShiftedClock()) as [app]:
        async with client(app) as http:
            answer = await http.post("/analysis/preview", json={"texts": TEXTS}, headers=EDITOR)
            director = await http.post(
                "/analysis/preview", json={"texts": TEXTS[:1]}, headers=DIRECTOR
            )
        assert answer.status_code == 200, answer.text
        assert director.status_code == 200
        body = answer.json()
        items = body["items"]
        assert [i["index"] for i in items] == list(range(len(TEXTS)))
        assert items[0]["stance"] == "ask"
        assert items[0]["is_question"]
        assert items[0]["intent"] == "发票与报销"
        assert items[1]["is_question"]  # …还能红冲不
        assert items[2]["stance"] == "praise"
        assert items[3]["polarity"] == "negative"  # sarcasm
        assert any("反讽" in r for r in items[3]["polarity_reasons"])
        assert items[5]["is_spam"]
        assert items[5]["stance"] is None
        assert not items[6]["is_spam"]  # a customer asking to be contacted
        assert body["stances"]["spam"] == 1
        red = next(g for g in body["groups"] if 0 in g["members"])
        assert red["members"] == [0, 1]
        assert red["label"] in TEXTS[0] or red["label"] in TEXTS[1]
        form = next(g for g in body["groups"] if 4 in g["members"])
        assert form["about_form"]
        assert all(5 not in g["members"] for g in body["groups"])
        assert await store(app).items.count_documents({}) == 0


async def test_preview_is_role_protected_and_bounded_with_problems_naming_the_field(
    namespace: str, mongo_url: str
) -> None:
    async with replicas(feedback_settings(namespace, mongo_url), ShiftedClock()) as [app]:
        async with client(app) as http:
            anonymous = await http.post("/analysis/preview", json={"texts": ["好"]})
            system = await http.post("/analysis/preview", json={"texts": ["好"]}, headers=SYSTEM)
            empty = await http.post("/analysis/preview", json={"texts": []}, headers=EDITOR)
            blank = await http.post("/analysis/preview", json={"texts": [""]}, headers=EDITOR)
            long = await http.post(
                "/analysis/preview", json={"texts": ["好" * 1001]}, headers=EDITOR
            )
            many = await http.post(
                "/analysis/preview", json={"texts": ["好"] * 201}, headers=EDITOR
            )
            extra = await http.post(
                "/analysis/preview", json={"texts": ["好"], "x": 1}, headers=EDITOR
            )
            spec = (await http.get("/openapi.json")).json()
        assert anonymous.status_code == 401
        assert system.status_code == 403
        for answer in (empty, blank, long, many, extra):
            assert answer.status_code == 422, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            fields = [e["field"] for e in answer.json()["errors"]]
            assert any(f.startswith("texts") or f == "x" for f in fields), fields
        operation = spec["paths"]["/analysis/preview"]["post"]
        assert {"200", "401", "403", "413", "422"} <= set(operation["responses"])
        schema = spec["components"]["schemas"]["AnalysisPreviewCreate"]["properties"]["texts"]
        assert schema["maxItems"] == 200
        assert schema["items"]["maxLength"] == 1000
