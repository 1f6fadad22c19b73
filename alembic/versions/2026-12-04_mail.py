"""mail: the outbox, bounced addresses and the reminder opt-out

Revision ID: 20261204mail
Revises: 20261203msgs
Create Date: 2026-12-04 01:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "20261204mail"
down_revision: str | None = "20261203msgs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", _text(200), nullable=False),
        sa.Column("kind", _text(40), nullable=False),
        sa.Column("template", _text(80), nullable=False),
        sa.Column("language", _text(8), nullable=False),
        sa.Column("to_address", _text(254), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("message_id", _text(200), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("state", _text(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("lease_until", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("handed_over_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_error", _text(300), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("sent_at", app.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_outbox_message_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_outbox_message_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        for column in ("cohort_id", "kind", "participant_id", "state", "to_address"):
            batch_op.create_index(batch_op.f(f"ix_outbox_message_{column}"), [column])
    op.create_table(
        "mail_bounce",
        sa.Column("address", _text(254), nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
        sa.Column("bounced_at", app.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_mail_bounce")),
    )
    op.create_table(
        "mail_opt_out",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_mail_opt_out_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_mail_opt_out")),
    )


def downgrade() -> None:
    op.drop_table("mail_opt_out")
    op.drop_table("mail_bounce")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        for column in ("to_address", "state", "participant_id", "kind", "cohort_id"):
            batch_op.drop_index(batch_op.f(f"ix_outbox_message_{column}"))
    op.drop_table("outbox_message")
