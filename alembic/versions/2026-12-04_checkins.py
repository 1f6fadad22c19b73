"""check-ins become appointments; next steps can be ticked done; rhythms can be renewed

Each check-in of an agreed rhythm becomes a row of its own (``checkin``): a local day and
time in the cohort's timezone that the pair can move, a state (upcoming, held, moved,
missed), and a sequence that rises with every move so calendars update the event in place.
Rhythms already agreed get their check-ins here, at 10:00 local time, as the new code makes
them on agreement. Agreed next steps get ``done_at`` / ``done_by``; a rhythm gets its time
of day and the number of its series (renewing the rhythm starts the next series).

Revision ID: 20261204partner
Revises: 20261204links
Create Date: 2026-12-04 01:10:00+00:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "20261204partner"
down_revision: str | None = "20261204intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_plan = sa.table(
    "checkin_plan",
    sa.column("group_id", sa.Integer),
    sa.column("dates", sa.JSON),
    sa.column("agreed_by", sa.JSON),
)
_member = sa.table(
    "buddy_member", sa.column("group_id", sa.Integer), sa.column("participant_id", sa.Integer)
)


def _loaded(value: Any) -> list[Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or [])


def upgrade() -> None:
    checkin = op.create_table(
        "checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", sa.Time(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("reminded_sequence", sa.Integer(), nullable=True),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["participant.id"],
            name=op.f("fk_checkin_changed_by_participant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["buddy_group.id"],
            name=op.f("fk_checkin_group_id_buddy_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin")),
        sa.UniqueConstraint("group_id", "series", "number", name=op.f("uq_checkin_group_id")),
    )
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkin_group_id"), ["group_id"], unique=False)
    with op.batch_alter_table("agreed_step", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("done_at", app.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("done_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_agreed_step_done_by_participant"),
            "participant",
            ["done_by"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("checkin_plan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("at", sa.Time(), nullable=False, server_default=sa.text("'10:00:00'"))
        )
        batch_op.add_column(
            sa.Column("series", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
    with op.batch_alter_table("checkin_plan", schema=None) as batch_op:
        batch_op.alter_column("at", server_default=None)
        batch_op.alter_column("series", server_default=None)
    _materialize_agreed(checkin)


def _materialize_agreed(checkin: sa.Table) -> None:
    conn = op.get_bind()
    members: dict[int, set[int]] = {}
    for group_id, participant_id in conn.execute(
        sa.select(_member.c.group_id, _member.c.participant_id)
    ):
        members.setdefault(group_id, set()).add(participant_id)
    now = datetime.now(UTC)
    rows = []
    for group_id, dates, agreed_by in conn.execute(
        sa.select(_plan.c.group_id, _plan.c.dates, _plan.c.agreed_by)
    ):
        if not members.get(group_id, {0}) <= set(_loaded(agreed_by)):
            continue
        rows += [
            {
                "group_id": group_id,
                "series": 1,
                "number": n,
                "day": date.fromisoformat(d),
                "at": time(10, 0),
                "state": "upcoming",
                "sequence": 0,
                "reminded_sequence": None,
                "changed_by": None,
                "changed_at": now,
            }
            for n, d in enumerate(_loaded(dates), start=1)
        ]
    if rows:
        op.bulk_insert(checkin, rows)


def downgrade() -> None:
    with op.batch_alter_table("checkin_plan", schema=None) as batch_op:
        batch_op.drop_column("series")
        batch_op.drop_column("at")
    with op.batch_alter_table("agreed_step", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agreed_step_done_by_participant"), type_="foreignkey"
        )
        batch_op.drop_column("done_by")
        batch_op.drop_column("done_at")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkin_group_id"))
    op.drop_table("checkin")
