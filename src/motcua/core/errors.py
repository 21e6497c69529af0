"""Domain errors: a machine-readable code, a Vietnamese message and an HTTP status.

Every layer (API, web, commands) turns a DomainError into a 4xx answer; nothing the user
typed may end in a 500.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, *, status: int | None = None, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.details:
            data["details"] = self.details
        return data


class InvalidTransition(DomainError):
    status = 409


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class ValidationFailed(DomainError):
    status = 422
