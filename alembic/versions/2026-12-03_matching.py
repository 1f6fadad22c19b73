"""a person is in at most one live buddy group; participant reasons carry no HR values

Revision ID: 20261203matching
Revises: 0e452ceb268e
Create Date: 2026-12-03 10:00:00.000000+00:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "20261203matching"
down_revision: str | None = "20261203plans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The participant wording before this revision named the buddy's level, function, region,
# tenure, experience and languages. Each old line maps to its value-free sentence (or goes).
_SIMILAR_LEVEL = "You are at a similar level, so you face similar kinds of decisions"
_REWRITES: tuple[tuple[str, str | None], ...] = (
    ("Similar levels:", _SIMILAR_LEVEL),
    ("Different levels:", None),
    ("Different functions:", "You work in different functions, so each of you brings a fresh view"),
    ("Different regions:", "You are based in different regions"),
    ("You bring different experience:", "You bring different experience to each other"),
    ("Shared experience:", "You also have some experience in common"),
    ("You both speak", "You share a working language"),
    ("You all three speak", "You share a working language"),
    ("You both work in", None),
    ("You all three work in", None),
    ("You are both based in", None),
    ("You are all three based in", None),
    ("You have ", None),
    ("You are both ", _SIMILAR_LEVEL),
    ("You are all three ", _SIMILAR_LEVEL),
)  # fmt: skip


def _rewrite(lines: list[str]) -> list[str]:
    found: list[str] = []
    for line in lines:
        new = next((to for start, to in _REWRITES if line.startswith(start)), None)
        if new is not None and new not in found:
            found.append(new)
    return found


def _end_overlapping_groups(conn: sa.Connection) -> None:
    """Before the constraint: where someone is in two live groups, the newest one stays."""
    rows = conn.execute(
        sa.text(
            "SELECT g.id, m.participant_id FROM buddy_group g "
            "JOIN buddy_member m ON m.group_id = g.id WHERE g.state <> 'ended' "
            "ORDER BY g.id DESC"
        )
    ).all()
    members: dict[int, set[int]] = {}
    for group_id, participant_id in rows:
        members.setdefault(group_id, set()).add(participant_id)
    taken: set[int] = set()
    now = datetime.now(UTC).replace(tzinfo=None)
    for group_id in sorted(members, reverse=True):
        if members[group_id] & taken:
            conn.execute(
                sa.text(
                    "UPDATE buddy_group SET state = 'ended', end_reason = 'other', "
                    "ended_at = :now WHERE id = :id"
                ),
                {"now": now, "id": group_id},
            )
        else:
            taken |= members[group_id]


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("buddy_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("live", sa.Boolean(), nullable=True))
    with op.batch_alter_table("buddy_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("live", sa.Boolean(), nullable=True))
    _end_overlapping_groups(conn)
    conn.execute(
        sa.text("UPDATE buddy_group SET live = :yes WHERE state <> 'ended'"), {"yes": True}
    )
    conn.execute(
        sa.text(
            "UPDATE buddy_member SET live = (SELECT g.live FROM buddy_group g "
            "WHERE g.id = buddy_member.group_id)"
        )
    )
    for group_id, stored in conn.execute(
        sa.text("SELECT id, participant_reasons FROM buddy_group")
    ).all():
        lines = json.loads(stored) if isinstance(stored, str) else list(stored or [])
        conn.execute(
            sa.text("UPDATE buddy_group SET participant_reasons = :r WHERE id = :id"),
            {"r": json.dumps(_rewrite(lines)), "id": group_id},
        )
    # An index, not a constraint, on buddy_group: SQLite adds it in place, whereas rebuilding
    # the table would cascade-delete every row that points at a group.
    with op.batch_alter_table("buddy_group", schema=None) as batch_op:
        batch_op.create_index("ix_buddy_group_id_live", ["id", "live"], unique=True)
    with op.batch_alter_table("buddy_member", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_buddy_member_participant_id"), ["participant_id", "live"]
        )
        batch_op.create_foreign_key(
            "fk_buddy_member_live_buddy_group",
            "buddy_group",
            ["group_id", "live"],
            ["id", "live"],
            onupdate="CASCADE",
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("buddy_member", schema=None) as batch_op:
        batch_op.drop_constraint("fk_buddy_member_live_buddy_group", type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_buddy_member_participant_id"), type_="unique")
        batch_op.drop_column("live")
    with op.batch_alter_table("buddy_group", schema=None) as batch_op:
        batch_op.drop_index("ix_buddy_group_id_live")
        batch_op.drop_column("live")
