"""post identity: when each post's first request went out (a post found for a lost
answer must have been created after it), when a thread was claimed (a lane held by a
thread says since when), and where an account's posts are seen (a Mastodon post links
to the instance it was made on)

Revision ID: 0006_identity
Revises: 0005_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_identity"
down_revision = "0005_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tweets") as batch:
        batch.add_column(sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("home_url", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("home_url")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("claimed_at")
    with op.batch_alter_table("tweets") as batch:
        batch.drop_column("sending_at")
