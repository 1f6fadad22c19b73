"""Personal sign-in links: a single-use, expiring, revocable link per participant that signs
them in on their own phone or laptop (the shared tablets keep the cards), invitations that
carry one, and the link sheet for organisations that send their own.

What other packages, the routers and the CLI may use; the modules beside this file are
internal to the package."""

from app.services.links.invitations import (
    INVITATION,
    InvitationReport,
    invitation_landing,
    send_invitations,
)
from app.services.links.self_service import REQUESTED, REQUESTED_TTL, request_link
from app.services.links.sheet import (
    CSV_HEADER,
    SheetRow,
    issue_sheet,
    links_csv,
    render_links_html,
    render_links_pdf,
)
from app.services.links.status import (
    LINK_STATES,
    LinkStatus,
    MyLinks,
    link_statuses,
    my_links,
    state_of,
)
from app.services.links.tokens import (
    DEFAULT_TTL,
    LINK_PATH,
    NEXT_PREFIXES,
    SIGN_IN,
    TICKET_SECONDS,
    TOKEN_SHAPE,
    IssuedLink,
    LinkRejected,
    bind_session,
    check_next_path,
    issue_link,
    link_ticket,
    pending_link,
    redeem_link,
    revoke_links,
    use_link,
)

__all__ = [
    "CSV_HEADER",
    "DEFAULT_TTL",
    "INVITATION",
    "LINK_PATH",
    "LINK_STATES",
    "NEXT_PREFIXES",
    "REQUESTED",
    "REQUESTED_TTL",
    "SIGN_IN",
    "TICKET_SECONDS",
    "TOKEN_SHAPE",
    "InvitationReport",
    "IssuedLink",
    "LinkRejected",
    "LinkStatus",
    "MyLinks",
    "SheetRow",
    "bind_session",
    "check_next_path",
    "invitation_landing",
    "issue_link",
    "issue_sheet",
    "link_statuses",
    "link_ticket",
    "links_csv",
    "my_links",
    "pending_link",
    "redeem_link",
    "render_links_html",
    "render_links_pdf",
    "request_link",
    "revoke_links",
    "send_invitations",
    "state_of",
    "use_link",
]
