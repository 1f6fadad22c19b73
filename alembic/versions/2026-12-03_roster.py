"""roster: remembered reading of a cohort's roster files; per-upload date format and encoding

Revision ID: 20261203roster
Revises: 0e452ceb268e
Create Date: 2026-12-03 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "20261203roster"
down_revision: str | None = "20261203signin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roster_profile",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON().with_variant(sa.JSON(), "sqlite"), nullable=False),
        sa.Column("date_format", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("encoding", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_roster_profile_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort_id", name=op.f("pk_roster_profile")),
    )
    with op.batch_alter_table("roster_import", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "date_format",
                sqlmodel.sql.sqltypes.AutoString(length=3),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "encoding",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("roster_import", schema=None) as batch_op:
        batch_op.drop_column("encoding")
        batch_op.drop_column("date_format")
    op.drop_table("roster_profile")
