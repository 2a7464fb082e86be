"""Admin: people and their roles — add a person, change roles, deactivate, reset a password;
with several official accounts (#12), the accounts a person's roles hold on and roles on
single accounts (only accounts of this deployment are offered)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway import usecases
from services.gateway.domain.people import ACCOUNT_ROLES, PERSON_ROLES
from services.gateway.errors import InvalidInput, NotAllowed
from services.gateway.web.console import Console, NavItem
from shared.settings import Role

NAV = NavItem(
    key="admin-users",
    path="/admin/users",
    label="Users and roles",
    roles=frozenset({Role.ADMIN}),
    order=90,
)
Username = Annotated[str, Path(min_length=1, max_length=32)]


def build(console: Console) -> APIRouter:
    router = APIRouter(route_class=console.route_class, include_in_schema=False)
    deps = console.deps

    def admin_only(roles: frozenset[Role]) -> None:
        if Role.ADMIN not in roles:
            raise NotAllowed("only an administrator manages people")

    def choices() -> dict[str, object]:
        """The roles and, with several accounts, the accounts a person may be given."""
        accounts = deps.accounts
        return {
            "roles": [str(r) for r in PERSON_ROLES],
            "account_roles": [str(r) for r in ACCOUNT_ROLES],
            "deployment_accounts": list(accounts.ids) if accounts.several else [],
        }

    @router.get("/admin/users")
    async def users_page(
        request: Request,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        done: Annotated[str, Query(max_length=64)] = "",
    ) -> Response:
        visit = await console.visit(request)
        admin_only(visit.person.roles)
        people, total = await deps.people.find(offset=offset, limit=100)
        return console.render(
            request,
            "admin_users.html",
            {
                "people": people,
                "total": total,
                **choices(),
                "done": done,
                "problems": {},
                "draft": {},
            },
            visit=visit,
            page=NAV.key,
        )

    @router.post("/admin/users")
    async def add_person(request: Request) -> Response:
        visit, form = await console.change_form(request)
        admin_only(visit.person.roles)
        command = usecases.PersonCreate(
            username=form.get("username"),
            display_name=form.get("display_name"),
            roles=form.all("roles"),
            password=form.get("password"),
            accounts=form.all("accounts"),
            account_roles=form.all("account_roles"),
        )
        try:
            person = await usecases.create_person(command, deps=deps, actor=visit.principal)
        except InvalidInput as exc:
            people, total = await deps.people.find(offset=0, limit=100)
            return console.render(
                request,
                "admin_users.html",
                {
                    "people": people,
                    "total": total,
                    **choices(),
                    "done": "",
                    "problems": exc.problems,
                    "draft": {
                        "username": command.username,
                        "display_name": command.display_name,
                        "roles": command.roles,
                        "accounts": command.accounts,
                        "account_roles": command.account_roles,
                    },
                },
                visit=visit,
                page=NAV.key,
                status=422,
            )
        return RedirectResponse(f"/admin/users?done=added:{person.username}", status_code=303)

    @router.post("/admin/users/{username}")
    async def change_person(username: Username, request: Request) -> Response:
        visit, form = await console.change_form(request)
        admin_only(visit.person.roles)
        change = usecases.PersonChange(
            display_name=form.get("display_name") or None,
            roles=form.all("roles") if form.get("set_roles") else None,
            active={"1": True, "0": False}.get(form.get("active")),
            password=form.get("password") or None,
            accounts=form.all("accounts") if form.get("set_accounts") else None,
            account_roles=form.all("account_roles") if form.get("set_accounts") else None,
        )
        await usecases.change_person(username, change, deps=deps, actor=visit.principal)
        return RedirectResponse(f"/admin/users?done=changed:{username}", status_code=303)

    return router
