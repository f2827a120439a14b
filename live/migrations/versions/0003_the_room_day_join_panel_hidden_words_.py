"""the room day: the join panel, hidden words, moderated comments, the question board, removals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learning_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("join_shown", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_activity_id"), ["activity_id"], unique=False)

    op.create_table(
        "question_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id", "participant_id"),
    )


def downgrade() -> None:
    op.drop_table("question_vote")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_activity_id"))
    op.drop_table("question")
    for table in ("team", "participant"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("removed")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("approved")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_column("hidden")
    with op.batch_alter_table("learning_session", schema=None) as batch_op:
        batch_op.drop_column("join_shown")
