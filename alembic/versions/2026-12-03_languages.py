"""languages: each participant, facilitator and cohort has a language

Revision ID: 20261203languages
Revises: 20261203roster
Create Date: 2026-12-03 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "20261203languages"
down_revision: str | None = "20261203roster"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(default: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "language",
        sqlmodel.sql.sqltypes.AutoString(length=8),
        nullable=False,
        server_default=default,
    )


# Plain ADD / DROP COLUMN (SQLite has both since 3.35): a batch copy of these tables would
# cascade-delete every row that refers to them.
def upgrade() -> None:
    op.add_column("cohort", _text("en"))
    op.add_column("participant", _text(""))
    op.add_column("facilitator", _text(""))


def downgrade() -> None:
    for table in ("facilitator", "participant", "cohort"):
        op.drop_column(table, "language")
