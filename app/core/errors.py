"""Domain errors raised by services; one handler in ``app.main`` maps them to HTTP.

Messages and locations are written for people: whoever raises an error translates them then
(``gettext`` in the request's language, see ``app.core.i18n``), so an error page, a form
error and the API's ``detail`` all speak the reader's language. ``error.html`` titles the page
by status and translates the app's few generic messages.
"""

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
        if not self.where:
            return self.message
        from app.core.i18n import translate  # here: `tandem --help` loads no language core

        # Translators: one problem in a list: where it is ("row 4, column Email") and what is wrong.
        return translate("%(where)s: %(message)s") % {"where": self.where, "message": self.message}


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
