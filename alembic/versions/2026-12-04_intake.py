"""intake: what participants say before day one, and their private avoid requests

Revision ID: 20261204intake
Revises: 20261204links
Create Date: 2026-12-04 01:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "20261204intake"
down_revision: str | None = "20261204links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_answer",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("wants", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("submitted_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_intake_answer_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_intake_answer_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_intake_answer")),
    )
    with op.batch_alter_table("intake_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_answer_cohort_id"), ["cohort_id"], unique=False)

    op.create_table(
        "intake_avoid",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("avoided_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["avoided_id"],
            ["participant.id"],
            name=op.f("fk_intake_avoid_avoided_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_intake_avoid_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", "avoided_id", name=op.f("pk_intake_avoid")),
    )
    with op.batch_alter_table("intake_avoid", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_avoid_avoided_id"), ["avoided_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("intake_avoid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_avoid_avoided_id"))
    op.drop_table("intake_avoid")
    with op.batch_alter_table("intake_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_answer_cohort_id"))
    op.drop_table("intake_answer")
