"""participant PINs, session idle time and device

Revision ID: 20261203signin
Revises: 0e452ceb268e
Create Date: 2026-12-03 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "20261203signin"
down_revision: str | None = "20261203matching"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "participant_pin",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("pin_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("salt", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("set_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("reset_at", app.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_participant_pin_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_participant_pin")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", app.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_web_session_device"), ["device"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_device"))
        batch_op.drop_column("device")
        batch_op.drop_column("last_seen_at")
    op.drop_table("participant_pin")
