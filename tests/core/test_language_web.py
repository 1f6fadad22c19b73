"""A request's language: the device's choice, else the browser's, else English; one per request."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from app.core import i18n
from app.core.language import (
    LANGUAGE_COOKIE,
    LanguageMiddleware,
    remember_language,
    request_language,
)


def _app() -> Starlette:
    def show(request: Request) -> Response:
        return PlainTextResponse(i18n.current_language())

    def choose(request: Request) -> Response:
        response = PlainTextResponse("")
        chosen = remember_language(response, request, request.query_params.get("lang"))
        response.body = chosen.encode()
        response.headers["content-length"] = str(len(response.body))
        return response

    app = Starlette(routes=[Route("/", show), Route("/choose", choose, methods=["POST"])])
    app.add_middleware(LanguageMiddleware)
    return app


def test_the_choice_beats_the_browser_and_unknown_values_fall_through() -> None:
    assert request_language(None, None) == "en"
    assert request_language(None, "fr-CA,fr;q=0.9") == "fr"
    assert request_language(f"a=1; {LANGUAGE_COOKIE}=de", "fr") == "de"
    assert request_language(f"{LANGUAGE_COOKIE}=pt", "es") == "es"
    assert request_language('bad"cookie', None) == "en"


def test_each_request_speaks_its_language_and_says_so() -> None:
    client = TestClient(_app())
    answer = client.get("/", headers={"Accept-Language": "es"})
    assert answer.text == "es"
    assert answer.headers["content-language"] == "es"
    assert "Accept-Language" in answer.headers["vary"]
    assert client.get("/").text == "en"  # nothing leaks from one request into the next


def test_choosing_a_language_sticks_to_the_device_and_forgetting_it_returns_the_browsers() -> None:
    client = TestClient(_app())
    chosen = client.post("/choose?lang=de-AT", headers={"Accept-Language": "fr"})
    assert chosen.text == "de"
    assert chosen.headers["content-language"] == "de"
    assert client.get("/", headers={"Accept-Language": "fr"}).text == "de"
    forgot = client.post("/choose", headers={"Accept-Language": "fr"})
    assert forgot.text == "fr"
    assert client.get("/", headers={"Accept-Language": "fr"}).text == "fr"
