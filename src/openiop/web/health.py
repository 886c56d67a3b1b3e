"""GET /healthz: is the app up and can it reach its database?"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(error.__cause__ or error).splitlines()[0][:200]
        return JSONResponse({"status": "unavailable", "database": "unreachable", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
