"""JSON API for reaching participants outside the room: personal links and invitations, the
link sheet, the intake's status and reminders, and the mail's status. The same service
functions as the facilitator's pages; states and counts only, never what anyone wrote."""

from __future__ import annotations

from fastapi import Response

from app.deps import CohortDep, CurrentFacilitator, PathId, SessionDep, SettingsDep
from app.routers.api.common import COHORT_ERRORS, WRITE_ERRORS, api_router, errors, file_answer
from app.schemas.outreach import (
    IntakeRowPublic,
    IntakeStatusPublic,
    InvitationPublic,
    InviteRequest,
    LinkStatusPublic,
    MailStatusPublic,
    ParticipantMailPublic,
    RemindedPublic,
    RevokedPublic,
)
from app.services import intake, links, mail, roster

router = api_router("links, intake and mail")
CHANGE_ERRORS = {**COHORT_ERRORS, **WRITE_ERRORS, **errors(422)}


@router.get("/cohorts/{slug}/links", response_model=list[LinkStatusPublic], responses=COHORT_ERRORS)
def link_statuses(session: SessionDep, cohort: CohortDep) -> list[LinkStatusPublic]:
    """Each participant's newest personal link: none, issued, sent, used, expired or revoked
    (never the link itself)."""
    people = roster.list_participants(session, cohort=cohort)
    return [
        LinkStatusPublic(
            participant_id=s.participant.id or 0,
            name=s.participant.name,
            state=s.state,
            issued_at=s.issued_at,
            expires_at=s.expires_at,
            sent_at=s.sent_at,
            used_at=s.used_at,
        )
        for s in links.link_statuses(session, participants=people)
    ]


@router.post(
    "/cohorts/{slug}/links/invite", response_model=InvitationPublic, responses=CHANGE_ERRORS
)
def invite(
    body: InviteRequest,
    session: SessionDep,
    settings: SettingsDep,
    cohort: CohortDep,
    user: CurrentFacilitator,
) -> InvitationPublic:
    """Mail an invitation with a fresh personal link to everyone with an e-mail address, or
    to the participants named; their older links stop working."""
    people = (
        None
        if body.participant_ids is None
        else [
            roster.get_participant(session, cohort=cohort, participant_id=pid)
            for pid in dict.fromkeys(body.participant_ids)
        ]
    )
    report = links.send_invitations(
        session,
        cohort=cohort,
        base_url=settings.base_url,
        actor=f"facilitator:{user.id}",
        participants=people,
    )
    return InvitationPublic(
        queued=report.queued, without_address=report.without_address, refused=report.refused
    )


@router.post(
    "/cohorts/{slug}/links.csv",
    response_class=Response,
    responses={
        **COHORT_ERRORS,
        **WRITE_ERRORS,
        **file_answer("Everyone's new link, for an organisation's own mail", "text/csv"),
    },
)
def links_sheet(
    session: SessionDep, settings: SettingsDep, cohort: CohortDep, user: CurrentFacilitator
) -> Response:
    """Issue everyone a new personal link (the older ones stop working) and answer them as
    CSV: name, e-mail, link, expiry."""
    rows = links.issue_sheet(
        session, cohort=cohort, base_url=settings.base_url, actor=f"facilitator:{user.id}"
    )
    return Response(
        links.links_csv(rows).encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{cohort.slug}-links.csv"'},
    )


@router.post(
    "/cohorts/{slug}/participants/{participant_id}/links/revoke",
    response_model=RevokedPublic,
    responses=CHANGE_ERRORS,
)
def revoke(
    session: SessionDep, cohort: CohortDep, user: CurrentFacilitator, participant_id: PathId
) -> RevokedPublic:
    """Stop a participant's unused links and sign out what links opened (a leaked link)."""
    person = roster.get_participant(session, cohort=cohort, participant_id=participant_id)
    assert person.id is not None
    return RevokedPublic(
        revoked=links.revoke_links(session, person.id, by=f"facilitator:{user.id}")
    )


@router.get("/cohorts/{slug}/intake", response_model=IntakeStatusPublic, responses=COHORT_ERRORS)
def intake_status(session: SessionDep, cohort: CohortDep) -> IntakeStatusPublic:
    """Who has answered the intake and when, never what."""
    status = intake.intake_status(session, cohort=cohort)
    return IntakeStatusPublic(
        open=status.open,
        answered=status.answered,
        rows=[
            IntakeRowPublic(
                participant_id=r.participant_id,
                name=r.name,
                submitted_at=r.submitted_at,
                updated_at=r.updated_at,
            )
            for r in status.rows
        ],
    )


@router.post(
    "/cohorts/{slug}/intake/remind",
    response_model=RemindedPublic,
    responses={**COHORT_ERRORS, **WRITE_ERRORS, **errors(409)},
)
def intake_remind(
    session: SessionDep, settings: SettingsDep, cohort: CohortDep, user: CurrentFacilitator
) -> RemindedPublic:
    """Mail everyone who has not answered a reminder with a fresh personal link (once a day
    each); 409 once the pairs are published."""
    done = intake.send_intake_reminders(
        session, cohort=cohort, base_url=settings.base_url, actor=f"facilitator:{user.id}"
    )
    return RemindedPublic(queued=done.queued, already=done.already, opted_out=done.opted_out)


@router.get("/cohorts/{slug}/mail", response_model=MailStatusPublic, responses=COHORT_ERRORS)
def mail_status(session: SessionDep, cohort: CohortDep) -> MailStatusPublic:
    """The cohort's mail by state, each participant's last mail and refused addresses (never a
    subject or body)."""
    status = mail.cohort_mail_status(session, cohort=cohort)
    return MailStatusPublic(
        counts=status.counts,
        bounced_addresses=status.bounced_addresses,
        rows=[
            ParticipantMailPublic(
                participant_id=r.participant_id,
                name=r.name,
                email=r.email,
                last_kind=r.last_kind,
                last_state=r.last_state,
                last_at=r.last_at,
                bounced=r.bounced,
                reminders_off=r.reminders_off,
            )
            for r in status.rows
        ],
    )
