"""indexes for joining: a team by its code, a session's people by team

Without them each join of a join storm read every team of the collaborative and every person
of the session (the join page's list, the name checked against the team's), so joins got
slower as the room filled.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 03:20:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_team_collaborative_code", "team", ["collaborative_id", "code"])
    op.create_index("ix_participant_session_team", "participant", ["session_id", "team_id"])


def downgrade() -> None:
    op.drop_index("ix_participant_session_team", "participant")
    op.drop_index("ix_team_collaborative_code", "team")
