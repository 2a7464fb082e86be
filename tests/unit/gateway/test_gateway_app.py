"""The gateway's app is wired in the one service shape: its OpenAPI documents the
forwarding API (one operation per method, no warnings) and hides the pages; every page
module is found and in the navigation by role."""

from __future__ import annotations

from services.gateway.bootstrap import build_service
from services.gateway.settings import GatewaySettings
from shared.settings import Role
from tests.integration.gateway.gateway_support import new_keypair
from tests.support.services import TOKENS

UNUSED_MONGO = "mongodb://127.0.0.1:9/?directConnection=true"  # never connected


async def test_the_openapi_documents_forwarding_and_hides_the_pages() -> None:
    private, _ = new_keypair()
    settings = GatewaySettings(signing_key=private, api_tokens=TOKENS, mongo_url=UNUSED_MONGO)
    service = build_service(settings)
    try:
        paths = service.app().openapi()["paths"]
        forward = paths["/api/{service}/{path}"]
        assert sorted(forward) == ["delete", "get", "patch", "post", "put"]
        assert len({op["operationId"] for op in forward.values()}) == 5
        assert not [p for p in paths if p.startswith(("/today", "/drafts", "/signin"))]
    finally:
        await service.runtime.mongo.close()


def test_the_navigation_shows_each_page_to_its_roles() -> None:
    from services.gateway.pages import page_modules

    modules = {m.__name__.rsplit(".", 1)[1] for m in page_modules()}
    assert {"account", "admin_users", "drafts", "reviews", "today"} <= modules
    navs = [m.NAV for m in page_modules() if getattr(m, "NAV", None) is not None]
    admin = next(n for n in navs if n.key == "admin-users")
    assert admin.roles == frozenset({Role.ADMIN})
    reviews = next(n for n in navs if n.key == "reviews")
    assert Role.EDITOR not in reviews.roles
