"""accounts and daemons: every thread belongs to an account; per-account rate-limit
state and the daemons' heartbeats live in the store, so daemons on several machines
respect them together

Revision ID: 0005_accounts
Revises: 0004_feeds
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_accounts"
down_revision = "0004_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        # Existing threads were all posted by the one account there was.
        batch.add_column(
            sa.Column("account", sa.String(64), nullable=False, server_default="default")
        )
    # The claim's per-account ordering and busy checks read threads by account.
    op.create_index("ix_threads_account_status_due_at", "threads", ["account", "status", "due_at"])
    # Budgets and caps count recent posts on every claim: by index, not by scanning.
    op.create_index("ix_tweets_status_posted_at", "tweets", ["status", "posted_at"])
    op.create_table(
        "accounts",
        sa.Column("name", sa.String(64), primary_key=True),
        # A 429 or daily cap seen by any daemon: no daemon posts for it before then.
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_reason", sa.Text, nullable=True),
        sa.Column("username", sa.String(64), nullable=True),
    )
    op.execute(sa.text("INSERT INTO accounts (name) VALUES ('default')"))
    op.create_table(
        "daemons",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_threads", sa.Integer, nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("daemons")
    op.drop_table("accounts")
    op.drop_index("ix_tweets_status_posted_at", "tweets")
    op.drop_index("ix_threads_account_status_due_at", "threads")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("account")
