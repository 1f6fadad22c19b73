"""Facilitator accounts: passwords, throttled sign-in and the server-side sessions of
facilitators and tablets.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.accounts.service import (
    PASSWORD_CHECKS_AT_ONCE,
    PASSWORD_CHECKS_WAITING,
    LoginLimits,
    Throttled,
    check_password,
    create_facilitator,
    end_session,
    hash_token,
    load_session,
    login_throttle_prefix,
    record_login,
    start_participant_session,
    start_session,
    touch_due,
    touch_session,
)

__all__ = [
    "PASSWORD_CHECKS_AT_ONCE",
    "PASSWORD_CHECKS_WAITING",
    "LoginLimits",
    "Throttled",
    "check_password",
    "create_facilitator",
    "end_session",
    "hash_token",
    "load_session",
    "login_throttle_prefix",
    "record_login",
    "start_participant_session",
    "start_session",
    "touch_due",
    "touch_session",
]
