"""Small helpers shared by the registry's HTML pages."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from openiop.kit.errors import Conflict, ValidationFailed
from openiop.web.render import render


def redirect(target: str) -> Response:
    return RedirectResponse(target, status_code=303)


def read_version(form: dict[str, str]) -> int:
    """The hidden version an edit form carries, for optimistic locking."""
    raw = form.get("version", "").strip()
    if not raw.isdigit():
        raise ValidationFailed(
            "The form is missing its version: reload the page.",
            field_errors={"version": "Reload the page and try again."},
        )
    return int(raw)


def conflict_page(request: Request, error: Conflict, reload_url: str) -> Response:
    """409: someone saved the record after this form was opened; offer a fresh copy."""
    context = {"message": error.message, "reload_url": reload_url}
    return render(request, "patients/conflict.html", context, 409)
