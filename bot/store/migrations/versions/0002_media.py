"""media: chart images frozen with their tweet (schema_version 2)

Revision ID: 0002_media
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_media"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("png", sa.LargeBinary, nullable=False),
        sa.Column("alt_text", sa.Text, nullable=False),
        sa.Column("x_media_id", sa.String(32), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("media")
