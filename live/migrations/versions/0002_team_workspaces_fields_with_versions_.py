"""team workspaces: fields with versions, items, dots, comments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 11:43:41.362370
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=60), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "scope", "name"),
    )
    with op.batch_alter_table("workspace_field", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workspace_field_team_id"), ["team_id"], unique=False)

    op.create_table(
        "workspace_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("workspace_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workspace_item_team_id"), ["team_id"], unique=False)

    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
        ),
        sa.ForeignKeyConstraint(["session_id"], ["learning_session.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_team_id"), ["team_id"], unique=False)

    op.create_table(
        "dot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
        ),
        sa.ForeignKeyConstraint(["session_id"], ["learning_session.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dot_participant_id"), ["participant_id"], unique=False)

    with op.batch_alter_table("learning_session", schema=None) as batch_op:
        # Sessions made before this migration get the defaults.
        batch_op.add_column(
            sa.Column("storyboards_revealed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("date", sa.String(length=20), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("learning_session", schema=None) as batch_op:
        batch_op.drop_column("date")
        batch_op.drop_column("storyboards_revealed")

    with op.batch_alter_table("dot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dot_participant_id"))

    op.drop_table("dot")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_team_id"))

    op.drop_table("comment")
    with op.batch_alter_table("workspace_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workspace_item_team_id"))

    op.drop_table("workspace_item")
    with op.batch_alter_table("workspace_field", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workspace_field_team_id"))

    op.drop_table("workspace_field")
