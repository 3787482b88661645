"""One error type for business rules, with a code a client can act on."""

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the request; `message` is shown to the user as is."""

    def __init__(self, message: str, *, code: str = "invalid", extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The object changed since the user loaded it (optimistic locking)."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message, code="conflict", extra={"current_version": current_version})
