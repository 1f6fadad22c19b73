"""Facilitator accounts: passwords, throttled sign-in, the server-side sessions of
facilitators and tablets, and managing accounts (invitations and resets by single-use
set-password links, deactivation).

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.accounts.invitations import (
    ACCOUNT_STATES,
    PASSWORD_LINK_HOURS,
    PASSWORD_LINK_PATH,
    IssuedLink,
    account_state,
    check_password_link,
    deactivate_facilitator,
    get_facilitator,
    invite_facilitator,
    list_facilitators,
    reactivate_facilitator,
    reset_facilitator,
    set_password_with_link,
)
from app.services.accounts.service import (
    MIN_PASSWORD_LENGTH,
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
    "ACCOUNT_STATES",
    "MIN_PASSWORD_LENGTH",
    "PASSWORD_CHECKS_AT_ONCE",
    "PASSWORD_CHECKS_WAITING",
    "PASSWORD_LINK_HOURS",
    "PASSWORD_LINK_PATH",
    "IssuedLink",
    "LoginLimits",
    "Throttled",
    "account_state",
    "check_password",
    "check_password_link",
    "create_facilitator",
    "deactivate_facilitator",
    "end_session",
    "get_facilitator",
    "hash_token",
    "invite_facilitator",
    "list_facilitators",
    "load_session",
    "login_throttle_prefix",
    "reactivate_facilitator",
    "record_login",
    "reset_facilitator",
    "set_password_with_link",
    "start_participant_session",
    "start_session",
    "touch_due",
    "touch_session",
]
