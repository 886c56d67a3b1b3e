"""Domain errors carry an HTTP status and a plain message; one handler renders them."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    title = "Bad request"

    def __init__(self, message: str, *, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    status_code = 422
    title = "Please correct the highlighted fields"


class NotFound(DomainError):
    status_code = 404
    title = "Not found"


class Forbidden(DomainError):
    status_code = 403
    title = "Not allowed"


class NotAuthenticated(DomainError):
    status_code = 401
    title = "Sign-in required"


class Conflict(DomainError):
    status_code = 409
    title = "Changed by someone else"


class TooManyRequests(DomainError):
    status_code = 429
    title = "Too many attempts"
