"""The permission matrix: every route of the app x every kind of viewer -> expected outcome.

ADDING A ROUTE? Add one line to ROUTES below: (method, path) -> a rule. The test
``test_every_route_has_a_row`` fails until you do. Rules:

- PUBLIC              anyone, signed in or not
- FACILITATOR         any signed-in facilitator or admin; participants and anonymous go to /login
- COHORT              facilitators of this cohort and admins; another cohort's facilitator gets 404
- COHORT_MISSING      like COHORT, but the test world has no such object: allowed viewers get 404
- PARTICIPANT         any signed-in participant (their own program); facilitators/anonymous -> /join
- CONTENT             a participant's answers: self and buddy allowed, everybody else 404 / sign in
- SIGN_OUT            anyone; always sends the browser back to a sign-in page
- STREAM              like PARTICIPANT, but a never-ending response: only the refusals are checked
- OWNER               only the owner of the object (Ana); every other participant gets 404
- BUDDY               only Ana's buddy; Ana herself, strangers and outsiders get 404
- PARTNER             a participant with a buddy group; Eve (no group) gets 404
- CHECKINS            self and buddy once both agreed a rhythm; Cai's pair has none, Eve no group
- PAIR                one check-in or next step of Ana's pair: Ana and Ben only, all others 404
- ADMIN               admins only; every facilitator gets 404, participants and anonymous sign in
- LEAD                the cohort's lead and admins; its co-facilitator gets 403 (a clear refusal),
                      another cohort's facilitator 404 (the world's pending roster upload takes
                      people off the roster, so applying it is the lead's too)

The world: Ana ("self", the target of every {participant_id}), Ben her buddy, Cai in the same
cohort but not her buddy, Eve in another cohort, the cohort's lead ("facilitator") and its
co-facilitator, a deactivated facilitator who led it (signed in before being switched off), a
facilitator of the other cohort, an admin, and nobody. Ana has an empty plan sharing its
goals, Ben has commented on her goals ({comment_id}), Ana and Ben agreed a check-in rhythm
(its first check-in is {checkin_id}) and wrote down a next step ({step_id}), and Cai proposed
a rhythm that Dan has not agreed yet. {facilitator_id} is the co-facilitator.
"""

from __future__ import annotations

import html
from contextlib import ExitStack
from pathlib import Path

import pytest

from app.core.config import Settings
from app.main import create_app
from tests.routers.route_world import (
    VIEWERS,
    RouteWorld,
    all_routes,
    app_for,
    build_route_world,
    client_for,
)

PUBLIC, FACILITATOR, COHORT, COHORT_MISSING = "public", "facilitator", "cohort", "cohort_missing"
PARTICIPANT, CONTENT, STREAM = "participant", "content", "stream"
SIGN_OUT = "sign_out"
SIGN_IN_STEP = "sign_in_step"  # the PIN step: without a card shown first, back to /join
OWNER, BUDDY, PARTNER, CHECKINS, ADMIN = "owner", "buddy", "partner", "checkins", "admin"
PAIR = "pair"
# Requests that use up what they act on: each allowed viewer gets a fresh copy of the world.
CONSUMING = {("POST", "/p/partnership/steps/{step_id}/remove")}
LEAD = "lead"

ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): SIGN_OUT,
    ("GET", "/account"): FACILITATOR,
    ("POST", "/account"): FACILITATOR,
    ("GET", "/"): PUBLIC,
    ("GET", "/cohorts"): FACILITATOR,
    ("GET", "/cohorts/new"): FACILITATOR,
    ("POST", "/cohorts/new"): FACILITATOR,
    ("GET", "/library"): FACILITATOR,
    ("GET", "/cohorts/{slug}"): COHORT,
    ("GET", "/cohorts/{slug}/edit"): COHORT,
    ("POST", "/cohorts/{slug}/edit"): COHORT,
    ("GET", "/cohorts/{slug}/roster"): COHORT,
    ("POST", "/cohorts/{slug}/roster/upload"): COHORT,
    ("GET", "/cohorts/{slug}/roster/imports/{import_id}"): COHORT,
    ("POST", "/cohorts/{slug}/roster/imports/{import_id}/mapping"): COHORT,
    ("POST", "/cohorts/{slug}/roster/imports/{import_id}/reading"): COHORT,
    ("POST", "/cohorts/{slug}/roster/imports/{import_id}/confirm"): LEAD,
    ("POST", "/cohorts/{slug}/roster/imports/{import_id}/cancel"): COHORT,
    ("GET", "/cohorts/{slug}/roster.csv"): COHORT,
    ("GET", "/cohorts/{slug}/participants/{participant_id}/edit"): COHORT,
    ("POST", "/cohorts/{slug}/participants/{participant_id}/edit"): COHORT,
    ("POST", "/cohorts/{slug}/participants/{participant_id}/remove"): LEAD,
    ("GET", "/cohorts/{slug}/matching"): COHORT,
    ("POST", "/cohorts/{slug}/matching/run"): COHORT,
    ("POST", "/cohorts/{slug}/matching/publish"): LEAD,
    ("POST", "/cohorts/{slug}/matching/groups/{group_id}/lock"): COHORT,
    ("POST", "/cohorts/{slug}/matching/swap"): COHORT,
    ("POST", "/cohorts/{slug}/matching/exclude"): COHORT,
    ("POST", "/cohorts/{slug}/matching/why"): COHORT,
    ("POST", "/cohorts/{slug}/matching/weights"): COHORT,
    ("POST", "/cohorts/{slug}/matching/groups/{group_id}/end"): LEAD,
    ("POST", "/cohorts/{slug}/matching/groups/{group_id}/join"): COHORT,
    ("GET", "/cohorts/{slug}/matching/matrix"): COHORT,
    ("GET", "/cohorts/{slug}/agenda"): COHORT,
    ("POST", "/cohorts/{slug}/agenda/build"): COHORT,
    ("POST", "/cohorts/{slug}/agenda/days/{day}/hours"): COHORT,
    ("POST", "/cohorts/{slug}/agenda/days/{day}/blocks"): COHORT,
    ("POST", "/cohorts/{slug}/agenda/days/{day}/blocks/remove"): COHORT,
    ("POST", "/cohorts/{slug}/agenda/items/{exercise_id}/move"): COHORT,
    ("POST", "/cohorts/{slug}/agenda/items/{exercise_id}/{action}"): COHORT,
    ("POST", "/cohorts/{slug}/agenda/items"): COHORT,
    ("GET", "/cohorts/{slug}/agenda.ics"): COHORT,
    ("GET", "/cohorts/{slug}/agenda/participants/{participant_id}.ics"): COHORT,
    ("GET", "/cohorts/{slug}/now"): COHORT,
    ("GET", "/cohorts/{slug}/now/panel"): COHORT,
    ("POST", "/cohorts/{slug}/now/{action}"): COHORT,
    ("GET", "/cohorts/{slug}/progress"): COHORT,
    ("GET", "/cohorts/{slug}/cards"): COHORT,
    ("POST", "/cohorts/{slug}/cards.pdf"): COHORT,
    ("POST", "/cohorts/{slug}/cards/{participant_id}/reissue"): COHORT,
    ("POST", "/cohorts/{slug}/cards/{participant_id}/revoke"): COHORT,
    ("POST", "/cohorts/{slug}/cards/{participant_id}/reset-pin"): COHORT,
    ("GET", "/cohorts/{slug}/links"): COHORT,
    ("POST", "/cohorts/{slug}/links.csv"): COHORT,
    ("POST", "/cohorts/{slug}/links.pdf"): COHORT,
    ("POST", "/cohorts/{slug}/links/invite"): COHORT,
    ("POST", "/cohorts/{slug}/links/{participant_id}/revoke"): COHORT,
    ("GET", "/cohorts/{slug}/workbooks"): COHORT,
    ("POST", "/cohorts/{slug}/workbooks"): COHORT,
    ("GET", "/cohorts/{slug}/jobs/{job_id}"): COHORT_MISSING,
    ("GET", "/cohorts/{slug}/jobs/{job_id}/progress"): COHORT_MISSING,
    ("GET", "/cohorts/{slug}/jobs/{job_id}/files/{name}"): COHORT_MISSING,
    ("GET", "/api/v1/session"): FACILITATOR,
    ("GET", "/api/v1/cohorts"): FACILITATOR,
    ("POST", "/api/v1/cohorts"): FACILITATOR,
    ("GET", "/api/v1/cohorts/{slug}"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/participants"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/roster/import"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/matching"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/matching"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/matching/matrix"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/agenda"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/agenda/build"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/agenda.ics"): COHORT,
    ("PATCH", "/api/v1/cohorts/{slug}"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/matching/publish"): LEAD,
    ("GET", "/api/v1/cohorts/{slug}/matching/groups"): COHORT,
    ("PUT", "/api/v1/cohorts/{slug}/matching/groups/{group_id}/lock"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/matching/swap"): COHORT,
    ("PUT", "/api/v1/cohorts/{slug}/matching/excluded"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/matching/why-not"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/matching/weights"): COHORT,
    ("PATCH", "/api/v1/cohorts/{slug}/matching/weights"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/matching/groups/{group_id}/end"): LEAD,
    ("POST", "/api/v1/cohorts/{slug}/matching/groups/{group_id}/join"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/participants/{participant_id}"): COHORT,
    ("PATCH", "/api/v1/cohorts/{slug}/participants/{participant_id}"): COHORT,
    ("DELETE", "/api/v1/cohorts/{slug}/participants/{participant_id}"): LEAD,
    ("GET", "/api/v1/cohorts/{slug}/roster.csv"): COHORT,
    ("PUT", "/api/v1/cohorts/{slug}/agenda/days/{day}/hours"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/agenda/days/{day}/blocks"): COHORT,
    ("DELETE", "/api/v1/cohorts/{slug}/agenda/days/{day}/blocks"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/agenda/items"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/agenda/items/{exercise_id}/move"): COHORT,
    ("PUT", "/api/v1/cohorts/{slug}/agenda/items/{exercise_id}/pin"): COHORT_MISSING,
    ("DELETE", "/api/v1/cohorts/{slug}/agenda/items/{exercise_id}"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/agenda/participants/{participant_id}.ics"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/now"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/now/{action}"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/cards"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/cards.pdf"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/cards/{participant_id}/reissue"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/cards/{participant_id}/revoke"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/cards/{participant_id}/reset-pin"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/progress"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/jobs"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/workbooks"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/jobs/{job_id}"): COHORT_MISSING,
    ("GET", "/api/v1/cohorts/{slug}/jobs/{job_id}/files/{name}"): COHORT_MISSING,
    ("GET", "/api/v1/cohorts/{slug}/plans"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/participants/{participant_id}/erase"): ADMIN,
    ("POST", "/api/v1/cohorts/{slug}/purge"): ADMIN,
    ("GET", "/join"): PUBLIC,
    ("POST", "/join"): PUBLIC,
    ("GET", "/join/{token}"): PUBLIC,
    ("POST", "/join/link"): PUBLIC,
    ("GET", "/join/pin"): SIGN_IN_STEP,
    ("POST", "/join/pin"): PUBLIC,
    ("POST", "/p/signout"): SIGN_OUT,
    # A personal link: its page, its token, its PIN step (without a link opened first, a page
    # that says to open the link again), and the participant's own brake.
    ("GET", "/link/{token}"): PUBLIC,
    ("POST", "/link"): PUBLIC,
    ("GET", "/link/pin"): PUBLIC,
    ("POST", "/link/pin"): PUBLIC,
    ("GET", "/link/request"): PUBLIC,
    ("POST", "/link/request"): PUBLIC,
    ("POST", "/p/links/stop"): PARTICIPANT,
    ("GET", "/p"): PARTICIPANT,
    ("GET", "/p/exercises/{exercise_id}"): PARTICIPANT,
    ("GET", "/p/exercises/{exercise_id}/shared"): PARTICIPANT,
    ("POST", "/p/agreement"): PARTICIPANT,
    ("PUT", "/p/api/answers/{exercise_id}/{prompt_id}"): PARTICIPANT,
    ("GET", "/p/api/people/{participant_id}/answers/{exercise_id}"): CONTENT,
    ("GET", "/p/now"): PARTICIPANT,
    ("GET", "/p/agenda.ics"): PARTICIPANT,
    ("GET", "/p/now/stream"): STREAM,
    ("GET", "/p/workbook.pdf"): PARTICIPANT,
    ("GET", "/p/workbook/pair.pdf"): PARTNER,
    ("GET", "/p/workbook/printing"): PARTICIPANT,
    ("POST", "/p/workbook/print-consent"): PARTICIPANT,
    ("GET", "/p/plan"): PARTICIPANT,
    ("PUT", "/p/api/plan"): PARTICIPANT,
    ("POST", "/p/plan/share"): PARTICIPANT,
    ("POST", "/p/language"): PARTICIPANT,
    ("POST", "/p/plan/import"): PARTICIPANT,
    ("GET", "/p/plan/versions"): PARTICIPANT,
    ("GET", "/p/my-data.json"): PARTICIPANT,
    ("POST", "/p/plan/comments/{comment_id}/resolve"): OWNER,
    ("GET", "/p/people/{participant_id}/plan"): CONTENT,
    ("POST", "/p/people/{participant_id}/plan/comments"): BUDDY,
    ("GET", "/p/partnership"): PARTICIPANT,
    ("POST", "/p/partnership/rhythm"): PARTNER,
    ("POST", "/p/partnership/rhythm/agree"): PARTNER,
    ("POST", "/p/partnership/notes"): PARTNER,
    ("POST", "/p/partnership/steps"): PARTNER,
    ("POST", "/p/partnership/state"): PARTNER,
    ("GET", "/p/partnership/checkins.ics"): CHECKINS,
    ("GET", "/p/partnership/checkins/{checkin_id}"): PAIR,
    ("POST", "/p/partnership/checkins/{checkin_id}/held"): PAIR,
    ("POST", "/p/partnership/checkins/{checkin_id}/move"): PAIR,
    ("POST", "/p/partnership/steps/{step_id}/done"): PAIR,
    ("POST", "/p/partnership/steps/{step_id}/remove"): PAIR,
    ("GET", "/p/mail"): PARTICIPANT,
    ("POST", "/p/mail"): PARTICIPANT,
    ("GET", "/mail/unsubscribe/{mail_token}"): PUBLIC,
    ("POST", "/mail/unsubscribe/{mail_token}"): PUBLIC,
    ("GET", "/cohorts/{slug}/mail"): COHORT,
    ("GET", "/cohorts/{slug}/plans"): COHORT,
    ("GET", "/cohorts/{slug}/intake"): COHORT,
    ("POST", "/cohorts/{slug}/intake/remind"): COHORT,
    ("GET", "/intake"): PUBLIC,
    ("GET", "/p/intake"): PARTICIPANT,
    ("POST", "/p/intake"): PARTICIPANT,
    ("POST", "/cohorts/{slug}/participants/{participant_id}/erase"): ADMIN,
    ("POST", "/cohorts/{slug}/purge"): ADMIN,
    ("GET", "/admin/facilitators"): ADMIN,
    ("POST", "/admin/facilitators"): ADMIN,
    ("POST", "/admin/facilitators/{facilitator_id}/deactivate"): ADMIN,
    ("POST", "/admin/facilitators/{facilitator_id}/reactivate"): ADMIN,
    ("POST", "/admin/facilitators/{facilitator_id}/reset"): ADMIN,
    ("GET", "/password/{token}"): PUBLIC,
    ("POST", "/password/{token}"): PUBLIC,
    ("POST", "/cohorts/{slug}/team"): LEAD,
    ("POST", "/cohorts/{slug}/team/{facilitator_id}/role"): LEAD,
    ("POST", "/cohorts/{slug}/team/{facilitator_id}/remove"): LEAD,
    ("GET", "/api/v1/facilitators"): ADMIN,
    ("POST", "/api/v1/facilitators"): ADMIN,
    ("GET", "/api/v1/facilitators/{facilitator_id}"): ADMIN,
    ("POST", "/api/v1/facilitators/{facilitator_id}/deactivate"): ADMIN,
    ("POST", "/api/v1/facilitators/{facilitator_id}/reactivate"): ADMIN,
    ("POST", "/api/v1/facilitators/{facilitator_id}/reset"): ADMIN,
    ("GET", "/api/v1/cohorts/{slug}/links"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/links/invite"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/links.csv"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/participants/{participant_id}/links/revoke"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/intake"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/intake/remind"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/mail"): COHORT,
    ("GET", "/api/v1/cohorts/{slug}/team"): COHORT,
    ("POST", "/api/v1/cohorts/{slug}/team"): LEAD,
    ("PUT", "/api/v1/cohorts/{slug}/team/{facilitator_id}"): LEAD,
    ("DELETE", "/api/v1/cohorts/{slug}/team/{facilitator_id}"): LEAD,
}

# A valid body, so that an allowed viewer reaches the access check instead of being
# turned away by form validation first.
FORMS: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/p/people/{participant_id}/plan/comments"): {"part": "goals", "text": "Nice"},
    ("POST", "/p/partnership/rhythm"): {"rhythm": "30-60-90"},
    ("POST", "/p/partnership/notes"): {"checkin_date": "2027-04-03", "text": "Went well"},
    ("POST", "/p/partnership/steps"): {"text": "Call each other"},
    ("POST", "/p/partnership/state"): {"state": "paused", "reason": "no_time"},
    ("POST", "/p/partnership/checkins/{checkin_id}/move"): {"day": "2027-04-09", "at": "15:00"},
    ("POST", "/p/partnership/steps/{step_id}/done"): {"done": "true"},
    ("POST", "/p/language"): {"language": "de"},
}
JSON_BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("PUT", "/p/api/plan"): {
        "content": {"aspiration": "x"},
        "base_version": 0,
        "idempotency_key": "key-0001",
    },
}

PARTICIPANTS = ("self", "buddy", "stranger", "outsider")
FACILITATORS = ("facilitator", "co_facilitator", "other_facilitator", "admin")
"""Signed-in facilitators; ``deactivated`` is not one of them any more: it signs in again."""


def expected(rule: str, viewer: str) -> str:
    """The outcome a viewer must get: ok, login, join, 404 or skip."""
    if rule == PUBLIC:
        return "ok"
    if rule == SIGN_OUT:
        return "redirect"
    if rule == SIGN_IN_STEP:
        return "join"
    if rule in (FACILITATOR, COHORT, COHORT_MISSING, ADMIN, LEAD):
        if viewer not in FACILITATORS:
            return "login"
        if rule == FACILITATOR:
            return "ok"
        if rule == ADMIN:
            return "ok" if viewer == "admin" else "404"
        if viewer == "other_facilitator" or rule == COHORT_MISSING:
            return "404"
        if rule == LEAD and viewer == "co_facilitator":
            return "403"
        return "ok"
    if viewer not in PARTICIPANTS:
        return "join"
    if rule == STREAM:
        return "skip"
    allowed = {
        CONTENT: ("self", "buddy"),
        CHECKINS: ("self", "buddy"),
        PAIR: ("self", "buddy"),
        OWNER: ("self",),
        BUDDY: ("buddy",),
        PARTNER: ("self", "buddy", "stranger"),
    }.get(rule, PARTICIPANTS)
    return "ok" if viewer in allowed else "404"


LEAD_REFUSAL = "Only the cohort's lead or an admin may do this."


def outcome(status: int, location: str, body: str = "") -> str:
    if status == 404:
        return "404"
    if status == 401 or (status == 303 and location.startswith("/login")):
        return "login_or_join"
    if status == 303 and location.startswith("/join"):
        return "join"
    if status == 403 and LEAD_REFUSAL in html.unescape(body):
        return "403"
    if status >= 500 or status == 403:
        return f"error {status}"
    return "ok"


def _matches(want: str, got: str) -> bool:
    if want in ("login", "join") and got == "login_or_join":
        return True
    if want == "redirect":
        return got in ("login_or_join", "join")
    return want == got


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> RouteWorld:
    return build_route_world(tmp_path_factory.mktemp("route-world"))


def _fill(path: str, params: dict[str, str]) -> str:
    for key, value in params.items():
        path = path.replace("{" + key + "}", value)
    return path


def test_every_route_has_a_row(tmp_path: Path) -> None:
    settings = Settings(
        env="test",
        database_url=f"sqlite:///{tmp_path}/x.db",
        secret_key="x" * 48,
        var_dir=tmp_path,
        _env_file=None,
    )  # type: ignore[call-arg]
    app = create_app(settings)
    routes = set(all_routes(app))
    app.state.engine.dispose()
    missing = sorted(routes - set(ROUTES))
    stale = sorted(set(ROUTES) - routes)
    assert (missing, stale) == ([], []), (
        "add a row to ROUTES in tests/routers/test_permissions.py for each missing route "
        "and drop the stale ones"
    )


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_route_answers_each_viewer_as_expected(
    world: RouteWorld, tmp_path: Path, method: str, path: str
) -> None:
    with ExitStack() as stack:
        _check_route(stack, world, tmp_path, method, path)


def _check_route(
    stack: ExitStack, world: RouteWorld, tmp_path: Path, method: str, path: str
) -> None:
    url = _fill(path, world.params)
    wrong = []
    apps = {}
    # Refused viewers change nothing, so they share one copy of the world; each allowed
    # facilitator gets a fresh copy, since its request may really remove or rebuild things.
    for viewer in VIEWERS:
        want = expected(ROUTES[(method, path)], viewer)
        if want == "skip":
            continue
        fresh = viewer in ("facilitator", "co_facilitator", "admin") or (
            (method, path) in CONSUMING and want == "ok"
        )
        copy = viewer if fresh else "shared"
        if copy not in apps:
            apps[copy] = stack.enter_context(app_for(world, tmp_path / copy))
        with client_for(world, viewer, apps[copy]) as client:
            headers = {"Accept": "application/json"} if "/api/" in path else {}
            kwargs: dict[str, object] = {"headers": headers}
            if (method, path) in JSON_BODIES:
                kwargs["json"] = JSON_BODIES[(method, path)]
            elif method == "PUT":
                kwargs["json"] = {"value": "x", "base_version": 0, "idempotency_key": "key-0001"}
            elif method == "POST":
                kwargs["data"] = FORMS.get((method, path), {})
            response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
            got = outcome(response.status_code, response.headers.get("location", ""), response.text)
        if not _matches(want, got):
            wrong.append(f"{viewer}: expected {want}, got {got} ({response.status_code})")
    assert wrong == []


def test_tablet_api_refuses_in_json_without_an_accept_header(
    world: RouteWorld, tmp_path: Path
) -> None:
    with app_for(world, tmp_path / "json") as app:
        with client_for(world, "anonymous", app) as nobody:
            refused = nobody.put("/p/api/plan", json=JSON_BODIES[("PUT", "/p/api/plan")])
        with client_for(world, "stranger", app) as stranger:
            hidden = stranger.get(f"/p/api/people/{world.params['participant_id']}/answers/x")
    assert (refused.status_code, refused.json()) == (401, {"detail": "sign in first"})
    assert (hidden.status_code, hidden.headers["content-type"]) == (404, "application/json")
