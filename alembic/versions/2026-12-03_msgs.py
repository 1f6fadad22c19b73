"""msgs: pair reasons stored as messages, so each reader reads them in their own language

The sentences the buddies read were stored as finished English text. The seven that the
pairing writes for them carry no values, so each one becomes its message id (read back as a
``Message``, shown in the reader's language). Any other stored sentence (the facilitators'
reasons written before this, with names and values in them) stays as written: it reads as
English until the group is paired again.

Revision ID: 20261203msgs
Revises: 20261203languages
Create Date: 2026-12-03 18:00:00+00:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "20261203msgs"
down_revision: str | None = "20261203languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copied, not imported: a migration must not change when the code's wording does.
PARTICIPANT_SENTENCES = (
    "You are at a similar level, so you face similar kinds of decisions",
    "You work in different functions, so each of you brings a fresh view",
    "You are based in different regions",
    "You have been with the company for different lengths of time",
    "You bring different experience to each other",
    "You also have some experience in common",
    "You share a working language",
)
_GROUPS = sa.table(
    "buddy_group",
    sa.column("id", sa.Integer),
    sa.column("reasons", sa.JSON),
    sa.column("participant_reasons", sa.JSON),
)


def _loaded(value: Any) -> list[Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or [])


def _as_message(reason: Any) -> Any:
    return {"msgid": reason, "args": {}} if reason in PARTICIPANT_SENTENCES else reason


def _english(value: Any) -> str:
    if isinstance(value, dict) and "msgid" in value:
        args = {k: _english(v) for k, v in (value.get("args") or {}).items()}
        return str(value["msgid"]) % args if args else str(value["msgid"])
    if isinstance(value, dict) and "list" in value:
        items = [_english(v) for v in value["list"]]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    if isinstance(value, dict) and "number" in value:
        return f"{value['number']:g}"
    return str(value)


def _rewrite(convert: Any) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_GROUPS.c.id, _GROUPS.c.reasons, _GROUPS.c.participant_reasons))
    for gid, reasons, shared in rows.all():
        old = (_loaded(reasons), _loaded(shared))
        new = ([convert(r) for r in old[0]], [convert(r) for r in old[1]])
        if new != old:
            conn.execute(
                _GROUPS.update()
                .where(_GROUPS.c.id == gid)
                .values(reasons=new[0], participant_reasons=new[1])
            )


def upgrade() -> None:
    _rewrite(_as_message)


def downgrade() -> None:
    # Back to finished English text: what this revision's code no longer writes.
    _rewrite(lambda r: _english(r) if isinstance(r, dict) else r)
