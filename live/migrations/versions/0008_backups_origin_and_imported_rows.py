"""backups: this database's origin, the rows imported from others, and each import

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 21:40:00.000000
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    origin = op.create_table(
        "database_origin",
        sa.Column("origin", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("origin"),
    )
    op.bulk_insert(origin, [{"origin": str(uuid.uuid4())}])
    op.create_table(
        "imported_row",
        sa.Column("origin", sa.String(length=36), nullable=False),
        sa.Column("tablename", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("local_id", sa.String(length=64), nullable=False),
        sa.Column("adopted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "tablename", "source_id"),
    )
    op.create_table(
        "backup_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=36), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_backup_import_origin", "backup_import", ["origin"])


def downgrade() -> None:
    op.drop_index("ix_backup_import_origin", "backup_import")
    op.drop_table("backup_import")
    op.drop_table("imported_row")
    op.drop_table("database_origin")
