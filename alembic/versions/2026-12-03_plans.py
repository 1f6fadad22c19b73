"""plans are shared with nobody until their writer shares a part

Revision ID: 20261203plans
Revises: 0e452ceb268e
Create Date: 2026-12-03 09:00:00+00:00

Until now a new plan started with its goals shared with the buddy, and nothing recorded whether
the writer had chosen that. A plan sharing exactly ``["goals"]`` may be that default or the
writer's own choice, and the two cannot be told apart; every other value was chosen. Erring on
the side of the writer, those plans now share nothing: the goals disappear from the buddy's
view (comments stay stored and reappear if the goals are shared again), and the writer sees
"You share nothing yet" with the controls to share them again. From this revision on, every
sharing choice is written to the audit trail (``plan.sharing.set``, part names only).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261203plans"
down_revision: str | None = "0e452ceb268e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_plan = sa.table("plan", sa.column("id", sa.Integer()), sa.column("shared_parts", sa.JSON()))


def upgrade() -> None:
    conn = op.get_bind()
    # Compared in Python: SQLite and PostgreSQL store JSON differently (text vs json).
    rows = conn.execute(sa.select(_plan.c.id, _plan.c.shared_parts)).all()
    for plan_id, parts in rows:
        if parts == ["goals"]:
            conn.execute(sa.update(_plan).where(_plan.c.id == plan_id).values(shared_parts=[]))


def downgrade() -> None:
    # Nothing to undo: sharing the goals again without their writer's word would be the leak.
    pass
