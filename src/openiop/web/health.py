"""GET /healthz: is the app up and can it reach its database?"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from openiop.web.deps import SessionDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["health"])


@router.get("/healthz")
def healthz(db: SessionDep) -> JSONResponse:
    try:
        db.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(error.__cause__ or error).strip().splitlines()[0][:200]
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable", "reason": reason}, status_code=503
        )
    return JSONResponse({"status": "ok", "database": "ok"})
