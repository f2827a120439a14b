"""team codes: joining an existing team takes its code; the session a team was made in

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 17:40:00.000000
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ALPHABET = "ACDEFGHJKMNPQRTUVWXY346789"  # as live.room.sessions.CODE_ALPHABET, frozen here


def upgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=8), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_team_session_id", "learning_session", ["session_id"], ["id"])
    # Teams made before codes existed get one now.
    team = sa.table("team", sa.column("id", sa.Integer), sa.column("code", sa.String))
    connection = op.get_bind()
    for (team_id,) in connection.execute(sa.select(team.c.id)).all():
        code = "".join(secrets.choice(ALPHABET) for _ in range(5))
        connection.execute(team.update().where(team.c.id == team_id).values(code=code))


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_constraint("fk_team_session_id", type_="foreignkey")
        batch_op.drop_column("session_id")
        batch_op.drop_column("code")
