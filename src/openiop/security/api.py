"""JSON API for the caller's own identity: GET /api/v1/me."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from openiop.web.deps import ApiActor
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["identity"])


class Me(BaseModel):
    user_id: int
    email: str
    role: str
    location_ids: list[int] | None


@router.get("/me", response_model=Me)
def me(actor: ApiActor) -> Me:
    principal = actor.principal
    assert principal is not None
    locations = sorted(principal.location_ids) if principal.location_ids is not None else None
    return Me(
        user_id=principal.user_id,
        email=principal.email,
        role=str(principal.role),
        location_ids=locations,
    )
