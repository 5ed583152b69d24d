"""claims by lease: the claiming host and lease_until; an index for the daemon's poll

Revision ID: 0003_claim_lease
Revises: 0002_media
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_claim_lease"
down_revision = "0002_media"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("claim_host", sa.String(255), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_threads_status_due_at", "threads", ["status", "due_at"])
    # The meta table's schema_version belonged to the hand-made versioning; Alembic's
    # alembic_version table says where a store is from now on.
    op.execute(sa.text("DELETE FROM meta WHERE key = 'schema_version'"))


def downgrade() -> None:
    op.drop_index("ix_threads_status_due_at", "threads")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("claim_host")
