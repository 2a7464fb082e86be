"""Materials: pictures and their recorded origin, each of one account (#12)."""

from __future__ import annotations

from services.drafting.deps import DraftingDeps
from services.drafting.domain.content import Material
from services.drafting.errors import NotFound
from services.drafting.ports import DraftingTx
from services.drafting.schemas import MaterialCreate, MaterialUpdate
from services.drafting.usecases.common import must_see, new_id
from shared.http import authorize
from shared.settings import Principal, Role

__all__ = ["create_material", "get_material", "update_material"]


async def create_material(
    data: MaterialCreate, *, deps: DraftingDeps, actor: Principal
) -> Material:
    """Record a picture of ``data.account`` (the editor role there) and, if known, its
    origin."""
    account = deps.accounts.require(data.account).id
    authorize(actor, account, Role.EDITOR)
    now = deps.clock.now()
    material = Material(
        id=new_id("m"),
        account=account,
        title=data.title,
        url=data.url,
        origin=data.origin,
        created_by=actor.subject,
        created_at=now,
        updated_at=now,
    )

    async def work(tx: DraftingTx) -> None:
        await tx.materials.insert(material)
        await tx.audit.record(
            actor,
            "material.create",
            material.id,
            at=now,
            details={"account": account, "url": material.url},
        )

    await deps.uow.run(work)
    return material


async def update_material(
    material_id: str, changes: MaterialUpdate, *, deps: DraftingDeps, actor: Principal
) -> Material:
    """Change a material's title, URL or origin (the editor role on its account)."""
    now = deps.clock.now()
    # Title and URL cannot be removed (null leaves them); an origin can be withdrawn.
    given = {
        name
        for name in changes.model_fields_set
        if name == "origin" or getattr(changes, name) is not None
    }

    async def work(tx: DraftingTx) -> Material:
        material = await tx.materials.get(material_id)
        if material is None:
            raise NotFound(f"no material {material_id}")
        authorize(actor, material.account, Role.EDITOR)
        updated = material.model_copy(
            update={name: getattr(changes, name) for name in given} | {"updated_at": now}
        )
        await tx.materials.replace(updated)
        await tx.audit.record(
            actor,
            "material.update",
            material_id,
            at=now,
            details={"account": material.account, "changed": sorted(given)},
        )
        return updated

    return await deps.uow.run(work)


async def get_material(material_id: str, *, deps: DraftingDeps, viewer: Principal) -> Material:
    """One material, if ``viewer`` may read its account (else :class:`NotFound`)."""
    material = await deps.materials.get(material_id)
    if material is None:
        raise NotFound(f"no material {material_id}")
    must_see(viewer, material.account, f"material {material_id}")
    return material
