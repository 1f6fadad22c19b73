"""Domain errors raised by services; one handler in ``app.main`` maps them to HTTP."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the user's input, located precisely enough to fix it.

    ``where`` is human-readable ("row 4, column Email", "exercises/x.yaml:12:3").
    """

    where: str
    message: str
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""

    status_code = 404


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status_code = 403


class Conflict(DomainError):
    """The request clashes with the current state (stale version, duplicate)."""

    status_code = 409


class Unavailable(DomainError):
    """A transient condition (database locked, queue full); the client should retry."""

    status_code = 503

    def __init__(self, message: str, *, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidInput(DomainError):
    """The input is wrong; ``problems`` lists every fault found, each with its location."""

    status_code = 422

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])
