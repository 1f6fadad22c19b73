"""Mail templates: ``app/templates/mail/<name>.txt`` and ``.html``, in the reader's language.

Each ``.txt`` template extends ``mail/_base.txt`` and defines ``{% block subject %}``; the
``.html`` one extends ``mail/_base.html``. The subject block is rendered on its own (and
collapsed to one line), then handed to both bodies as ``subject``. HTML is autoescaped; the
plain text part is not (it is no markup), so the two are separate environments.

The context carries only names, dates, counts and links — never what anyone wrote. What can
be checked here is: keys are plain names, values are of a few types (text, numbers, dates,
flags, or lists of those), text is one line and short (a link may be longer). Anything else
is refused before a single character is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from app.core.config import ROOT
from app.core.i18n import install_i18n, use_locale

MAIL_TEMPLATES = ROOT / "app" / "templates" / "mail"
MAX_TEXT = 200
"""The longest text value: a name, a cohort, a place — not a sentence someone wrote."""
MAX_LINK = 2000
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TEMPLATE = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
Scalar = str | int | float | bool | date | time | None
RESERVED = frozenset({"subject", "unsubscribe_url", "kind"})
"""Names the mail service fills in itself."""


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str
    html: str


class MailContextError(ValueError):
    """A mail context carries something other than names, dates, counts and links."""


def _check_scalar(key: str, value: object) -> None:
    if value is None or isinstance(value, int | float | bool | date | time):
        return
    if not isinstance(value, str):
        raise MailContextError(f"mail context '{key}': {type(value).__name__} is not allowed")
    limit = MAX_LINK if key.endswith("_url") else MAX_TEXT
    if len(value) > limit or "\n" in value or "\r" in value:
        raise MailContextError(f"mail context '{key}': text must be one line of at most {limit}")
    if key.endswith("_url") and not value.startswith(("https://", "http://")):
        raise MailContextError(f"mail context '{key}': a link must be http(s)")


def check_context(context: Mapping[str, object]) -> dict[str, object]:
    """The context as a plain dict, or MailContextError naming the first value not allowed."""
    checked: dict[str, object] = {}
    for key, value in context.items():
        if not isinstance(key, str) or not _KEY.match(key) or key in RESERVED:
            raise MailContextError(f"mail context key {key!r} is not allowed")
        if isinstance(value, list | tuple):
            if len(value) > 100:
                raise MailContextError(f"mail context '{key}': at most 100 items")
            for item in value:
                _check_scalar(key, item)
            checked[key] = list(value)
        else:
            _check_scalar(key, value)
            checked[key] = value
    return checked


@lru_cache(maxsize=2)
def _environment(html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(MAIL_TEMPLATES)),
        undefined=StrictUndefined,
        autoescape=html,  # noqa: S701 (the plain text part is no markup: nothing to escape)
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    install_i18n(env)
    return env


def _template(name: str, html: bool) -> Template:
    if not _TEMPLATE.match(name):
        raise MailContextError(f"no mail template {name!r}")
    return _environment(html).get_template(f"{name}.{'html' if html else 'txt'}")


def render_mail(
    template: str,
    *,
    language: str,
    context: Mapping[str, object],
    kind: str = "",
    unsubscribe_url: str = "",
) -> RenderedMail:
    """Subject, plain text and HTML of ``template`` in ``language`` (context checked first)."""
    values = check_context(context)
    values.update(kind=kind, unsubscribe_url=unsubscribe_url)
    with use_locale(language):
        text_template = _template(template, html=False)
        html_template = _template(template, html=True)
        if "subject" not in text_template.blocks:
            raise MailContextError(f"mail template {template!r} has no subject block")
        subject_context = text_template.new_context(dict(values))
        subject = " ".join("".join(text_template.blocks["subject"](subject_context)).split())
        values["subject"] = subject
        text = text_template.render(values)
        html = html_template.render(values)
    return RenderedMail(subject=subject, text=text, html=html)
