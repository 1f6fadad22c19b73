"""accounts: set-password links for invitations and resets, team roles in a cohort

Every facilitator already assigned to a cohort could do everything in it, so each becomes the
cohort's lead; co-facilitators are assigned from now on.

Revision ID: 20261204accounts
Revises: 20261203msgs
Create Date: 2026-12-04 01:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "20261204accounts"
down_revision: str | None = "20261204partner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_link",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
            name=op.f("fk_password_link_facilitator_id_facilitator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_link")),
    )
    with op.batch_alter_table("password_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_password_link_facilitator_id"), ["facilitator_id"], unique=False
        )
    with op.batch_alter_table("cohort_facilitator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "role",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="lead",
            )
        )
    with op.batch_alter_table("cohort_facilitator", schema=None) as batch_op:
        batch_op.alter_column("role", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("cohort_facilitator", schema=None) as batch_op:
        batch_op.drop_column("role")
    with op.batch_alter_table("password_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_link_facilitator_id"))
    op.drop_table("password_link")
