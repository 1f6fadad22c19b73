"""Every route of the app, pages and JSON alike, fed out-of-range ids, days, dates and numbers:
never a 5xx.

Each route is driven by the viewer who may use it (an admin for facilitator pages, Ana for the
tablet), so that hostile values get past the sign-in and reach the route's own parsing. Path
parameters, query parameters and form fields are generated from their declared types; the
world's cohort runs on the last day a cohort may start, with the longest program, so that every
date computed from it (follow-ups, card expiry, retention, calendars) is at its edge too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from app.core.db import create_db_engine
from app.models import Cohort
from app.models.cohorts import LATEST_START
from app.services.cohorts.service import MAX_DAYS
from tests.routers.route_world import RouteWorld, app_for, build_route_world, client_for

EXAMPLES = 12
SKIPPED = {
    ("GET", "/p/now/stream"): "never ends: a stream of the room's next step",
    ("POST", "/logout"): "signs the fuzzing client out",
    ("POST", "/p/signout"): "signs the fuzzing client out",
}

HUGE = ["9223372036854775807", "9223372036854775808", "18446744073709551616", "9" * 5000]
ODD_NUMBERS = ["0", "-1", "-9223372036854775809", "²", "٣", "1e3", "0x10", " 1", "1.5", "", "NaN"]
ODD_DATES = ["9999-12-25", "9999-12-31", "0001-01-01", "0000-00-00", "2027-02-30", "99999-01-01"]

numbers = st.one_of(
    st.sampled_from(HUGE + ODD_NUMBERS),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
)
dates = st.one_of(
    st.sampled_from(ODD_DATES),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)
words = st.text(max_size=12)


def _value_for(name: str, annotation: Any, real: str | None) -> st.SearchStrategy[str]:
    """Hostile values for one parameter, from its declared type (and its name for text)."""
    text = str(annotation)
    hostile: st.SearchStrategy[str]
    if "int" in text or "float" in text:
        hostile = numbers
    elif "date" in text or name in ("start", "end", "checkin_date", "start_date", "on"):
        hostile = st.one_of(dates, numbers, words)
    elif "bool" in text:
        hostile = st.sampled_from(["true", "false", "2", "yes", ""])
    else:
        hostile = st.one_of(numbers, dates, words)
    return st.one_of(st.just(real), hostile) if real is not None else hostile


def _api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """(full path, route) of every route, walking included routers."""
    found: list[tuple[str, APIRoute]] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.append((prefix + route.path, route))
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + route.include_context.prefix)

    walk(list(app.routes), "")
    return found


def _routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    return [
        (m, path, r)
        for path, r in _api_routes(app)
        for m in sorted(r.methods - {"HEAD"})
        if (m, path) not in SKIPPED
    ]


def _parameters(route: APIRoute) -> tuple[list[Any], list[Any], list[Any]]:
    """The route's path, query and body parameters, its dependencies' included (the cohort's
    slug is a parameter of the dependency that loads it)."""
    seen: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "body": {}}
    todo = [route.dependant]
    while todo:
        current = todo.pop()
        for kind, found in (
            ("path", current.path_params),
            ("query", current.query_params),
            ("body", current.body_params),
        ):
            seen[kind].update({p.name: p for p in found})
        todo.extend(current.dependencies)
    return list(seen["path"].values()), list(seen["query"].values()), list(seen["body"].values())


def _request(route: APIRoute, params: dict[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    """One request to ``route``: one path parameter hostile (the others real, so that the
    request gets past the cohort and reaches that parameter), and its query and form fields."""
    path_params, query_params, body_params = _parameters(route)
    names = [p.name for p in path_params]
    hostile = {p.name: _value_for(p.name, p.field_info.annotation, None) for p in path_params}

    def path_with(target: int) -> st.SearchStrategy[dict[str, str]]:
        return st.fixed_dictionaries(
            {
                name: hostile[name] if i == target else st.just(params.get(name, "x"))
                for i, name in enumerate(names)
            }
        )

    path = st.integers(min_value=-1, max_value=len(names) - 1).flatmap(path_with)
    query = {p.alias: _value_for(p.name, p.field_info.annotation, None) for p in query_params}
    form: dict[str, st.SearchStrategy[str]] = {}
    json_body: st.SearchStrategy[Any] = st.none()
    for p in body_params:
        kind = type(p.field_info).__name__
        if kind in ("Form", "File"):
            form[p.alias] = _value_for(p.name, p.field_info.annotation, None)
        else:
            json_body = _json_documents()
    return st.fixed_dictionaries(
        {
            "path": path,
            "query": st.fixed_dictionaries({}, optional=query),
            "form": st.fixed_dictionaries({}, optional=form),
            "json": json_body,
        }
    )


def _json_documents() -> st.SearchStrategy[Any]:
    """JSON bodies of the tablet's saves, with numbers, ids and dates out of every range."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        st.sampled_from([*ODD_DATES, "", "x"]),
    )
    anything = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
        max_leaves=6,
    )
    goal = st.fixed_dictionaries(
        {},
        optional={"id": anything, "what": anything, "target_date": anything, "actions": anything},
    )
    content = st.fixed_dictionaries(
        {}, optional={"goals": st.lists(goal, max_size=3) | anything, "aspiration": anything}
    )
    return st.fixed_dictionaries(
        {
            "base_version": st.one_of(st.integers(min_value=-1, max_value=2**70), anything),
            "idempotency_key": st.just("fuzz-key-0001") | words,
        },
        optional={"content": content | anything, "value": anything},
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> RouteWorld:
    folder = tmp_path_factory.mktemp("fuzz-world")
    built = build_route_world(folder)
    engine = create_db_engine(f"sqlite:///{built.path}")
    with Session(engine) as session:
        for cohort in session.exec(select(Cohort)).all():
            cohort.start_date, cohort.days = LATEST_START, MAX_DAYS
            session.add(cohort)
        session.commit()
    engine.dispose()
    return built


def _fill(path: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        path = path.replace("{" + key + "}", quote(value, safe="") or "x")
    return path


def test_every_route_is_fuzzed(world: RouteWorld, tmp_path: Path) -> None:
    with app_for(world, tmp_path) as app:
        every = {(m, p) for p, r in _api_routes(app) for m in r.methods - {"HEAD"}}
        fuzzed = {(m, p) for m, p, _ in _routes(app)}
        assert (len(fuzzed) > 60, every - fuzzed) == (True, set(SKIPPED))


@pytest.mark.parametrize("tablet", [False, True], ids=["facilitator-routes", "tablet-routes"])
def test_no_route_answers_5xx_to_out_of_range_input(
    world: RouteWorld, tmp_path: Path, tablet: bool
) -> None:
    with app_for(world, tmp_path) as app:
        routes = [
            (m, p, r) for m, p, r in _routes(app) if p.startswith(("/p/", "/p", "/join")) == tablet
        ]
        viewer = "self" if tablet else "admin"
        with client_for(world, viewer, app) as client:
            failures: list[str] = []
            for method, path, route in routes:
                _fuzz_route(client, method, path, route, world.params, failures)
    assert failures == [], "\n".join(failures)


def _fuzz_route(
    client: Any,
    method: str,
    path: str,
    route: APIRoute,
    params: dict[str, str],
    failures: list[str],
) -> None:
    @given(case=_request(route, params))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: dict[str, Any]) -> None:
        url = _fill(path, case["path"])
        kwargs: dict[str, Any] = {"params": case["query"]}
        if method in ("PUT", "POST", "PATCH") and case["json"] is not None:
            kwargs["json"] = case["json"]
        elif method in ("POST", "PUT", "PATCH"):
            kwargs["data"] = case["form"]
        try:
            status = client.request(method, url, **kwargs).status_code
        except Exception as exc:  # a crash inside the app reaches the test client like this
            status, url = 500, f"{url[:120]} ({type(exc).__name__}: {str(exc)[:160]})"
        if status >= 500:
            failures.append(f"{method} {url[:300]} {str(case)[:300]} -> {status}")

    run()
