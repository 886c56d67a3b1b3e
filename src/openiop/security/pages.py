"""Sign-in, sign-out, the second factor, the account page and the auditor's screens."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from openiop.kit.errors import NotAuthenticated, ValidationFailed
from openiop.security import audit, mfa, repository, sign_in_service
from openiop.security import service as security
from openiop.security.audit import AuditEntry
from openiop.security.permissions import Permission, Role
from openiop.web.deps import (
    SESSION_COOKIE,
    BrowserSession,
    FormData,
    PageActor,
    SessionDep,
    SettingsDep,
    anonymous_actor,
    cookie_secure,
    verify_csrf,
)
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


def safe_next(target: str | None) -> str:
    """Only same-site paths: never let `next` send someone to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/")
def home(request: Request, db: SessionDep, record: BrowserSession) -> Response:
    if record is None:
        return RedirectResponse("/login", status_code=303)
    user = repository.user_by_id(db, record.user_id)
    role = Role(user.role) if user else None
    target = {Role.PATIENT: "/me", Role.AUDITOR: "/audit"}.get(role, "/patients")  # type: ignore[arg-type]
    return RedirectResponse(target, status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/", expired: int = 0) -> Response:
    message = "You were signed out after a period of inactivity." if expired else None
    return render(
        request, "security/login.html", {"next": safe_next(next), "values": {}, "message": message}
    )


@router.post("/login")
def login(request: Request, db: SessionDep, settings: SettingsDep, form: FormData) -> Response:
    actor = anonymous_actor(request)
    email, password = form.get("email", "").strip(), form.get("password", "")
    target = safe_next(form.get("next"))
    if not email or not password:
        errors = {k: "Required." for k, v in (("email", email), ("password", password)) if not v}
        return render(
            request,
            "security/login.html",
            {"next": target, "values": {"email": email}, "errors": errors},
            422,
        )
    result = sign_in_service.sign_in(
        db, email=email, password=password, settings=settings, actor=actor
    )
    if result.outcome is not sign_in_service.SignInOutcome.OK:
        request.state.commit_on_error = True  # failed attempts count towards the lockout
        return render(
            request,
            "security/login.html",
            {
                "next": target,
                "values": {"email": email},
                "message": _failure_message(result),
            },
            429 if result.wait_seconds else 401,
        )
    started = sign_in_service.start_session(db, user=result.user, actor=actor)  # type: ignore[arg-type]
    needs_second_step = not started.record.mfa_passed or sign_in_service.mfa_needs_enrolment(
        result.user, settings
    )  # type: ignore[arg-type]
    response = RedirectResponse(
        f"/mfa?next={target}" if needs_second_step else target, status_code=303
    )
    response.set_cookie(
        SESSION_COOKIE,
        started.token,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request, settings),
        path="/",
    )
    return response


def _failure_message(result: sign_in_service.SignInResult) -> str:
    if result.outcome is sign_in_service.SignInOutcome.LOCKED:
        minutes = max(1, round(result.wait_seconds / 60))
        return (
            f"Too many failed attempts: this account is locked for about {minutes} more minute(s)."
        )
    if result.outcome is sign_in_service.SignInOutcome.TOO_SOON:
        return f"Please wait {result.wait_seconds} second(s) before trying again."
    return "The email or password is not right."


@router.post("/logout")
def logout(request: Request, db: SessionDep, record: BrowserSession) -> Response:
    if record is not None:
        sign_in_service.end_session(db, record=record)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ---- second factor ----------------------------------------------------------------------


def _half_signed_in(db, record):  # type: ignore[no-untyped-def]
    if record is None:
        raise NotAuthenticated("Please sign in.")
    user = repository.user_by_id(db, record.user_id)
    assert user is not None
    return user


@router.get("/mfa")
def mfa_form(
    request: Request, db: SessionDep, settings: SettingsDep, record: BrowserSession, next: str = "/"
) -> Response:
    user = _half_signed_in(db, record)
    return render(request, "security/mfa.html", _mfa_context(user, next))


def _mfa_context(user, next_path: str, errors: dict | None = None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    context = {
        "next": safe_next(next_path),
        "errors": errors or {},
        "enrolling": not user.mfa_enabled,
    }
    if not user.mfa_enabled:
        secret = sign_in_service.begin_mfa_enrolment(user)
        context.update(secret=secret, qr=mfa.qr_svg(mfa.provisioning_uri(secret, user.email)))
    return context


@router.post("/mfa")
def mfa_submit(
    request: Request, db: SessionDep, record: BrowserSession, form: FormData
) -> Response:
    user = _half_signed_in(db, record)
    actor = anonymous_actor(request)
    actor = audit.Actor(security.principal_for(db, user), "web", actor.ip, actor.user_agent)
    try:
        sign_in_service.confirm_mfa(
            db, user=user, record=record, code=form.get("code", ""), actor=actor
        )
    except ValidationFailed as error:
        return render(
            request,
            "security/mfa.html",
            _mfa_context(user, form.get("next", "/"), error.field_errors),
            422,
        )
    return RedirectResponse(safe_next(form.get("next")), status_code=303)


# ---- account ----------------------------------------------------------------------------


@router.get("/account")
def account(request: Request, db: SessionDep, actor: PageActor) -> Response:
    user = request.state.user
    tokens = repository.tokens_for_user(db, user.id)
    return render(request, "security/account.html", {"account": user, "tokens": tokens})


@router.post("/account/tokens/{token_id}/revoke")
def revoke_own_token(request: Request, token_id: int, db: SessionDep, actor: PageActor) -> Response:
    token = db.get(security.ApiToken, token_id)
    if token is None or token.user_id != actor.principal.user_id:  # type: ignore[union-attr]
        raise security.Refused(
            "That token is not yours.",
            AuditEntry("token.revoke", "refused", object_type="api_token", object_id=token_id),
        )
    security.revoke_token(db, token_id=token_id, actor=actor)
    return RedirectResponse("/account", status_code=303)


# ---- auditor's screens ------------------------------------------------------------------

PAGE_SIZE = 50


@router.get("/audit")
def audit_events(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: PageActor,
    user: str = "",
    patient_id: str = "",
    action: str = "",
    refused: str = "",
    date_from: str = "",
    date_to: str = "",
    page: int = 1,
) -> Response:
    security.require(db, actor, Permission.AUDIT_READ, action="audit.list")
    values = {
        "user": user,
        "patient_id": patient_id,
        "action": action,
        "refused": refused,
        "date_from": date_from,
        "date_to": date_to,
    }
    errors: dict[str, str] = {}
    patient = _int_or_error(patient_id, "patient_id", errors)
    zone = ZoneInfo(settings.default_time_zone)
    since = _date_or_error(date_from, "date_from", errors, zone)
    until = _date_or_error(date_to, "date_to", errors, zone)
    until = until + timedelta(days=1) if until else None
    page = max(page, 1)
    events = (
        []
        if errors
        else repository.search_audit_events(
            db,
            user=user.strip() or None,
            patient_id=patient,
            action=action.strip() or None,
            refused_only=bool(refused),
            since=since,
            until=until,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    )
    chosen = {k: v for k, v in values.items() if v}
    filters = "; ".join(f"{k}={v}" for k, v in chosen.items())
    audit.record(db, actor, AuditEntry("audit.list", detail=filters[:300] or None))
    query = urlencode(chosen)
    return render(
        request,
        "security/audit.html",
        {
            "events": events[:PAGE_SIZE],
            "has_next": len(events) > PAGE_SIZE,
            "page": page,
            "values": values,
            "errors": errors,
            "query": query,
        },
        422 if errors else 200,
    )


def _int_or_error(raw: str, name: str, errors: dict[str, str]) -> int | None:
    if not raw.strip():
        return None
    if not raw.strip().isdigit():
        errors[name] = "Enter a patient number (digits only)."
        return None
    return int(raw)


def _date_or_error(raw: str, name: str, errors: dict[str, str], zone: ZoneInfo) -> datetime | None:
    if not raw.strip():
        return None
    try:
        day = datetime.strptime(raw.strip(), "%Y-%m-%d").date()
    except ValueError:
        errors[name] = "Enter a date as YYYY-MM-DD."
        return None
    return datetime.combine(day, time.min, tzinfo=zone)


@router.get("/audit/break-glass")
def break_glass_review(
    request: Request, db: SessionDep, actor: PageActor, show: str = "pending"
) -> Response:
    security.require(db, actor, Permission.BREAK_GLASS_REVIEW, action="break_glass.list")
    rows = repository.grants_for_review(db, pending_only=show != "all")
    audit.record(db, actor, AuditEntry("break_glass.list", detail=f"show={show}"))
    return render(request, "security/break_glass.html", {"rows": rows, "show": show})


@router.post("/audit/break-glass/{grant_id}/review")
def review_break_glass(
    request: Request, grant_id: int, db: SessionDep, actor: PageActor, form: FormData
) -> Response:
    security.review_grant(db, actor=actor, grant_id=grant_id, note=form.get("note", ""))
    return RedirectResponse("/audit/break-glass", status_code=303)
