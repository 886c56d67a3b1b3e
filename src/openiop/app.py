"""create_app(): mounts every area's routers, the error handlers and the static files."""

from __future__ import annotations

from importlib.resources import files
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openiop import __version__
from openiop.config import Settings, get_settings
from openiop.db import get_engine, session_factory
from openiop.kit.errors import DomainError, NotAuthenticated
from openiop.web.deps import CSRF_COOKIE, MfaRequired, cookie_secure
from openiop.web.templating import templates


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_secret()
    app = FastAPI(
        title="OpenIOP",
        version=__version__,
        description="Records and operations for an intensive outpatient addiction-treatment "
        "program. The JSON API lives under /api/v1 and takes bearer tokens.",
    )
    app.state.settings = settings
    app.state.engine = get_engine(settings.database_url)
    app.state.session_factory = session_factory(app.state.engine)
    app.mount(
        "/static", StaticFiles(directory=str(files("openiop") / "web" / "static")), name="static"
    )
    _mount_routers(app)
    _install_error_handlers(app)
    _install_middleware(app, settings)
    return app


def _mount_routers(app: FastAPI) -> None:
    from openiop.admissions import api as admissions_api
    from openiop.admissions import pages as admissions_pages
    from openiop.attendance import api as attendance_api
    from openiop.attendance import pages as attendance_pages
    from openiop.attendance import patient_pages as attendance_patient_pages
    from openiop.calendar import api as calendar_api
    from openiop.calendar import feeds_pages, reminders_pages
    from openiop.calendar import pages as calendar_pages
    from openiop.calendar import planning_api as plan_api
    from openiop.calendar import planning_pages as plan_pages
    from openiop.clinical import api as clinical_api
    from openiop.clinical import pages as clinical_pages
    from openiop.notes import api as notes_api
    from openiop.notes import pages as notes_pages
    from openiop.patients import api as patients_api
    from openiop.patients import pages as patients_pages
    from openiop.programs import api as programs_api
    from openiop.programs import pages as programs_pages
    from openiop.security import api as security_api
    from openiop.security import pages as security_pages
    from openiop.web import health

    app.include_router(health.router)
    app.include_router(clinical_pages.router)
    app.include_router(clinical_api.router, prefix="/api/v1")
    app.include_router(notes_pages.router)
    app.include_router(notes_api.router, prefix="/api/v1")
    app.include_router(attendance_pages.router)
    app.include_router(attendance_patient_pages.router)
    app.include_router(attendance_api.router, prefix="/api/v1")
    app.include_router(feeds_pages.public)  # the .ics URL: no session, the secret is the key
    for module in (feeds_pages, reminders_pages):
        app.include_router(module.router)
    app.include_router(plan_pages.router)
    app.include_router(plan_api.router, prefix="/api/v1")
    app.include_router(calendar_pages.router)
    app.include_router(calendar_api.router, prefix="/api/v1")
    for module in (security_pages, programs_pages, patients_pages, admissions_pages):
        app.include_router(module.router)
    for module in (security_api, programs_api, patients_api, admissions_api):
        app.include_router(module.router, prefix="/api/v1")


def _wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith("/api/")
        or "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        if _wants_json(request):
            body = {"error": error.title, "detail": error.message}
            if error.field_errors:
                body["fields"] = error.field_errors
            headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
            return JSONResponse(body, status_code=error.status_code, headers=headers)
        if isinstance(error, MfaRequired):
            return RedirectResponse("/mfa", status_code=303)
        if isinstance(error, NotAuthenticated):
            expired = "&expired=1" if getattr(request.state, "session_expired", False) else ""
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"/login?next={target}{expired}", status_code=303)
        return templates.TemplateResponse(
            request, "error.html", {"error": error}, status_code=error.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        fields = {
            ".".join(str(part) for part in item["loc"] if part not in ("body", "query", "path"))
            or "body": item["msg"]
            for item in error.errors()
        }
        detail = "; ".join(f"{name}: {message}" for name, message in fields.items())
        if _wants_json(request):
            return JSONResponse(
                {"error": "Invalid input", "detail": detail, "fields": fields}, status_code=422
            )
        bad = DomainError(detail)
        bad.status_code, bad.title = 422, "Invalid input"
        return templates.TemplateResponse(request, "error.html", {"error": bad}, status_code=422)


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(SecurityHeaders, settings=settings)


# Pages under these paths show people's records: never cached by the browser or a proxy.
NO_STORE_PATHS = ("/patients", "/api/", "/audit", "/me", "/attendance", "/calendar")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeaders:
    """Security headers on every response, and the CSRF cookie a page asked for.

    A plain ASGI middleware rather than `@app.middleware("http")`: Starlette's
    BaseHTTPMiddleware copies every response body through an extra task and stream, which
    cost a noticeable share of each page's CPU time."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add_headers(scope, MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _add_headers(self, scope: Scope, headers: MutableHeaders) -> None:
        token = scope.get("state", {}).get("new_csrf_cookie")
        if token:
            cookie = Response()
            cookie.set_cookie(
                CSRF_COOKIE,
                token,
                httponly=True,
                samesite="strict",
                secure=cookie_secure(Request(scope), self.settings),
                path="/",
            )
            headers.append("set-cookie", cookie.headers["set-cookie"])
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if scope["path"].startswith(NO_STORE_PATHS):
            headers.setdefault("Cache-Control", "no-store")
