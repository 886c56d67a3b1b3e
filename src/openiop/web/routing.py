"""The transaction edge for HTTP: one database transaction per request.

Every route runs inside `TransactionalRoute`. The request's session commits when the handler
returns a response below 400 and rolls back otherwise (a handler that must keep its work on an
error response, like a failed sign-in counting towards lockout, sets `commit_on_error`). A refusal rolls back the work and then
commits the audit event that records it, so refusals are never lost.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from openiop.kit.errors import DomainError
from openiop.security import audit


class TransactionalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                response = await handler(request)
            except DomainError as error:
                await run_in_threadpool(_settle_failure, request, error)
                raise
            except BaseException:
                await run_in_threadpool(_finish, request, False)
                raise
            keep = response.status_code < 400 or getattr(request.state, "commit_on_error", False)
            await run_in_threadpool(_finish, request, keep)
            return response

        return run


def _finish(request: Request, ok: bool) -> None:
    session = getattr(request.state, "db", None)
    if session is None:
        return
    try:
        if ok:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()
        request.state.db = None


def _settle_failure(request: Request, error: DomainError) -> None:
    session = getattr(request.state, "db", None)
    if session is None:
        return
    try:
        session.rollback()
        entry = getattr(error, "audit_entry", None)
        actor = getattr(request.state, "actor", None)
        if entry is not None and actor is not None:
            audit.record(session, actor, entry)
            session.commit()
    finally:
        session.close()
        request.state.db = None
