"""Facilitator accounts: passwords, throttled sign-in and the server-side sessions of
facilitators and tablets.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.accounts.service import (
    SignInError,
    Throttled,
    authenticate,
    create_facilitator,
    end_session,
    hash_token,
    load_session,
    start_participant_session,
    start_session,
    touch_due,
    touch_session,
)

__all__ = [
    "SignInError",
    "Throttled",
    "authenticate",
    "create_facilitator",
    "end_session",
    "hash_token",
    "load_session",
    "start_participant_session",
    "start_session",
    "touch_due",
    "touch_session",
]
